import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { generateSessionToken, permissionsOfRole, sessionIdFromToken, type SessionUser } from '../auth/sessions.js'

// Personal API tokens, as sessions are kept: a random token shown once, only its SHA-256 stored.
// A token acts as its user, with the user's role; disabling the user or revoking the token ends it.

export const TOKEN_PREFIX = 'cb_'

export async function createApiToken(db: Db, actor: Actor, userId: number, name: string): Promise<{ token: string } | { error: string }> {
  const label = name.trim()
  if (label.length === 0) return { error: 'Name the token after what uses it, such as "Time clock import"' }
  if (label.length > 100) return { error: 'At most 100 characters' }
  const token = `${TOKEN_PREFIX}${generateSessionToken()}`
  const now = new Date().toISOString()
  const id = (
    await db
      .insertInto('api_tokens')
      .values({ user_id: userId, name: label, token_hash: sessionIdFromToken(token), hint: token.slice(-4), created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  await recordAudit(db, actor, { action: 'api_token.create', entityType: 'api_token', entityId: id, summary: `Created the API token "${label}"` })
  return { token }
}

export async function revokeApiToken(db: Db, actor: Actor, userId: number, id: number): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) return false
  await recordAudit(db, actor, { action: 'api_token.revoke', entityType: 'api_token', entityId: id, summary: 'Revoked an API token' })
  return true
}

export function listApiTokens(db: Db, userId: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'hint', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute()
}

/** The active user a bearer token stands for, or null. */
export async function userFromApiToken(db: Db, token: string): Promise<SessionUser | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select([
      'api_tokens.id as token_id',
      'users.id',
      'users.email',
      'users.name',
      'users.status',
      'roles.id as role_id',
      'roles.key as role_key',
      'roles.name as role_name',
    ])
    .where('api_tokens.token_hash', '=', sessionIdFromToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row || row.status !== 'active') return null
  await db.updateTable('api_tokens').set({ last_used_at: new Date().toISOString() }).where('id', '=', row.token_id).execute()
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roleId: row.role_id,
    roleKey: row.role_key,
    roleName: row.role_name,
    permissions: await permissionsOfRole(db, row.role_id, row.role_key),
  }
}
