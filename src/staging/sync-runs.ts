import type { AppDeps } from '../http/app-env.js'
import { PageError } from '../connectors/kit/hub.js'
import type { RunTrigger } from '../connectors/kit/pages.js'
import { MODULES, normalizeRecord, type ModuleId } from '../connectors/kit/records.js'
import { hasConnection, type AnyConnector } from '../connectors/kit/types.js'
import type { PullPage } from '../connectors/kit/pages.js'
import { instanceGone } from '../runtime/instance-id.js'
import { getIntegration } from '../integrations/integration-service.js'
import { connectorContext } from '../integrations/connector-context.js'
import { isUniqueViolation } from '../db/dialect.js'
import { forgetUnusedSources, keepSources } from './staged-sources.js'
import { markConnectionError, markConnectionOk } from '../integrations/connections.js'
import { catchUpSearchIndex } from './staged-search.js'
import type { RowErrorInput, StageInput } from './staging-store.js'
import { stageWriterOf } from './stage-writer.js'

export type HubDeps = Pick<AppDeps, 'db' | 'sqlite' | 'config' | 'logger' | 'connectors' | 'runs'>

export type SyncRequest = { integration: string; module: ModuleId; trigger: RunTrigger; userId: number | null }

export type SyncStart = { ok: true; runId: number; alreadyRunning: boolean; done: Promise<void> } | { ok: false; message: string }

/**
 * Queues a sync of one module. The database allows one queued or running run per (integration,
 * module): a second request, from a click, the scheduler or another process, gets the active run.
 */
