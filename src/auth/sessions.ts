import { DAY_MS } from '../lib/dates.js'
import { sha256 } from '@oslojs/crypto/sha2'
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding'
import type { Db } from '../db/database.js'
import { SUPER_ADMIN_ROLE, ALL_PERMISSIONS, isPermission, type Permission } from './permissions.js'

// Sessions as in the Lucia guide: a random token in the cookie, only its SHA-256 in the database,
// and a sliding expiry renewed once half the lifetime has passed.

export type SessionUser = {
  id: number
  email: string
  name: string
  roleId: number
  roleKey: string
  roleName: string
  permissions: ReadonlySet<Permission>
}

export type ValidatedSession = {
  sessionId: string
  expiresAt: Date
  /** True when the expiry moved and the cookie must be sent again. */
  renewed: boolean
  user: SessionUser
}

export function generateSessionToken(): string {
  const bytes = new Uint8Array(20)
  crypto.getRandomValues(bytes)
  return encodeBase32LowerCaseNoPadding(bytes)
}

export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)))
}

export async function createSession(
  db: Db,
  token: string,
  userId: number,
  lifetimeDays: number,
  client: { ip: string | null; userAgent: string | null },
): Promise<{ id: string; expiresAt: Date }> {
  const now = new Date()
  const session = {
    id: sessionIdFromToken(token),
    user_id: userId,
    expires_at: new Date(now.getTime() + lifetimeDays * DAY_MS).toISOString(),
    created_at: now.toISOString(),
    ip: client.ip,
    user_agent: client.userAgent?.slice(0, 300) ?? null,
  }
  await db.insertInto('sessions').values(session).execute()
  return { id: session.id, expiresAt: new Date(session.expires_at) }
}

export async function validateSessionToken(db: Db, token: string, lifetimeDays: number): Promise<ValidatedSession | null> {
  const sessionId = sessionIdFromToken(token)
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select([
      'sessions.expires_at',
      'users.id as user_id',
      'users.email',
      'users.name',
      'users.status',
      'roles.id as role_id',
      'roles.key as role_key',
      'roles.name as role_name',
    ])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst()
  if (!row) return null
  const now = Date.now()
  let expiresAt = new Date(row.expires_at)
  if (now >= expiresAt.getTime() || row.status !== 'active') {
    await invalidateSession(db, sessionId)
    return null
  }
  const lifetimeMs = lifetimeDays * DAY_MS
  const renewed = now >= expiresAt.getTime() - lifetimeMs / 2
  if (renewed) {
    expiresAt = new Date(now + lifetimeMs)
    await db.updateTable('sessions').set({ expires_at: expiresAt.toISOString() }).where('id', '=', sessionId).execute()
  }
  return {
    sessionId,
    expiresAt,
    renewed,
    user: {
      id: row.user_id,
      email: row.email,
      name: row.name,
      roleId: row.role_id,
      roleKey: row.role_key,
      roleName: row.role_name,
      permissions: await permissionsOfRole(db, row.role_id, row.role_key),
    },
  }
}

export async function permissionsOfRole(db: Db, roleId: number, roleKey: string): Promise<Set<Permission>> {
  if (roleKey === SUPER_ADMIN_ROLE) return new Set(ALL_PERMISSIONS)
  const rows = await db.selectFrom('role_permissions').select('permission').where('role_id', '=', roleId).execute()
  return new Set(rows.map((r) => r.permission).filter(isPermission))
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute()
}

export async function invalidateUserSessions(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', new Date().toISOString()).executeTakeFirst()
  return Number(result.numDeletedRows)
}
