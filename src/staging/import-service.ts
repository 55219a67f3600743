import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { ImportAction } from '../db/schema.js'
import { recordAudit, systemActor, type Actor } from '../audit/audit-log.js'
import { MODULES, type ModuleId, type StagedPayload } from '../connectors/kit/records.js'
import { getSettings } from '../settings/service.js'
import type SQLite from 'better-sqlite3'
import { CORE_ADAPTERS, References, type CoreAdapter, type CoreMatch, type MissingReference, type NaturalKey } from './core-adapters.js'
import type { StagedForImport } from './staging-store.js'
import { importStoreOf, type BatchItem, type ChunkWriter, type ImportStore } from './import-store.js'
import { stagedStatus } from './staged-status.js'
import { withCheckpointAfter } from '../db/wal-checkpointer.js'
import { runHeavy } from './off-thread.js'
import type { ImportArgs } from './import-args.js'
import { instanceGone } from '../runtime/instance-id.js'
import type { RunRegistry } from './run-registry.js'
import { CORE_MODULES } from '../records/core-modules.js'
import { overridesOf, type FieldOverride } from '../records/field-overrides.js'
import { conflictMessage, judgeOverrides, type JudgedField } from './field-conflicts.js'

export type ImportPlanItem = {
  stagedId: number
  externalId: string
  label: string
  /** `held`: a field it changes is kept here and changed at the source too; the admin chooses first (field-conflicts.ts). */
  action: 'create' | 'update' | 'link' | 'fail' | 'held'
  /** The record that will be updated or linked, or that blocks the import. */
  core?: { id: number; label: string }
  message?: string
  /** Imported all the same, but worth a look: a value it shares with other records (see CoreModule.linkKeys). */
  warning?: string
  /** It fails because it names a record not imported (or entered) yet. */
  missing?: MissingReference
}

export type ImportPlan = { items: ImportPlanItem[]; skipped: number }

type Staged = StagedForImport

/**
 * Core rows that hold any natural-key value of the batch: one map per natural key, from the
 * lower-cased value (within its scope for scoped keys) to its holder. The batch's writes claim values too.
 */
class KeyIndex {
  readonly #holders: Map<string, CoreMatch>[]

  private constructor(keys: number) {
    this.#holders = Array.from({ length: keys }, () => new Map())
  }

  static #slot = (key: NaturalKey, scope: number, lowered: string) => (key.scoped ? `${scope}\u0000${lowered}` : lowered)

  static async load(store: ImportStore, adapter: CoreAdapter, items: Prepared[]): Promise<KeyIndex> {
    const index = new KeyIndex(adapter.keys.length)
    for (const [k, key] of adapter.keys.entries()) {
      const values = [...new Set(items.map((i) => i.keyValues[k]).filter((v): v is string => !!v))]
      for (const row of await store.coreRowsByKey(adapter.table, key.column, values)) {
        const scope = key.scoped ? Number(row.job_site_id ?? 0) : 0
        index.#holders[k]!.set(KeyIndex.#slot(key, scope, store.fold(String(row[key.column]))), {
          id: row.id,
          label: adapter.label(row),
          source_integration: row.source_integration,
          external_id: row.external_id,
        })
      }
    }
    return index
  }

  /** The holder of the item's value of the k-th natural key, if any. */
  find(adapter: CoreAdapter, k: number, item: Prepared): CoreMatch | undefined {
    const lowered = item.keyValues[k]
    return lowered ? this.#holders[k]!.get(KeyIndex.#slot(adapter.keys[k]!, item.scope, lowered)) : undefined
  }

  claim(adapter: CoreAdapter, item: Claimant, match: CoreMatch): void {
    adapter.keys.forEach((key, k) => {
      const lowered = item.keyValues[k]
      if (lowered) this.#holders[k]!.set(KeyIndex.#slot(key, item.scope, lowered), match)
    })
  }
}

/**
 * The core rows holding each link-key value of the batch: several may (an e-mail address an office
 * shares). The batch's writes hold values too: a record created with it, or linked by it.
 */
class LinkIndex {
  readonly #holders: Map<string, CoreMatch[]>[]

  private constructor(keys: number) {
    this.#holders = Array.from({ length: keys }, () => new Map())
  }

  static async load(store: ImportStore, adapter: CoreAdapter, items: Prepared[]): Promise<LinkIndex> {
    const index = new LinkIndex(adapter.linkKeys.length)
    for (const [k, key] of adapter.linkKeys.entries()) {
      const values = [...new Set(items.map((i) => i.linkValues[k]).filter((v): v is string => !!v))]
      for (const row of await store.coreRowsByKey(adapter.table, key.column, values)) {
        const value = store.fold(String(row[key.column]))
        const match = { id: row.id, label: adapter.label(row), source_integration: row.source_integration, external_id: row.external_id }
        index.#holders[k]!.set(value, [...(index.#holders[k]!.get(value) ?? []), match])
      }
    }
    return index
  }

