import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import type { FieldOwnership } from '../http/app-env.js'
import { connectorStore } from '../integrations/connector-store.js'
import { currentSyncSource } from '../records/record-service.js'
import { fieldsSent, MODULES, type ModuleId, type StagedPayload } from '../connectors/kit/records.js'
import { allOverrides, type FieldOverride } from '../records/field-overrides.js'
import { CORE_MODULES, fieldOfColumn, ownedColumns } from '../records/core-modules.js'
import { getSettings } from '../settings/service.js'
import { CORE_ADAPTERS, References } from './core-adapters.js'
import { inScope } from './staging-queries.js'

// What happens to a field an admin keeps locally (src/records/field-overrides.ts) when its source
// sends a record again. IMPORT, its preview, the Updated pop-up and the Conflicts filter all ask
// `judgeOverrides`, so they agree on which fields are in conflict.

/**
 * `kept`: the source did not change it since the last import (or now agrees with ours): ours stays.
 * `conflict`: both changed it: the admin chooses; until then IMPORT leaves the record alone.
 * `ours` / `theirs`: the admin chose, for this very upstream value.
 */
export type OverrideState = 'kept' | 'conflict' | 'ours' | 'theirs'

/** One overridden field, with its three values as the core row holds them (a reference as its id). */
export type JudgedField = { override: FieldOverride; column: string; state: OverrideState; lastImported: unknown; ours: unknown; upstream: unknown }

/** A connector as ownership needs it: its id and what it sends. */
type Owner = Pick<AnyConnector, 'id' | 'sends'>

/** The columns the integration owns on the records it feeds (see ownedColumns), from what its connector sends given its saved values. */
export function ownedBy(connector: Pick<AnyConnector, 'sends'>, module: ModuleId, state: Readonly<Record<string, string>> = {}): string[] {
  return ownedColumns(CORE_MODULES[CORE_ADAPTERS[module].table], fieldsSent(connector.sends, module, state))
}

/** The columns the integration owns now (a spreadsheet's, from the mapping it saved). */
export async function ownedByNow(db: Db, connector: Owner, module: ModuleId): Promise<string[]> {
  return ownedBy(connector, module, typeof connector.sends === 'function' ? await connectorStore(db, connector.id).all() : {})
}

/**
 * Which columns of a core module's records their source manages, for the record pages (a core
 * module learns it through AppDeps, knowing nothing of the hub): none for a record of an
 * integration that is not the sync source any more.
 */
export function fieldOwnership(connectors: readonly AnyConnector[]): FieldOwnership {
  return {
    async managedBy(db, integration, table) {
      if (integration !== (await currentSyncSource(db))) return null
      const connector = connectors.find((c) => c.id === integration)
      if (!connector) return null
      return { name: connector.name, columns: await ownedByNow(db, connector, table) }
    },
  }
}

/** How each override of a record stands against what the source sends now (`upstream`: the mapped values of its payload). */
export function judgeOverrides(
  overrides: readonly FieldOverride[],
  owned: ReadonlySet<string>,
  upstream: Record<string, unknown>,
  core: Record<string, unknown>,
): JudgedField[] {
  const judged: JudgedField[] = []
  for (const override of overrides) {
    // A field the source does not send: nothing imports over it, so there is nothing to decide.
    if (!owned.has(override.field)) continue
    const theirs = upstream[override.field] ?? null
    const ours = core[override.field] ?? null
    const sent = JSON.stringify(theirs)
    const lastImported = override.upstream === null ? null : (JSON.parse(override.upstream) as unknown)
    let state: OverrideState
    if (sent === override.upstream || sent === JSON.stringify(ours)) state = 'kept'
    else if (override.resolution !== null && override.resolved_upstream === sent) state = override.resolution
    else state = 'conflict'
    judged.push({ override, column: override.field, state, lastImported, ours, upstream: theirs })
  }
  return judged
}

/** A conflict as the batch result and the staged row say it. */
export function conflictMessage(module: ModuleId, judged: JudgedField[]): string {
  const fields = judged.filter((j) => j.state === 'conflict').map((j) => fieldLabel(module, j.column))
  return `${fields.join(', ')} changed at the source and is kept here: choose which value stays in its Updated pop-up, then IMPORT again`
}

/** The label of a core column as the module's fields name it (Department for department_id). */
export function fieldLabel(module: ModuleId, column: string): string {
  const key = fieldOfColumn(CORE_MODULES[CORE_ADAPTERS[module].table], column)
  return MODULES[module].fields.find((f) => f.key === key)?.label.replace(/ \(.*\)$/, '') ?? column
}

/** A staged record of the module whose core record has overrides, judged. */
export type StagedOverrides = { stagedId: number; coreId: number; judged: JudgedField[] }

/**
 * The integration's staged records whose core record has overrides, each judged against its payload.
 * Overrides are few (each one an admin's deliberate choice), so this reads them all: the overrides of
 * the table, their records, and the staged rows feeding them by their unique key.
 */