export async function requestSync(deps: HubDeps, req: SyncRequest): Promise<SyncStart> {
  const connector = deps.connectors.find((c) => c.id === req.integration)
  const integration = await getIntegration(deps.db, req.integration)
  if (!connector) return { ok: false, message: `There is no integration "${req.integration}".` }
  if (!connector.syncModules.includes(req.module)) return { ok: false, message: `${connector.name} cannot sync ${MODULES[req.module].label}.` }
  if (!integration?.activated) return { ok: false, message: `${connector.name} is not activated. Activate it on the Overview first.` }
  if (!integration.is_sync_source)
    return { ok: false, message: `${connector.name} is not the sync source. Make it the sync source on its Setup tab to SYNC from it.` }
  const now = new Date().toISOString()
  let runId: number
  try {
    const row = await deps.db
      .insertInto('sync_runs')
      .values({
        integration: req.integration,
        module: req.module,
        trigger: req.trigger,
        mode: 'full',
        status: 'queued',
        requested_by: req.userId,
        created_at: now,
        // A pull runs in this process from the start; an agent's run waits for whichever instance its agent calls.
        held_by: connector.shape === 'pull' ? deps.runs.instance : null,
        heartbeat_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    runId = row.id
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
    const active = await activeRun(deps, req.integration, req.module)
    if (!active) return requestSync(deps, req) // it finished in between: try again
    // Its instance is gone (killed, or silent past the lease): this request need not wait for the sweep.
    if (isAbandoned(deps, active, new Date()) && (await endAbandoned(deps, [active], new Date())) > 0) return requestSync(deps, req)
    return { ok: true, runId: active.id, alreadyRunning: true, done: deps.runs.active.get(active.id)?.done ?? Promise.resolve() }
  }
  if (connector.shape === 'agent') return { ok: true, runId, alreadyRunning: false, done: Promise.resolve() }
  const controller = new AbortController()
  const done = executePull(deps, connector, req.module, runId, controller.signal).finally(() => deps.runs.active.delete(runId))
  deps.runs.active.set(runId, { controller, done })
  return { ok: true, runId, alreadyRunning: false, done }
}

export function activeRun(deps: Pick<HubDeps, 'db'>, integration: string, module: string) {
  return deps.db
    .selectFrom('sync_runs')
    .selectAll()
    .where('integration', '=', integration)
    .where('module', '=', module)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst()
}

/** Asks a run to stop after its current page; pages already staged stay. */
export async function cancelRun(deps: HubDeps, runId: number): Promise<boolean> {
  const local = deps.runs.active.get(runId)
  if (local) {
    local.controller.abort(new Error('Cancelled by an administrator'))
    return true
  }
  const result = await deps.db
    .updateTable('sync_runs')
    .set({ status: 'cancelled', finished_at: new Date().toISOString(), error: 'Cancelled by an administrator' })
    .where('id', '=', runId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

async function executePull(deps: HubDeps, connector: AnyConnector, moduleId: ModuleId, runId: number, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ runId, integration: connector.id, module: moduleId })
  let page = 0
  let keepAlive = () => {}
  try {
    const ctx = await connectorContext(deps, connector, signal, log)
    const { trigger } = await deps.db.selectFrom('sync_runs').select('trigger').where('id', '=', runId).executeTakeFirstOrThrow()
    ctx.mode = connector.planSync?.(moduleId, ctx, trigger) ?? 'full'
    await beginRun(deps, runId, ctx.mode, log)
    keepAlive = keepRunAlive(deps, runId)
    const iterator = connector.pull!(moduleId, ctx)[Symbol.asyncIterator]()
    while (true) {
      if (signal.aborted || (await runWasCancelled(deps, runId))) return await endRun(deps, runId, 'cancelled', 'Cancelled by an administrator', log)
      page++
      const next = await nextPage(iterator, deps.config.syncPageTimeoutMs, page, signal)
      if (next.done) break
      await stageRunPage(deps, connector, moduleId, runId, page, next.value)
      // A page is one short transaction; between pages other requests are answered.
      await yieldToEventLoop()
    }
    await completeRun(deps, runId, connector.id, moduleId, log)
    if (hasConnection(connector)) await markConnectionOk(deps.db, connector)
  } catch (err) {
    const message = err instanceof PageError ? err.message : `Page ${Math.max(page, 1)}: ${(err as Error)?.message ?? String(err)}`
    const status = signal.aborted && !(err instanceof PageError) ? 'cancelled' : 'failed'
    await endRun(deps, runId, status, status === 'cancelled' ? 'Cancelled by an administrator' : message, log)
    if (status === 'failed' && hasConnection(connector)) await markConnectionError(deps.db, connector.id, `${MODULES[moduleId].label} sync failed: ${message}`)
  } finally {
    keepAlive()
  }
}

/**
 * While this process runs a sync, its heartbeat is renewed (each staged page renews it too), so a
 * page that takes long never looks abandoned to another instance. Returns how to stop.
 */
function keepRunAlive(deps: Pick<HubDeps, 'db'>, runId: number): () => void {
  const timer = setInterval(() => {
    void deps.db
      .updateTable('sync_runs')
      .set({ heartbeat_at: new Date().toISOString() })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .execute()
      .catch(() => {}) // the next renewal, or the next page, tries again
  }, RUN_RENEW_MS)
  timer.unref()
  return () => clearInterval(timer)
}

// The steps of a run, shared by pull connectors (executePull) and agents that call in with pages
// (the QuickBooks Web Connector): begin, stage pages, then complete or end with a reason.

/** A queued run starts: it is marked running and starts remembering the records it sees. */
export async function beginRun(
  deps: Pick<HubDeps, 'db' | 'sqlite' | 'runs'>,
  runId: number,
  mode: 'full' | 'incremental',
  log: HubDeps['logger'],
): Promise<void> {
  const started = new Date().toISOString()
  const run = await deps.db
    .updateTable('sync_runs')
    .set({ status: 'running', mode, started_at: started, heartbeat_at: started, held_by: deps.runs.instance })
    .where('id', '=', runId)
    .returning(['integration', 'module'])
    .executeTakeFirstOrThrow()
  await stageWriterOf(deps).begin(runId, run.integration, run.module)
  log.info({ event: 'sync_started', mode }, 'sync started')
}

/** Validates one page from the source and stages it in its own transaction; a malformed page throws a PageError and stages nothing. */
export async function stageRunPage(
  deps: Pick<HubDeps, 'db' | 'sqlite'>,
  connector: AnyConnector,
  moduleId: ModuleId,
  runId: number,
  page: number,
  value: PullPage,
) {
  const { records, errors } = validatePage(connector, moduleId, value, page)
  const counts = await stageWriterOf(deps).stage({
    integration: connector.id,
    module: MODULES[moduleId],
    runId,
    page,
    records,
    rowErrors: errors,
    checkpoint: value.checkpoint,
    removedExternalIds: value.removedExternalIds,
  })
  await keepSources(deps.db, connector.id, moduleId, runId, page, value, counts.staged ?? [])
  return { new: counts.new, updated: counts.updated, unchanged: counts.unchanged }
}

/**
 * The source delivered everything: the run is partial if rows had errors, else it succeeded, and
 * after a full pull whatever it did not see is flagged removed at source.
 */
export async function completeRun(
  deps: Pick<HubDeps, 'db' | 'sqlite'> & Partial<Pick<AppDeps, 'notifier'>>,
  runId: number,
  integration: string,
  module: ModuleId,
  log: HubDeps['logger'],
): Promise<void> {
  const run = await deps.db.selectFrom('sync_runs').select(['error_count', 'mode']).where('id', '=', runId).executeTakeFirstOrThrow()
  if (run.error_count > 0) {
    return endRun(
      deps,
      runId,
      'partial',
      `${run.error_count} row(s) had errors and were not staged; removals are computed only after a sync without errors.`,
      log,
    )
  }
  const writer = stageWriterOf(deps)
  await deps.db.transaction().execute(async (trx) => {
    const finished = { status: 'succeeded' as const, finished_at: new Date().toISOString() }
    // An incremental run counted the deletions its source reported as it staged them.
    const set = run.mode === 'full' ? { ...finished, removed_count: await writer.flagUnseenRemoved(trx, integration, module, runId) } : finished
    await trx.updateTable('sync_runs').set(set).where('id', '=', runId).execute()
  })
  await writer.end(runId)
  void catchUpSearchIndex({ ...deps, logger: log })
  log.info({ event: 'sync_finished', status: 'succeeded' }, 'sync finished')
  await forgetUnusedSources(deps.db, runId)
  deps.notifier?.runFinished(runId)
}

/** The run ends without completing, with the reason shown on the History tab. Pages staged so far stay. */
export async function endRun(
  deps: Pick<HubDeps, 'db' | 'sqlite'> & Partial<Pick<AppDeps, 'notifier'>>,
  runId: number,
  status: 'partial' | 'failed' | 'cancelled' | 'timed_out',
  error: string,
  log: HubDeps['logger'],
): Promise<void> {
  const ended = await deps.db
    .updateTable('sync_runs')
    .set({ status, error: error.slice(0, 2000), finished_at: new Date().toISOString() })
    .where('id', '=', runId)
    .where('status', 'in', ['queued', 'running', 'cancelled'])
    .executeTakeFirst()
  await stageWriterOf(deps).end(runId)
  void catchUpSearchIndex({ ...deps, logger: log })
  log[status === 'failed' ? 'error' : 'warn']({ event: 'sync_finished', status, error }, 'sync finished')
  await forgetUnusedSources(deps.db, runId)
  if (Number(ended.numUpdatedRows) > 0) deps.notifier?.runFinished(runId)
}

async function runWasCancelled(deps: HubDeps, runId: number): Promise<boolean> {
  const row = await deps.db.selectFrom('sync_runs').select('status').where('id', '=', runId).executeTakeFirst()
  return row?.status === 'cancelled'
}

/** Lets timers and other requests run before the next piece of long work (awaited database calls alone never do). */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** The next page, or a clear failure when the connector takes longer than the page timeout. */
async function nextPage(iterator: AsyncIterator<PullPage>, timeoutMs: number, page: number, signal: AbortSignal) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PageError(page, `the source did not answer within ${Math.round(timeoutMs / 1000)} s; nothing of this page was staged`)),
      timeoutMs,
    )
  })
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(signal.reason)), { once: true }))
  try {
    return await Promise.race([iterator.next(), timeout, aborted])
  } catch (err) {
    if (err instanceof PageError) throw err
    throw new PageError(page, (err as Error)?.message ?? String(err))
  } finally {
    clearTimeout(timer)
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}