  holders(k: number, item: Prepared): CoreMatch[] {
    const value = item.linkValues[k]
    return value ? (this.#holders[k]!.get(value) ?? []) : []
  }

  /** The item's values are now held by `match` (in place of what that row was before). */
  claim(item: Claimant, match: CoreMatch): void {
    this.#holders.forEach((holders, k) => {
      const value = item.linkValues[k]
      if (value) holders.set(value, [...(holders.get(value) ?? []).filter((h) => h.id !== match.id), match])
    })
  }
}

/** A staged row ready to plan: its payload, its natural-key and link-key values lower-cased, and their scope. */
type Prepared = { row: Staged; payload: StagedPayload; keyValues: (string | null)[]; linkValues: (string | null)[]; scope: number }

/** What a record that is written leaves behind for the batch's later records: the values it holds. */
type Claimant = Pick<Prepared, 'keyValues' | 'linkValues' | 'scope'> & { row: Pick<Staged, 'label' | 'external_id'> }

/** What the planner looks a chunk's records up in; `overrides`: the fields kept locally on the records it feeds, with those records. */
type Lookups = { existing: Set<number>; index: KeyIndex; links: LinkIndex; overrides: Map<number, { kept: FieldOverride[]; core: Record<string, unknown> }> }

const keyValueOf = (store: ImportStore, key: NaturalKey, payload: StagedPayload): string | null => {
  const value = key.value(payload)
  return value ? store.fold(value) : null
}

/** Everything the planner needs for a chunk of records, read in a few statements instead of a few per record. */
async function prepareBatch(db: Db, store: ImportStore, adapter: CoreAdapter, rows: Staged[], refs: References) {
  const items: Prepared[] = rows.map((row) => {
    const payload = JSON.parse(row.payload) as StagedPayload
    return {
      row,
      payload,
      keyValues: adapter.keys.map((key) => keyValueOf(store, key, payload)),
      linkValues: adapter.linkKeys.map((key) => keyValueOf(store, key, payload)),
      scope: adapter.scope ? adapter.scope(payload, refs) : 0,
    }
  })
  const coreIds = [...new Set(rows.map((r) => r.core_id).filter((id): id is number => id !== null))]
  const lookups: Lookups = {
    existing: await store.existingCoreIds(adapter.table, coreIds),
    index: await KeyIndex.load(store, adapter, items),
    links: await LinkIndex.load(store, adapter, items),
    overrides: await overriddenRecords(db, adapter, coreIds),
  }
  return { items, lookups }
}

/** The records among these that have fields kept locally, each with its overrides and its current row (usually none). */
async function overriddenRecords(db: Db, adapter: CoreAdapter, coreIds: number[]): Promise<Lookups['overrides']> {
  const overrides = await overridesOf(db, adapter.table, coreIds)
  const found: Lookups['overrides'] = new Map()
  if (overrides.size === 0) return found
  const rows = await db
    .selectFrom(adapter.table)
    .selectAll()
    .where('id', 'in', [...overrides.keys()])
    .execute()
  for (const row of rows as unknown as (Record<string, unknown> & { id: number })[]) found.set(row.id, { kept: overrides.get(row.id)!, core: row })
  return found
}

/** The staged rows of the selection IMPORT may write (New or Updated), and how many it skips. */
async function importableOf(store: ImportStore, scope: number | undefined, ids: number[]): Promise<Staged[]> {
  if (scope === undefined) return []
  return (await store.loadStaged(scope, ids)).filter((r) => r.status === 'new' || r.status === 'updated')
}

/**
 * What IMPORT would do with one record: update what it fed before, link a hand-entered twin found by
 * a natural key (or by a link key, when that finds exactly one), or create.
 */
function planItem(integration: string, adapter: CoreAdapter, item: Prepared, { existing, index, links }: Lookups): ImportPlanItem {
  const r = item.row
  const base = { stagedId: r.id, externalId: r.external_id, label: r.label }
  if (r.core_id !== null && existing.has(r.core_id)) return { ...base, action: 'update', core: { id: r.core_id, label: r.label } }
  for (let k = 0; k < adapter.keys.length; k++) {
    const match = index.find(adapter, k, item)
    if (!match) continue
    const core = { id: match.id, label: match.label }
    if (match.source_integration === null) return { ...base, action: 'link', core }
    if (match.source_integration === integration && match.external_id === r.external_id) return { ...base, action: 'update', core }
    return {
      ...base,
      action: 'fail',
      core,
      message: `${adapter.noun} ${match.label} already exists, synced from ${match.source_integration} as ${match.external_id}; it is not linked twice`,
    }
  }
  return { ...base, ...planByLinkKeys(integration, adapter, item, links) }
}