export async function overriddenStaged(db: Db, connector: Owner, module: ModuleId): Promise<StagedOverrides[]> {
  const adapter = CORE_ADAPTERS[module]
  const overrides = await allOverrides(db, adapter.table)
  if (overrides.length === 0) return []
  const byCore = new Map<number, FieldOverride[]>()
  for (const o of overrides) byCore.set(o.core_id, [...(byCore.get(o.core_id) ?? []), o])
  const found: StagedOverrides[] = []
  const owned = new Set(await ownedByNow(db, connector, module))
  const ctx = { defaultCountry: (await getSettings(db, 'UTC')).defaultCountry, refs: await References.load(db) }
  const ids = [...byCore.keys()]
  for (let i = 0; i < ids.length; i += 500) {
    const cores = (await db
      .selectFrom(adapter.table)
      .selectAll()
      .where('id', 'in', ids.slice(i, i + 500))
      .where('source_integration', '=', connector.id)
      .execute()) as unknown as (Record<string, unknown> & { id: number; external_id: string })[]
    if (cores.length === 0) continue
    const staged = await db
      .selectFrom('staged_records')
      .select(['id', 'external_id', 'payload'])
      .where(inScope(connector.id, module))
      .where(
        'external_id',
        'in',
        cores.map((c) => c.external_id),
      )
      .execute()
    const coreByExternal = new Map(cores.map((c) => [c.external_id, c]))
    for (const s of staged) {
      const core = coreByExternal.get(s.external_id)
      if (!core) continue
      const mapped = adapter.values(JSON.parse(s.payload) as StagedPayload, ctx)
      if ('error' in mapped) continue
      found.push({ stagedId: s.id, coreId: core.id, judged: judgeOverrides(byCore.get(core.id)!, owned, mapped.values, core) })
    }
  }
  return found
}

/**
 * How many staged records of each of the connector's modules have a conflict, for the tabs: one
 * query finds the tables that have overrides at all (usually none), and only their modules are judged.
 */
export async function conflictCounts(db: Db, connector: Owner & { syncModules: readonly ModuleId[] }): Promise<Record<string, number>> {
  const tables = new Set((await db.selectFrom('field_overrides').select('core_table').distinct().execute()).map((r) => r.core_table))
  const counts: Record<string, number> = {}
  for (const module of connector.syncModules) counts[module] = tables.has(CORE_ADAPTERS[module].table) ? (await conflictedIds(db, connector, module)).length : 0
  return counts
}

/** The staged records with a field in conflict: the Conflicts filter and its count. */
export async function conflictedIds(db: Db, connector: Owner, module: ModuleId): Promise<number[]> {
  return (await overriddenStaged(db, connector, module)).filter((s) => s.judged.some((j) => j.state === 'conflict')).map((s) => s.stagedId)
}

/** A kept field of one staged record's core record, its values as text (a reference by its name). */
export type KeptField = {
  column: string
  key: string
  label: string
  state: OverrideState
  lastImported: string | null
  ours: string | null
  upstream: string | null
}

/** The kept fields of the record a staged record feeds, judged against its payload, for the Updated pop-up. */
export async function keptFieldsOf(db: Db, connector: Owner, module: ModuleId, stagedId: number): Promise<KeptField[]> {
  const found = (await overriddenStaged(db, connector, module)).find((s) => s.stagedId === stagedId)
  if (!found) return []
  const table = CORE_MODULES[CORE_ADAPTERS[module].table]
  const text = async (column: string, value: unknown): Promise<string | null> => {
    if (value === null || value === undefined) return null
    const ref = table.references[column]
    if (!ref) return String(value)
    const row = await db
      .selectFrom(ref.table)
      .select(ref.by as 'id')
      .where('id', '=', Number(value))
      .executeTakeFirst()
    return row ? String((row as Record<string, unknown>)[ref.by]) : `#${String(value)}`
  }
  const fields: KeptField[] = []
  for (const j of found.judged)
    fields.push({
      column: j.column,
      key: fieldOfColumn(table, j.column),
      label: fieldLabel(module, j.column),
      state: j.state,
      lastImported: await text(j.column, j.lastImported),
      ours: await text(j.column, j.ours),
      upstream: await text(j.column, j.upstream),
    })
  return fields
}

/**
 * The admin's choice per conflicting field of one staged record, for the upstream value it has now:
 * `ours` keeps the field kept, `theirs` lets the next IMPORT write the source's value and release it.
 * Every field in conflict must be chosen; nothing is saved otherwise.
 */
export async function chooseSides(
  db: Db,
  actor: Actor,
  connector: Owner & { name: string },
  module: ModuleId,
  stagedId: number,
  choices: Record<string, string | undefined>,
): Promise<{ saved: number } | { error: string }> {
  const found = (await overriddenStaged(db, connector, module)).find((s) => s.stagedId === stagedId)
  const open = found?.judged.filter((j) => j.state !== 'kept') ?? []
  if (open.length === 0)
    return { error: 'This record has no conflict to settle now: its source or its kept fields changed since the pop-up opened. Open it again.' }
  const missing = open.filter((j) => choices[j.column] !== 'ours' && choices[j.column] !== 'theirs')
  if (missing.length > 0) return { error: `Choose which value of ${missing.map((j) => fieldLabel(module, j.column)).join(', ')} stays; nothing was saved.` }
  await db.transaction().execute(async (trx) => {
    for (const j of open) {
      const side = choices[j.column] as 'ours' | 'theirs'
      await trx
        .updateTable('field_overrides')
        .set({ resolution: side, resolved_upstream: JSON.stringify(j.upstream) })
        .where('id', '=', j.override.id)
        .execute()
    }
    await recordAudit(trx, actor, {
      action: 'integration.conflict_choice',
      entityType: CORE_MODULES[CORE_ADAPTERS[module].table].noun.replace(' ', '_'),
      entityId: found!.coreId,
      summary: `Chose for ${open.length} conflicting field(s) of a record synced from ${connector.name}: ${open
        .map((j) => `${fieldLabel(module, j.column)}: ${choices[j.column] === 'ours' ? 'keep ours' : `take ${connector.name}'s`}`)
        .join('; ')}`,
      after: Object.fromEntries(open.map((j) => [j.column, { choice: choices[j.column], upstream: j.upstream, ours: j.ours }])),
    })
  })
  return { saved: open.length }
}