/** Turns a connector's page into staged inputs; a malformed record fails the page or becomes a row error, as the connector declared. */
function validatePage(connector: AnyConnector, moduleId: ModuleId, value: PullPage, page: number): { records: StageInput[]; errors: RowErrorInput[] } {
  const module = MODULES[moduleId]
  if (!value || !Array.isArray(value.records)) throw new PageError(page, 'the connector returned no list of records')
  const errors: RowErrorInput[] = (value.rowErrors ?? []).map((e) => ({
    row: e.row ?? null,
    externalId: e.externalId ?? null,
    field: e.field ?? null,
    message: e.message,
  }))
  const records: StageInput[] = []
  const ids = new Set<string>()
  value.records.forEach((r, i) => {
    const where = r?.row ? `row ${r.row}` : `record ${i + 1}`
    if (!r || typeof r.externalId !== 'string' || r.externalId.trim() === '' || typeof r.data !== 'object' || r.data === null) {
      throw new PageError(page, `${where} has no external id or no data; nothing of this page was staged`)
    }
    if (ids.has(r.externalId.trim())) throw new PageError(page, `the source sent record ${r.externalId.trim()} twice; nothing of this page was staged`)
    ids.add(r.externalId.trim())
    const normalized = normalizeRecord(module, r.data)
    if ('errors' in normalized) {
      if (connector.invalidRecords === 'fail-page') {
        throw new PageError(page, `record ${r.externalId}: ${normalized.errors.map((e) => e.message).join('; ')}; nothing of this page was staged`)
      }
      for (const e of normalized.errors) errors.push({ row: r.row ?? null, externalId: r.externalId, field: e.field, message: e.message })
      return
    }
    records.push({ externalId: r.externalId.trim(), payload: normalized.payload })
  })
  errors.sort((a, b) => (a.row ?? Infinity) - (b.row ?? Infinity))
  return { records, errors }
}