/** A record no natural key matched: linked to the one hand-entered record a link key finds, else created; a shared value is flagged. */
function planByLinkKeys(integration: string, adapter: CoreAdapter, item: Prepared, links: LinkIndex): Pick<ImportPlanItem, 'action' | 'core' | 'warning'> {
  for (let k = 0; k < adapter.linkKeys.length; k++) {
    const holders = links.holders(k, item)
    if (holders.length === 0) continue
    const self = holders.find((h) => h.source_integration === integration && h.external_id === item.row.external_id)
    if (self) return { action: 'update', core: { id: self.id, label: self.label } }
    const key = adapter.linkKeys[k]!
    const value = key.value(item.payload)
    const handEntered = holders.filter((h) => h.source_integration === null)
    const others = holders.filter((h) => handEntered.length !== 1 || h !== handEntered[0])
    const named = `${others
      .slice(0, 3)
      .map((h) => h.label)
      .join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}`
    if (handEntered.length === 1) {
      const core = { id: handEntered[0]!.id, label: handEntered[0]!.label }
      return { action: 'link', core, warning: others.length > 0 ? `linked by its ${key.label} ${value}, which ${named} also use` : undefined }
    }
    if (handEntered.length > 1)
      return {
        action: 'create',
        warning: `its ${key.label} ${value} is that of ${handEntered.length} records entered by hand (${named}), so none was linked: link it by hand if it is one of them`,
      }
    return { action: 'create', warning: `its ${key.label} ${value} is also used by ${named}` }
  }
  return { action: 'create' }
}

/** A natural-key value the record would take from another core record, as a message, or null. */
function collision(adapter: CoreAdapter, item: Prepared, targetId: number | null, index: KeyIndex): string | null {
  for (let k = 0; k < adapter.keys.length; k++) {
    const holder = index.find(adapter, k, item)
    if (holder && holder.id !== targetId) {
      const key = adapter.keys[k]!
      return `its ${key.label} ${key.value(item.payload)} is already used by another ${adapter.noun} (${holder.label}); change it at the source or in ${adapter.moduleTitle}, then IMPORT again`
    }
  }
  return null
}

/**
 * The IMPORT preview: the same decisions as IMPORT (decide), chunk by chunk with each record's keys
 * claimed as IMPORT claims them, nothing written; a record to be created is given a stand-in id.
 * So the preview's counts are IMPORT's, record by record, unless the data changes in between.
 */
