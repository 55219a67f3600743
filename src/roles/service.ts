import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { isPermission, SUPER_ADMIN_ROLE, type Permission } from '../auth/permissions.js'

export type RoleMatrix = { id: number; key: string; name: string; permissions: Set<Permission>; locked: boolean }[]

export async function loadMatrix(db: Db): Promise<RoleMatrix> {
  const roles = await db.selectFrom('roles').select(['id', 'key', 'name']).orderBy('position').execute()
  const grants = await db.selectFrom('role_permissions').select(['role_id', 'permission']).execute()
  return roles.map((r) => ({
    ...r,
    locked: r.key === SUPER_ADMIN_ROLE,
    permissions: new Set(
      grants
        .filter((g) => g.role_id === r.id)
        .map((g) => g.permission)
        .filter(isPermission),
    ),
  }))
}

/** Parses `roleId:permission` checkbox values; anything unknown is an error, not silently dropped. */
export function parseGrants(values: string[], matrix: RoleMatrix): { grants: Map<number, Set<Permission>> } | { error: string } {
  const grants = new Map(matrix.filter((r) => !r.locked).map((r) => [r.id, new Set<Permission>()]))
  for (const value of values) {
    const [roleId, permission] = value.split(':', 2)
    const set = grants.get(Number(roleId))
    if (!set || !permission || !isPermission(permission)) return { error: `Unknown role or permission "${value}". Reload the page and try again.` }
    set.add(permission)
  }
  return { grants }
}

/** Saves the matrix in one transaction; permissions are read on every request, so a change applies at once. */
export async function saveMatrix(db: Db, actor: Actor, matrix: RoleMatrix, grants: Map<number, Set<Permission>>): Promise<number> {
  let changedRoles = 0
  await db.transaction().execute(async (trx) => {
    for (const role of matrix) {
      const next = grants.get(role.id)
      if (!next || role.locked) continue
      const added = [...next].filter((p) => !role.permissions.has(p))
      const removed = [...role.permissions].filter((p) => !next.has(p))
      if (added.length === 0 && removed.length === 0) continue
      changedRoles++
      if (removed.length > 0) await trx.deleteFrom('role_permissions').where('role_id', '=', role.id).where('permission', 'in', removed).execute()
      if (added.length > 0)
        await trx
          .insertInto('role_permissions')
          .values(added.map((permission) => ({ role_id: role.id, permission })))
          .execute()
      await recordAudit(trx, actor, {
        action: 'role.permissions_update',
        entityType: 'role',
        entityId: role.id,
        summary: `Changed permissions of ${role.name}: ${added.length} granted, ${removed.length} revoked`,
        before: { revoked: removed },
        after: { granted: added },
      })
    }
  })
  return changedRoles
}
