import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { UserStatus } from '../db/schema.js'
import { recordAudit, changedFields, type Actor } from '../audit/audit-log.js'
import { hashPassword } from '../auth/passwords.js'
import { invalidateUserSessions } from '../auth/sessions.js'
import { SUPER_ADMIN_ROLE } from '../auth/permissions.js'
import { field, type FieldErrors } from '../lib/validation.js'
import { isUniqueViolation } from '../db/dialect.js'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.js'

export const passwordField = (label = 'Password') =>
  z
    .string({ error: `${label} is required` })
    .min(PASSWORD_MIN_LENGTH, `${label} must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `${label} must be at most ${PASSWORD_MAX_LENGTH} characters`)

export const newUserSchema = z.object({
  name: field.required('Name', 100),
  email: field.email(),
  password: passwordField(),
  roleId: z.coerce.number({ error: 'Choose a role' }).int().positive('Choose a role'),
})

export const editUserSchema = newUserSchema.omit({ password: true })

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors }

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst()
}

export async function getUser(db: Db, id: number) {
  return db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.status',
      'users.role_id',
      'users.created_at',
      'users.updated_at',
      'roles.key as role_key',
      'roles.name as role_name',
    ])
    .where('users.id', '=', id)
    .executeTakeFirst()
}

export async function listRoles(db: Db) {
  return db.selectFrom('roles').select(['id', 'key', 'name']).orderBy('position').execute()
}

export async function roleByKey(db: Db, key: string) {
  return db.selectFrom('roles').select(['id', 'key', 'name']).where('key', '=', key).executeTakeFirstOrThrow()
}

/** Only a Super Admin may hand out, take away, or touch the Super Admin role. */
async function mayAssignRole(db: Db, actorRoleKey: string | null, roleId: number): Promise<FieldErrors | null> {
  const role = await db.selectFrom('roles').select('key').where('id', '=', roleId).executeTakeFirst()
  if (!role) return { roleId: 'Choose a role from the list' }
  if (role.key === SUPER_ADMIN_ROLE && actorRoleKey !== null && actorRoleKey !== SUPER_ADMIN_ROLE) {
    return { roleId: 'Only a Super Admin can give the Super Admin role' }
  }
  return null
}

export async function createUser(db: Db, actor: Actor & { roleKey: string | null }, input: z.output<typeof newUserSchema>): Promise<Result<number>> {
  const roleError = await mayAssignRole(db, actor.roleKey, input.roleId)
  if (roleError) return { ok: false, errors: roleError }
  if (await findUserByEmail(db, input.email)) {
    return { ok: false, errors: { email: `A user with the email ${input.email} already exists` } }
  }
  const passwordHash = await hashPassword(input.password)
  const now = new Date().toISOString()
  try {
    const id = await db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('users')
        .values({
          email: input.email,
          name: input.name,
          password_hash: passwordHash,
          role_id: input.roleId,
          status: 'active',
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(trx, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: id,
        summary: `Created user ${input.email}`,
        after: { email: input.email, name: input.name, roleId: input.roleId },
      })
      return id
    })
    return { ok: true, value: id }
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, errors: { email: `A user with the email ${input.email} already exists` } }
    throw err
  }
}

export async function updateUser(db: Db, actor: Actor & { roleKey: string }, id: number, input: z.output<typeof editUserSchema>): Promise<Result<number>> {
  const current = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  if (!current) return { ok: false, errors: { _form: 'This user no longer exists' } }
  const currentRole = await db.selectFrom('roles').select('key').where('id', '=', current.role_id).executeTakeFirstOrThrow()
  if (currentRole.key === SUPER_ADMIN_ROLE && actor.roleKey !== SUPER_ADMIN_ROLE) {
    return { ok: false, errors: { _form: 'Only a Super Admin can change a Super Admin' } }
  }
  if (input.roleId !== current.role_id) {
    const roleError = await mayAssignRole(db, actor.roleKey, input.roleId)
    if (roleError) return { ok: false, errors: roleError }
    if (currentRole.key === SUPER_ADMIN_ROLE && (await activeSuperAdmins(db)) <= 1) {
      return { ok: false, errors: { roleId: 'This is the last active Super Admin; give the role to someone else first' } }
    }
  }
  const other = await findUserByEmail(db, input.email)
  if (other && other.id !== id) return { ok: false, errors: { email: `A user with the email ${input.email} already exists` } }
  const next = { email: input.email, name: input.name, role_id: input.roleId }
  const diff = changedFields(current, next)
  if (!diff.changed) return { ok: true, value: id }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ ...next, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    // A new role takes effect at once: the user signs in again under it.
    if (input.roleId !== current.role_id) await invalidateUserSessions(trx, id)
    await recordAudit(trx, actor, { action: 'user.update', entityType: 'user', entityId: id, summary: `Changed user ${input.email}`, ...diff })
  })
  return { ok: true, value: id }
}

export async function setUserStatus(db: Db, actor: Actor & { roleKey: string }, id: number, status: UserStatus): Promise<Result<number>> {
  const user = await getUser(db, id)
  if (!user) return { ok: false, errors: { _form: 'This user no longer exists' } }
  if (status === 'disabled') {
    if (id === actor.userId) return { ok: false, errors: { _form: 'You cannot disable your own account' } }
    if (user.role_key === SUPER_ADMIN_ROLE && actor.roleKey !== SUPER_ADMIN_ROLE) {
      return { ok: false, errors: { _form: 'Only a Super Admin can disable a Super Admin' } }
    }
  }
  if (user.status === status) return { ok: true, value: id }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ status, updated_at: new Date().toISOString() }).where('id', '=', id).execute()
    if (status === 'disabled') await invalidateUserSessions(trx, id)
    await recordAudit(trx, actor, {
      action: status === 'disabled' ? 'user.disable' : 'user.enable',
      entityType: 'user',
      entityId: id,
      summary: `${status === 'disabled' ? 'Disabled' : 'Enabled'} user ${user.email}`,
      before: { status: user.status },
      after: { status },
    })
  })
  return { ok: true, value: id }
}

/** Sets a new password and signs the user out everywhere; the caller signs the current browser in again. */
export async function changePassword(db: Db, actor: Actor, userId: number, password: string): Promise<void> {
  const hash = await hashPassword(password)
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, updated_at: new Date().toISOString() }).where('id', '=', userId).execute()
    await invalidateUserSessions(trx, userId)
    await recordAudit(trx, actor, { action: 'user.password_change', entityType: 'user', entityId: userId, summary: 'Changed password' })
  })
}

async function activeSuperAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('roles.key', '=', SUPER_ADMIN_ROLE)
    .where('users.status', '=', 'active')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The users list (of one status, if given), with each user's role. */
export function usersQuery(db: Db, status?: string) {
  const query = db
    .selectFrom('users')
    .innerJoin('roles', 'roles.id', 'users.role_id')
    .select(['users.id', 'users.name', 'users.email', 'users.status', 'roles.name as role_name'])
  return status === 'active' || status === 'disabled' ? query.where('users.status', '=', status) : query
}
