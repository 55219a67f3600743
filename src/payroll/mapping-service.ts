import { sql } from 'kysely'
import { containsPattern } from '../lists/list-query.js'
import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import { isUniqueViolation } from '../db/dialect.js'
import { FILE_LABELS, fileTarget, type FileFormat } from './payroll-files.js'
import { likeIgnoringCase } from '../db/dialect.js'

// Payroll item mapping: which payroll item of a target each pay ID becomes. A target is an
// integration that publishes payroll, or a payroll file format. Employees are in a group per
// target; those not assigned use its default group.

/** Every payroll file format is a target of its own. */
const FILE_TARGETS = (Object.keys(FILE_LABELS) as FileFormat[]).map((f) => ({ key: fileTarget(f), label: `${FILE_LABELS[f]} file` }))

export type PayrollTarget = { key: string; label: string }

/** Publishing integrations that are activated, then every payroll file format. */
export async function payrollTargets(db: Db, connectors: readonly AnyConnector[]): Promise<PayrollTarget[]> {
  const active = new Set((await db.selectFrom('integrations').select('id').where('activated', '=', 1).execute()).map((r) => r.id))
  return [...connectors.filter((c) => c.publishesPayroll && active.has(c.id)).map((c) => ({ key: c.id, label: c.name })), ...FILE_TARGETS]
}

/** The target's groups, default first, creating its default group the first time it is needed. */
const listOf = (db: Db, target: string) =>
  db.selectFrom('payroll_item_groups').selectAll().where('target', '=', target).orderBy('is_default', 'desc').orderBy('name').execute()

/**
 * A target's groups for reading (pages, checks, files): its default group comes first even before
 * it is stored (id 0, nothing mapped): a GET never writes. groupsOf stores it.
 */
export async function listGroups(db: Db, target: string) {
  const existing = await listOf(db, target)
  if (existing.some((g) => g.is_default === 1)) return existing
  return [
    {
      id: 0,
      target,
      name: existing.some((g) => g.name.toLowerCase() === 'default') ? 'Default group' : 'Default',
      is_default: 1,
      created_at: '',
      updated_at: '',
    },
    ...existing,
  ]
}