export async function planImport(
  deps: { db: Db; sqlite: SQLite.Database | null },
  integration: string,
  module: ModuleId,
  ids: number[],
  options: { createNew?: Set<number>; owned?: readonly string[] } = {},
): Promise<ImportPlan> {
  const { db } = deps
  const store = importStoreOf(db, deps.sqlite)
  const adapter = CORE_ADAPTERS[module]
  const scope = await store.scopeOf(integration, module)
  // The default country fills in a job site's country; it changes no decision.
  const ctx = { defaultCountry: (await getSettings(db, 'UTC')).defaultCountry, refs: await References.load(db) }
  const plan: ImportPlan = { items: [], skipped: 0 }
  // What earlier chunks would have written, which IMPORT's later chunks read from the database: claimed again in each chunk's lookups.
  const claimed: { item: Claimant; id: number }[] = []
  let standIn = 0
  const rules = rulesOf({ integration, module, ...options })
  for (let i = 0; i < ids.length; i += IMPORT_CHUNK) {
    const chunk = ids.slice(i, i + IMPORT_CHUNK)
    const importable = await importableOf(store, scope, chunk)
    plan.skipped += chunk.length - importable.length
    const { items, lookups } = await prepareBatch(db, store, adapter, importable, ctx.refs)
    for (const earlier of claimed) claim(adapter, integration, earlier.item, lookups, earlier.id)
    for (const item of items) {
      const { plan: decided, values } = decide(adapter, rules, ctx, item, lookups)
      plan.items.push(decided)
      if (!values) continue
      const id = decided.core?.id ?? --standIn
      claim(adapter, integration, item, lookups, id)
      claimed.push({
        item: { keyValues: item.keyValues, linkValues: item.linkValues, scope: item.scope, row: { label: item.row.label, external_id: item.row.external_id } },
        id,
      })
    }
    // SQLite's reads are synchronous: other requests are answered between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return plan
}

/** Records the preview could not import for a missing reference, and the staged records of that module that would supply it. */
export type ReferenceFix = { module: ModuleId; names: string[]; records: number; stagedIds: number[] }

/**
 * For each module the plan's failures name records of: the staged records of this integration
 * (New or Updated) that hold those names, so one IMPORT of them lets these records import.
 */
export async function referenceFixes(deps: { db: Db; sqlite: SQLite.Database | null }, integration: string, plan: ImportPlan): Promise<ReferenceFix[]> {
  const byModule = new Map<ModuleId, { names: Set<string>; records: number }>()
  for (const item of plan.items) {
    if (!item.missing) continue
    const entry = byModule.get(item.missing.module) ?? { names: new Set<string>(), records: 0 }
    entry.names.add(item.missing.value)
    entry.records++
    byModule.set(item.missing.module, entry)
  }
  const store = importStoreOf(deps.db, deps.sqlite)
  const fixes: ReferenceFix[] = []
  for (const [module, { names, records }] of byModule) {
    const scope = await store.scopeOf(integration, module)
    const adapter = CORE_ADAPTERS[module]
    const wanted = new Set([...names].map((n) => store.fold(n)))
    // The natural key a reference names a record by (src/records/core-modules.ts): the staged payload has it under the same field.
    const key = adapter.keys[0]!
    const staged =
      scope === undefined
        ? []
        : await deps.db.selectFrom('staged_records').select(['id', 'payload']).where('scope_id', '=', scope).where('status', 'in', ['new', 'updated']).execute()
    const stagedIds = staged
      .filter((r) => {
        const value = key.value(JSON.parse(r.payload) as StagedPayload)
        return value !== null && wanted.has(store.fold(value))
      })
      .map((r) => r.id)
    fixes.push({ module, names: [...names].sort(), records, stagedIds })
  }
  return fixes
}

export type ImportResult = {
  batchId: number | null
  created: number
  updated: number
  linked: number
  failed: { externalId: string; label: string; message: string }[]
  /** Not imported: a field it changes is kept here and was changed at the source too (field-conflicts.ts). */
  held: { externalId: string; label: string; message: string }[]
  /** Imported, with something worth a look (a shared e-mail address). */
  warnings: { externalId: string; label: string; message: string }[]
  skipped: number
}

/** Records are planned and written this many at a time, so memory stays flat however many are selected. */
const IMPORT_CHUNK = 2000

/** What one batch has written so far: its result, and the created records kept compactly (see the migration). */
type BatchLog = { batchId: number; now: string; createdRecords: [number, number][]; result: ImportResult; overrides: JudgedField[] }

/**
 * Imports the selected records in one transaction: each is created, updated, or linked to its
 * hand-entered twin (unless the admin chose "create new" for it). A record that cannot be written
 * (a natural key another record holds, a missing reference) fails alone with its reason; the rest
 * of the batch imports. Lookups are done per chunk of records, a few queries each.
 */
export async function runImport(
  deps: { db: Db; sqlite: SQLite.Database | null; runs: Pick<RunRegistry, 'instance'> },
  actor: Actor,
  args: ImportArgs,
): Promise<ImportResult> {
  // Recorded before it starts: if the server stops half-way, the next start says it was interrupted.
  const attempt = await deps.db
    .insertInto('import_attempts')
    .values({
      integration: args.integration,
      module: args.module,
      trigger: args.trigger,
      user_id: actor.userId,
      records: args.ids.length,
      status: 'running',
      started_at: new Date().toISOString(),
      held_by: deps.runs.instance,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const finish = (set: { status: 'done' | 'failed'; batch_id?: number | null; error?: string }) =>
    deps.db
      .updateTable('import_attempts')
      .set({ ...set, finished_at: new Date().toISOString() })
      .where('id', '=', attempt.id)
      .execute()
  try {
    const result = await runHeavy(deps, { kind: 'import', actor, args }, () => importHere(deps, actor, args))
    await finish({ status: 'done', batch_id: result.batchId })
    return result
  } catch (err) {
    await finish({ status: 'failed', error: (err as Error).message.slice(0, 2000) })
    throw err
  }
}

/** An IMPORT held by an instance on another machine, which cannot be asked, is taken for lost after this long. */
export const IMPORT_LEASE_MS = 6 * 60 * 60_000

/**
 * IMPORTs whose instance stopped while they ran are marked interrupted (their one transaction was
 * never committed, so nothing of them stayed) and audited, by whichever instance looks: at its
 * start (when nothing of its own can be running yet, whatever name it held before) and every
 * minute. Those of a live instance are left alone: a process of this machine that still runs,
 * or one elsewhere until IMPORT_LEASE_MS. Returns how many.
 */
export async function markInterruptedImports(deps: { db: Db; runs: Pick<RunRegistry, 'instance'> }, atStartup: boolean, now = new Date()): Promise<number> {
  const running = await deps.db.selectFrom('import_attempts').selectAll().where('status', '=', 'running').execute()
  const leaseEnd = new Date(now.getTime() - IMPORT_LEASE_MS).toISOString()
  const lost = running.filter((a) =>
    a.held_by === null ? true : a.held_by === deps.runs.instance ? atStartup : instanceGone(a.held_by) || a.started_at < leaseEnd,
  )
  let marked = 0
  for (const a of lost) {
    await deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('import_attempts')
        .set({
          status: 'interrupted',
          finished_at: now.toISOString(),
          error: 'The server stopped during this IMPORT; nothing of it was imported. IMPORT again.',
        })
        .where('id', '=', a.id)
        .where('status', '=', 'running')
        .executeTakeFirst()
      // Another instance marked it first.
      if (Number(updated.numUpdatedRows) === 0) return
      marked++
      await recordAudit(trx, systemActor('startup'), {
        action: 'integration.import_interrupted',
        entityType: 'import_attempt',
        entityId: a.id,
        summary: `An IMPORT of ${a.records} ${MODULES[a.module as ModuleId]?.label.toLowerCase() ?? a.module} from ${a.integration}, started ${a.started_at.slice(0, 16).replace('T', ' ')} UTC, was interrupted by a server stop; nothing of it was imported`,
      })
    })
  }
  return marked
}

/**
 * IMPORT on this thread's connection, as one unit of work: one transaction, opened by Kysely on
 * `db`; the store of that transaction (import-store.ts) writes the staged rows, core rows and batch
 * lines inside it, so they commit or roll back with it. The worker of off-thread.ts calls this.
 */
export async function importHere(deps: { db: Db; sqlite: SQLite.Database | null }, actor: Actor, args: ImportArgs): Promise<ImportResult> {
  const { db, sqlite } = deps
  const { defaultCountry } = await getSettings(db, args.defaultTimeZone)
  return withCheckpointAfter(sqlite, () => db.transaction().execute((trx) => importChunks(trx, importStoreOf(trx, sqlite), actor, args, defaultCountry)))
}

async function importChunks(trx: Db, store: ImportStore, actor: Actor, args: ImportArgs, defaultCountry: string): Promise<ImportResult> {
  const adapter = CORE_ADAPTERS[args.module]
  const result: ImportResult = { batchId: null, created: 0, updated: 0, linked: 0, failed: [], held: [], warnings: [], skipped: 0 }
  const rules = rulesOf(args)
  const refs = await References.load(trx)
  const scope = await store.scopeOf(args.integration, args.module)
  if (scope === undefined) return { ...result, skipped: args.ids.length }
  let log: BatchLog | null = null
  for (let i = 0; i < args.ids.length; i += IMPORT_CHUNK) {
    const chunk = args.ids.slice(i, i + IMPORT_CHUNK)
    const importable = await importableOf(store, scope, chunk)
    result.skipped += chunk.length - importable.length
    if (importable.length === 0) continue
    log ??= await openBatch(trx, actor, args, result)
    const { items, lookups } = await prepareBatch(trx, store, adapter, importable, refs)
    const writer = store.chunkWriter(CORE_MODULES[adapter.table])
    // A record creates a row only if it feeds none that still exists.
    await writer.reserve(items.filter((item) => item.row.core_id === null || !lookups.existing.has(item.row.core_id)).length)
    const batch = log
    await store.keepingCounts(
      scope,
      importable.map((r) => r.id),
      async () => {
        for (const item of items) importOne(writer, adapter, rules, { defaultCountry, refs }, item, lookups, batch)
        await writer.flush()
        await settleOverrides(trx, batch.overrides.splice(0))
      },
    )
  }
  if (log) await closeBatch(trx, actor, args, log)
  return result
}

async function openBatch(trx: Db, actor: Actor, args: ImportArgs, result: ImportResult): Promise<BatchLog> {
  const now = new Date().toISOString()
  const batch = await trx
    .insertInto('import_batches')
    .values({
      integration: args.integration,
      module: args.module,
      trigger: args.trigger,
      user_id: actor.userId,
      created_count: 0,
      updated_count: 0,
      linked_count: 0,
      failed_count: 0,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  result.batchId = batch.id
  return { batchId: batch.id, now, createdRecords: [], result, overrides: [] }
}

async function closeBatch(trx: Db, actor: Actor, args: ImportArgs, { batchId, createdRecords, result }: BatchLog): Promise<void> {
  await trx
    .updateTable('import_batches')
    .set({
      created_count: result.created,
      updated_count: result.updated,
      linked_count: result.linked,
      failed_count: result.failed.length,
      created_records: JSON.stringify(createdRecords),
    })
    .where('id', '=', batchId)
    .execute()
  await recordAudit(trx, actor, {
    action: 'integration.import',
    entityType: 'import_batch',
    entityId: batchId,
    summary: `Imported ${MODULES[args.module].label.toLowerCase()} from ${args.integrationName}: ${result.created} created, ${result.updated} updated, ${result.linked} linked, ${result.failed.length} failed`,
  })
}

/** What IMPORT does with one record, before anything is written: its plan, failed (or held) with the reason when it cannot be written, and its kept fields. */
type Decision = { plan: ImportPlanItem; values: Record<string, unknown> | null; judged: JudgedField[] }

/** What decides a record besides its data: the integration, the links the admin declined, the columns the integration owns. */
type ImportRules = Pick<ImportArgs, 'integration' | 'module' | 'createNew'> & { owned: ReadonlySet<string>; ownsAll: boolean }

function rulesOf(args: Pick<ImportArgs, 'integration' | 'module' | 'createNew' | 'owned'>): ImportRules {
  const columns = CORE_MODULES[CORE_ADAPTERS[args.module].table].columns
  const owned = new Set(args.owned ?? columns)
  return { integration: args.integration, module: args.module, createNew: args.createNew, owned, ownsAll: columns.every((c) => owned.has(c)) }
}

/**
 * The one decision, for the preview and IMPORT alike: the record's plan (see planItem), then its
 * values (a reference not imported yet fails it) and the natural keys it would take from another.
 */
function decide(adapter: CoreAdapter, args: ImportRules, ctx: { defaultCountry: string; refs: References }, item: Prepared, lookups: Lookups): Decision {
  let plan = planItem(args.integration, adapter, item, lookups)
  // A plain create found no holder of any of its keys; every other plan is checked for collisions.
  const keysFree = plan.action === 'create'
  if (plan.action === 'link' && args.createNew?.has(item.row.id)) plan = { ...plan, action: 'create', core: undefined, warning: undefined }
  if (plan.action === 'fail') return { plan, values: null, judged: [] }
  const mapped = adapter.values(item.payload, ctx)
  if ('error' in mapped)
    return { plan: { ...plan, action: 'fail', message: mapped.error, missing: mapped.missing, warning: undefined }, values: null, judged: [] }
  const problem = keysFree ? null : collision(adapter, item, plan.core?.id ?? null, lookups.index)
  if (problem !== null) return { plan: { ...plan, action: 'fail', message: problem, warning: undefined }, values: null, judged: [] }
  if (plan.action === 'create') return { plan, values: mapped.values, judged: [] }
  // Over an existing record only what the integration owns is written, and of that not what is kept here.
  const values = args.ownsAll ? mapped.values : Object.fromEntries(Object.entries(mapped.values).filter(([column]) => args.owned.has(column)))
  const overridden = lookups.overrides.get(plan.core!.id)
  if (!overridden) return { plan, values, judged: [] }
  const judged = judgeOverrides(overridden.kept, args.owned, mapped.values, overridden.core)
  if (judged.some((j) => j.state === 'conflict'))
    return { plan: { ...plan, action: 'held', message: conflictMessage(args.module, judged), warning: undefined }, values: null, judged }
  for (const j of judged) if (j.state !== 'theirs') delete values[j.column]
  return { plan, values, judged }
}

/**
 * After a chunk is written, the kept fields it met: one the admin chose "theirs" for was written and
 * is released; the others stay kept, with the value the source sent now as their upstream value.
 */
async function settleOverrides(trx: Db, judged: JudgedField[]): Promise<void> {
  for (const j of judged) {
    if (j.state === 'theirs') await trx.deleteFrom('field_overrides').where('id', '=', j.override.id).execute()
    else
      await trx
        .updateTable('field_overrides')
        .set({ upstream: JSON.stringify(j.upstream), resolution: null, resolved_upstream: null })
        .where('id', '=', j.override.id)
        .execute()
  }
}

/** A kept field as it stood before a batch, with the value it held: what an undo puts back. */
type SavedOverride = Omit<FieldOverride, 'id'> & { value: unknown; taken: boolean }

const savedOverrides = (judged: JudgedField[]): string =>
  JSON.stringify(judged.map(({ override: { id: _id, ...o }, ours, state }): SavedOverride => ({ ...o, value: ours, taken: state === 'theirs' })))

/** The row `coreId` now holds the record's natural-key and link-key values: later records of the batch see it. */
function claim(adapter: CoreAdapter, integration: string, item: Claimant, lookups: Lookups, coreId: number): void {
  const holder = { id: coreId, label: item.row.label, source_integration: integration, external_id: item.row.external_id }
  lookups.index.claim(adapter, item, holder)
  lookups.links.claim(item, holder)
}

function importOne(
  writer: ChunkWriter,
  adapter: CoreAdapter,
  args: ImportRules,
  ctx: { defaultCountry: string; refs: References },
  item: Prepared,
  lookups: Lookups,
  log: BatchLog,
): void {
  const r = item.row
  const { result, now } = log
  const { plan, values, judged } = decide(adapter, args, ctx, item, lookups)
  if (!values && plan.action === 'held') {
    // Left as it is, not failed: the Conflicts filter lists it until the admin chooses.
    result.held.push({ externalId: r.external_id, label: r.label, message: plan.message! })
    writer.batchLine({ ...batchLine(log, r), action: 'held', core_id: plan.core?.id ?? null, core_updated_at: null, message: plan.message! })
    return
  }
  if (!values) {
    result.failed.push({ externalId: r.external_id, label: r.label, message: plan.message! })
    writer.markFailed(r.id, plan.message!)
    writer.batchLine({ ...batchLine(log, r), action: 'failed', core_id: plan.core?.id ?? null, core_updated_at: null, message: plan.message! })
    return
  }
  const coreId = writeCore(writer, plan, values, args.integration, r.external_id, now)
  claim(adapter, args.integration, item, lookups, coreId)
  writer.markImported(r.id, coreId, r.hash, now)
  const action: ImportAction = plan.action === 'create' ? 'created' : plan.action === 'link' ? 'linked' : 'updated'
  result[action]++
  if (plan.warning) result.warnings.push({ externalId: r.external_id, label: r.label, message: plan.warning })
  log.overrides.push(...judged)
  // A record created from a never-imported staged record, with nothing to say: undo needs only the two ids.
  if (action === 'created' && !plan.warning && r.core_id === null && r.imported_hash === null && r.imported_at === null) log.createdRecords.push([r.id, coreId])
  else
    writer.batchLine({
      ...batchLine(log, r),
      action,
      core_id: coreId,
      core_updated_at: now,
      message: plan.warning ?? null,
      previous_overrides: judged.length > 0 ? savedOverrides(judged) : null,
    })
}

/** What undo needs to put a staged record back as it stood before this batch. */
function batchLine(log: BatchLog, r: Staged): Omit<BatchItem, 'action' | 'core_id' | 'core_updated_at' | 'message'> {
  return {
    // Every line names every column: PostgreSQL writes a chunk's lines as rows of one shape.
    previous_overrides: null,
    batch_id: log.batchId,
    staged_record_id: r.id,
    external_id: r.external_id,
    previous_imported_payload: r.imported_payload,
    previous_imported_hash: r.imported_hash,
    previous_core_id: r.core_id,
    previous_imported_at: r.imported_at,
  }
}

/** Writes the mapped values (a fresh object from the adapter, completed in place) with where they came from. */
function writeCore(writer: ChunkWriter, plan: ImportPlanItem, values: Record<string, unknown>, integration: string, externalId: string, now: string): number {
  values.source_integration = integration
  values.external_id = externalId
  values.updated_at = now
  if (plan.action === 'create') {
    values.created_at = now
    return writer.write(values)
  }
  return writer.write(values, plan.core!.id)
}

export type UndoResult = { removed: number; kept: { label: string; reason: string }[] }

/**
 * Undoes a batch: the records it created that nobody changed since are removed and their staged
 * rows return to New; everything else is kept, each with the reason.
 */
export async function undoBatch(deps: { db: Db; sqlite: SQLite.Database | null }, actor: Actor, batchId: number): Promise<UndoResult | { error: string }> {
  return runHeavy(deps, { kind: 'undo', actor, batchId }, () => undoHere(deps, actor, batchId))
}

/** Undo on this thread's connection, in one transaction (the worker of off-thread.ts calls it). */
export async function undoHere(deps: { db: Db; sqlite: SQLite.Database | null }, actor: Actor, batchId: number): Promise<UndoResult | { error: string }> {
  return deps.db.transaction().execute(async (trx) => {
    const store = importStoreOf(trx, deps.sqlite)
    const batch = await trx.selectFrom('import_batches').selectAll().where('id', '=', batchId).executeTakeFirst()
    if (!batch) return { error: 'This import batch does not exist.' }
    if (batch.undone_at) return { error: `This batch was already undone on ${batch.undone_at.slice(0, 16).replace('T', ' ')} UTC.` }
    const items = [...(await batchLines(trx, batchId)), ...(await createdRecordLines(trx, batch))]
    const scope = (await store.scopeOf(batch.integration, batch.module))!
    const result = await store.keepingCounts(
      scope,
      items.map((item) => item.staged_record_id),
      () => undoLines(trx, batch.module as ModuleId, items),
    )
    const now = new Date().toISOString()
    await trx.updateTable('import_batches').set({ undone_at: now, undone_by: actor.userId }).where('id', '=', batchId).execute()
    await recordAudit(trx, actor, {
      action: 'integration.import_undo',
      entityType: 'import_batch',
      entityId: batchId,
      summary: `Undid import batch #${batchId}: ${result.removed} removed, ${result.kept.length} kept`,
      after: { kept: result.kept },
    })
    return result
  })
}

/** Each line of an undone batch: a created record nobody changed since is removed; the others are kept with the reason. */
async function undoLines(trx: Db, module: ModuleId, items: UndoLine[]): Promise<UndoResult> {
  const adapter = CORE_ADAPTERS[module]
  const result: UndoResult = { removed: 0, kept: [] }
  for (const item of items) {
    if (item.action === 'failed' || item.action === 'held') continue
    if (item.action !== 'created') {
      const restored = item.previous_overrides !== null && (await restoreOverrides(trx, module, item))
      result.kept.push({
        label: item.label,
        reason: `it existed before the import and was only ${item.action === 'linked' ? 'linked' : 'updated'}${restored ? '; its fields kept here and your choices are back as they were, and it is Updated again' : ''}`,
      })
      continue
    }
    const core = item.core_id ? await trx.selectFrom(adapter.table).select(['id', 'updated_at']).where('id', '=', item.core_id).executeTakeFirst() : undefined
    if (!core) {
      result.kept.push({ label: item.label, reason: 'it was already deleted' })
      continue
    }
    if (core.updated_at !== item.core_updated_at) {
      result.kept.push({ label: item.label, reason: `it was changed after the import (${core.updated_at.slice(0, 16).replace('T', ' ')} UTC)` })
      continue
    }
    const refs = await adapter.keptBecause(trx, core.id)
    if (refs) {
      result.kept.push({ label: item.label, reason: refs })
      continue
    }
    await trx.deleteFrom(adapter.table).where('id', '=', core.id).execute()
    await restoreStaged(trx, item)
    result.removed++
  }
  return result
}

/** The staged record returns to where it stood before this batch (New if never imported), unless an IMPORT since wrote it again. */
async function restoreStaged(trx: Db, item: UndoLine): Promise<void> {
  if (item.imported_at !== item.core_updated_at) return
  await trx
    .updateTable('staged_records')
    .set({
      core_id: item.previous_core_id,
      imported_payload: item.previous_imported_payload,
      imported_hash: item.previous_imported_hash,
      imported_at: item.previous_imported_at,
      status: stagedStatus({ archived: item.archived, core_id: item.previous_core_id, imported_hash: item.previous_imported_hash, hash: item.hash }),
    })
    .where('id', '=', item.staged_record_id)
    .execute()
}

/**
 * An updated record's kept fields as they stood before the batch: each override with its choice,
 * the value a "take theirs" replaced, and the staged record as before (Updated, so the choice
 * shows again). Answers whether it did (not when an IMPORT since wrote the record again).
 */
async function restoreOverrides(trx: Db, module: ModuleId, item: UndoLine): Promise<boolean> {
  if (item.imported_at !== item.core_updated_at || item.core_id === null) return false
  const table = CORE_ADAPTERS[module].table
  const now = new Date().toISOString()
  for (const { value, taken, ...saved } of JSON.parse(item.previous_overrides!) as SavedOverride[]) {
    await trx.deleteFrom('field_overrides').where('core_table', '=', table).where('core_id', '=', saved.core_id).where('field', '=', saved.field).execute()
    await trx.insertInto('field_overrides').values(saved).execute()
    if (taken)
      await trx
        .updateTable(table)
        .set({ [saved.field]: value, updated_at: now } as never)
        .where('id', '=', saved.core_id)
        .execute()
  }
  await restoreStaged(trx, item)
  return true
}

type UndoLine = {
  action: string
  core_id: number | null
  core_updated_at: string | null
  staged_record_id: number
  previous_imported_payload: string | null
  previous_imported_hash: string | null
  previous_core_id: number | null
  previous_imported_at: string | null
  previous_overrides: string | null
  label: string
  hash: string
  archived: number
  imported_at: string | null
}

function batchLines(trx: Db, batchId: number): Promise<UndoLine[]> {
  return trx
    .selectFrom('import_batch_items')
    .innerJoin('staged_records', 'staged_records.id', 'import_batch_items.staged_record_id')
    .select([
      'import_batch_items.action',
      'import_batch_items.core_id',
      'import_batch_items.core_updated_at',
      'import_batch_items.staged_record_id',
      'import_batch_items.previous_imported_payload',
      'import_batch_items.previous_imported_hash',
      'import_batch_items.previous_core_id',
      'import_batch_items.previous_imported_at',
      'import_batch_items.previous_overrides',
      'staged_records.label',
      'staged_records.hash',
      'staged_records.archived',
      'staged_records.imported_at',
    ])
    .where('import_batch_items.batch_id', '=', batchId)
    .execute()
}

/** The created records a batch keeps as id pairs: they had no earlier import state to restore. */
async function createdRecordLines(trx: Db, batch: { created_records: string | null; created_at: string }): Promise<UndoLine[]> {
  const pairs = JSON.parse(batch.created_records ?? '[]') as [number, number][]
  const lines: UndoLine[] = []
  for (let i = 0; i < pairs.length; i += 500) {
    const chunk = new Map(pairs.slice(i, i + 500))
    const staged = await trx
      .selectFrom('staged_records')
      .select(['id', 'label', 'hash', 'archived', 'imported_at'])
      .where('id', 'in', [...chunk.keys()])
      .execute()
    for (const s of staged) {
      lines.push({
        action: 'created',
        core_id: chunk.get(s.id)!,
        core_updated_at: batch.created_at,
        staged_record_id: s.id,
        previous_imported_payload: null,
        previous_imported_hash: null,
        previous_core_id: null,
        previous_imported_at: null,
        previous_overrides: null,
        ...s,
      })
    }
  }
  return lines
}

/** Archive sets records aside (never imported while archived); Unarchive returns each to what its data says. */
export async function setArchived(
  deps: { db: Db; sqlite: SQLite.Database | null },
  actor: Actor,
  args: { integration: string; module: ModuleId; ids: number[]; archived: boolean },
): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const store = importStoreOf(trx, deps.sqlite)
    const scope = await store.scopeOf(args.integration, args.module)
    let changed = 0
    for (let i = 0; scope !== undefined && i < args.ids.length; i += 500) {
      const chunk = args.ids.slice(i, i + 500)
      const base = trx.updateTable('staged_records').where('scope_id', '=', scope).where('id', 'in', chunk)
      const result = await store.keepingCounts(scope, chunk, () =>
        args.archived
          ? base.set({ archived: 1, status: 'archived' }).where('archived', '=', 0).executeTakeFirst()
          : base
              .set({
                archived: 0,
                status: sql`case when core_id is null or imported_hash is null then 'new' when hash = imported_hash then 'imported' else 'updated' end`,
              })
              .where('archived', '=', 1)
              .executeTakeFirst(),
      )
      changed += Number(result.numUpdatedRows)
    }
    await recordAudit(trx, actor, {
      action: args.archived ? 'integration.archive' : 'integration.unarchive',
      entityType: 'staged_record',
      summary: `${args.archived ? 'Archived' : 'Unarchived'} ${changed} staged ${MODULES[args.module].label.toLowerCase()} of ${args.integration}`,
    })
    return changed
  })
}