/** A run whose heartbeat is older than this is taken for abandoned by any instance. */
export const RUN_LEASE_MS = 120_000
const RUN_RENEW_MS = 30_000

/**
 * Runs whose instance stopped are ended as timed out, by whichever instance looks (at its start and
 * every minute): those held by a process of this machine that has ended, and pulls whose heartbeat
 * is older than the lease. A run another instance is executing keeps going. An agent's run is its
 * agent's to continue (queued, or resting between visits) unless the process that began it has ended.
 * Returns how many were ended.
 */
export async function sweepAbandonedRuns(
  deps: Pick<HubDeps, 'db' | 'connectors' | 'runs'> & Partial<Pick<AppDeps, 'notifier'>>,
  now = new Date(),
  atStartup = false,
): Promise<number> {
  const open = await deps.db
    .selectFrom('sync_runs')
    .select(['id', 'integration', 'status', 'held_by', 'heartbeat_at'])
    .where('status', 'in', ['queued', 'running'])
    .execute()
  return endAbandoned(
    deps,
    open.filter((run) => isAbandoned(deps, run, now, atStartup)),
    now,
  )
}

type OpenRun = { id: number; integration: string; status: string; held_by: string | null; heartbeat_at: string | null }

/**
 * Whether an open run is past saving (see sweepAbandonedRuns). At start-up nothing of this instance
 * can be running yet: a run under its name is a previous process's that had the same pid (a
 * container restarted).
 */
function isAbandoned(deps: Pick<HubDeps, 'connectors' | 'runs'>, run: OpenRun, now: Date, atStartup = false): boolean {
  const agent = deps.connectors.some((c) => c.id === run.integration && c.shape === 'agent')
  if (run.status === 'queued' && agent) return false
  if (run.held_by === deps.runs.instance) return atStartup
  if (run.held_by && instanceGone(run.held_by)) return true
  // An agent's run may rest between the agent's visits (a dropped Web Connector session resumes it).
  if (agent) return false
  return !run.heartbeat_at || run.heartbeat_at < new Date(now.getTime() - RUN_LEASE_MS).toISOString()
}

/** Ends each run as timed out, unless another instance ended it first; whoever ends it tells of it (a scheduled one is an incident). */
async function endAbandoned(deps: Pick<HubDeps, 'db'> & Partial<Pick<AppDeps, 'notifier'>>, runs: OpenRun[], now: Date): Promise<number> {
  let ended = 0
  for (const run of runs) {
    const result = await deps.db
      .updateTable('sync_runs')
      .set({
        status: 'timed_out',
        finished_at: now.toISOString(),
        error: 'The server running this sync stopped (or stopped answering for two minutes); pages staged before that are kept. SYNC again.',
      })
      .where('id', '=', run.id)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) continue
    ended++
    deps.notifier?.runFinished(run.id)
  }
  return ended
}