/** A target's groups, its default group stored first if it was not yet (for writes). */
export async function groupsOf(db: Db, target: string) {
  const list = () => listOf(db, target)
  const existing = await list()
  if (existing.some((g) => g.is_default === 1)) return existing
  const now = new Date().toISOString()
  const name = existing.some((g) => g.name.toLowerCase() === 'default') ? 'Default group' : 'Default'
  await db
    .insertInto('payroll_item_groups')
    .values({ target, name, is_default: 1, created_at: now, updated_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute()
  return list()
}

export async function createGroup(db: Db, actor: Actor, target: string, name: string): Promise<{ ok: true; id: number } | { ok: false; error: string }> {
  const label = name.trim()
  if (!label) return { ok: false, error: 'Name the group, such as "Union carpenters"' }
  await groupsOf(db, target)
  if (label.length > 100) return { ok: false, error: 'At most 100 characters' }
  const now = new Date().toISOString()
  try {
    const { id } = await db
      .insertInto('payroll_item_groups')
      .values({ target, name: label, is_default: 0, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(db, actor, {
      action: 'payroll.mapping_group',
      entityType: 'payroll_item_group',
      entityId: id,
      summary: `Added the payroll item group ${label} for ${target}`,
    })
    return { ok: true, id }
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, error: `A group named ${label} already exists for this target` }
    throw err
  }
}

export async function mappingOf(db: Db, groupId: number): Promise<Map<string, number>> {
  const rows = await db.selectFrom('payroll_item_mappings').select(['pay_id', 'payroll_item_id']).where('group_id', '=', groupId).execute()
  return new Map(rows.map((r) => [r.pay_id, r.payroll_item_id]))
}

/** Replaces a group's mapping; a pay ID given no payroll item is unmapped. */
export async function saveMapping(
  db: Db,
  actor: Actor,
  groupId: number,
  mapping: Record<string, number | null>,
): Promise<{ ok: true } | { ok: false; error: string }> {
  return db.transaction().execute(async (trx) => {
    const group = await trx.selectFrom('payroll_item_groups').selectAll().where('id', '=', groupId).executeTakeFirst()
    if (!group) return { ok: false, error: 'This group does not exist' }
    const payIds = new Set((await trx.selectFrom('pay_ids').select('code').execute()).map((p) => p.code))
    const items = new Set((await trx.selectFrom('payroll_items').select('id').execute()).map((p) => p.id))
    for (const [payId, item] of Object.entries(mapping)) {
      if (!payIds.has(payId)) return { ok: false, error: `Pay ID ${payId} does not exist` }
      if (item !== null && !items.has(item)) return { ok: false, error: `Payroll item #${item} does not exist` }
    }
    const before = Object.fromEntries(await mappingOf(trx, groupId))
    await trx.deleteFrom('payroll_item_mappings').where('group_id', '=', groupId).execute()
    const rows = Object.entries(mapping).flatMap(([pay_id, payroll_item_id]) =>
      payroll_item_id === null ? [] : [{ group_id: groupId, pay_id, payroll_item_id }],
    )
    if (rows.length > 0) await trx.insertInto('payroll_item_mappings').values(rows).execute()
    await trx.updateTable('payroll_item_groups').set({ updated_at: new Date().toISOString() }).where('id', '=', groupId).execute()
    await recordAudit(trx, actor, {
      action: 'payroll.mapping',
      entityType: 'payroll_item_group',
      entityId: groupId,
      summary: `Changed the payroll item mapping of ${group.name} (${group.target})`,
      before,
      after: Object.fromEntries(rows.map((r) => [r.pay_id, r.payroll_item_id])),
    })
    return { ok: true }
  })
}

/** Puts employees in a group of the group's target (the default group takes them back). */
export async function setEmployeeGroup(
  db: Db,
  actor: Actor,
  groupId: number,
  employeeIds: number[],
): Promise<{ ok: true; changed: number } | { ok: false; error: string }> {
  if (employeeIds.length === 0) return { ok: false, error: 'Select at least one employee' }
  return db.transaction().execute(async (trx) => {
    const group = await trx.selectFrom('payroll_item_groups').selectAll().where('id', '=', groupId).executeTakeFirst()
    if (!group) return { ok: false, error: 'This group does not exist' }
    const known = await trx.selectFrom('employees').select('id').where('id', 'in', employeeIds).execute()
    if (known.length !== new Set(employeeIds).size) return { ok: false, error: 'Some selected employees no longer exist; reload the page' }
    for (const { id } of known) {
      await trx
        .insertInto('employee_payroll_groups')
        .values({ employee_id: id, target: group.target, group_id: groupId })
        .onConflict((oc) => oc.columns(['employee_id', 'target']).doUpdateSet({ group_id: groupId }))
        .execute()
    }
    await recordAudit(trx, actor, {
      action: 'payroll.set_item_group',
      entityType: 'payroll_item_group',
      entityId: groupId,
      summary: `Put ${known.length} employee(s) in the payroll item group ${group.name} (${group.target})`,
    })
    return { ok: true, changed: known.length }
  })
}

export type ResolvedMapping = {
  /** The payroll item name an employee's pay ID becomes at the target, or undefined when unmapped. */
  itemFor: (employeeId: number, payId: string) => { id: number; name: string } | undefined
  groupOf: (employeeId: number) => string
}

/** Everything a publish or a file needs to turn pay IDs into the target's payroll items. */
export async function resolveMapping(db: Db, target: string): Promise<ResolvedMapping> {
  const groups = await listGroups(db, target)
  const defaultGroup = groups.find((g) => g.is_default === 1)!
  const rows = await db
    .selectFrom('payroll_item_mappings as m')
    .innerJoin('payroll_item_groups as g', 'g.id', 'm.group_id')
    .innerJoin('payroll_items as p', 'p.id', 'm.payroll_item_id')
    .select(['m.group_id', 'm.pay_id', 'p.id', 'p.name'])
    .where('g.target', '=', target)
    .execute()
  const byGroup = new Map<number, Map<string, { id: number; name: string }>>()
  for (const r of rows) byGroup.set(r.group_id, (byGroup.get(r.group_id) ?? new Map()).set(r.pay_id, { id: r.id, name: r.name }))
  const assigned = new Map(
    (await db.selectFrom('employee_payroll_groups').select(['employee_id', 'group_id']).where('target', '=', target).execute()).map((r) => [
      r.employee_id,
      r.group_id,
    ]),
  )
  const names = new Map(groups.map((g) => [g.id, g.name]))
  const groupId = (employeeId: number) => assigned.get(employeeId) ?? defaultGroup.id
  return { itemFor: (employeeId, payId) => byGroup.get(groupId(employeeId))?.get(payId), groupOf: (employeeId) => names.get(groupId(employeeId))! }
}

/** Employees shown per page of the mapping page. */
export const GROUP_PAGE_SIZE = 50

/**
 * One page of the active employees, found by name or number, each with its group at the target
 * (the default group's name where none is set), and how many match: the page never lists the company.
 */
export async function employeeGroupsPage(db: Db, target: string, opts: { q: string; page: number }) {
  const defaultName = (await listGroups(db, target)).find((g) => g.is_default === 1)!.name
  let base = db
    .selectFrom('employees as e')
    .leftJoin('employee_payroll_groups as epg', (join) => join.onRef('epg.employee_id', '=', 'e.id').on('epg.target', '=', target))
    .leftJoin('payroll_item_groups as g', 'g.id', 'epg.group_id')
    .where('e.status', '=', 'active')
  const q = opts.q.trim()
  if (q) {
    const pattern = containsPattern(q)
    base = base.where((eb) =>
      eb.or([
        likeIgnoringCase(db, sql`e.last_name`, pattern),
        likeIgnoringCase(db, sql`e.first_name`, pattern),
        likeIgnoringCase(db, sql`e.employee_number`, pattern),
      ]),
    )
  }
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const pages = Math.max(1, Math.ceil(Number(n) / GROUP_PAGE_SIZE))
  const page = Math.min(Math.max(1, opts.page), pages)
  const rows = await base
    .select(['e.id', 'e.first_name', 'e.last_name', 'e.employee_number', 'g.name as group_name'])
    .orderBy('e.last_name')
    .orderBy('e.first_name')
    .limit(GROUP_PAGE_SIZE)
    .offset((page - 1) * GROUP_PAGE_SIZE)
    .execute()
  const employees = rows.map((e) => ({
    id: e.id,
    name: `${e.last_name}, ${e.first_name}${e.employee_number ? ` (${e.employee_number})` : ''}`,
    group: e.group_name ?? defaultName,
  }))
  return { employees, total: Number(n), page, pages }
}

/** What a mapping is made of: the pay IDs, and the payroll items they map to. */
export async function mappingChoices(db: Db) {
  return {
    payIds: await db.selectFrom('pay_ids').select(['code', 'name']).orderBy('position').execute(),
    items: await db.selectFrom('payroll_items').select(['id', 'name']).orderBy('name').execute(),
  }
}
