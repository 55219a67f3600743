import type { AppDeps } from '../http/app-env.js'
import type { AnyConnector, ConnectorContext, LineOutcome } from '../connectors/types.js'
import { connectorContext } from '../integrations/integration-service.js'
import { markConnectionError, markConnectionOk } from '../integrations/connections.js'
import { pendingLines, recordOutcome, requeueGroup } from './publish-service.js'

// Sending recorded publish lines to a target that Clockbridge calls (QuickBooks Online, Intacct):
// batch by batch, deletions first, each line's outcome recorded as it comes back. A crash between
// sending and recording leaves the line pending; sending it again is safe because the target
// recognises its key (a requestid, a unique control id). Agents (the Web Connector) fetch their own.

type Deps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'runs'>

export type SendSummary = { sent: number; failed: number; pending: number; stopped: string | null }

/** Starts sending the target's pending lines in the background, or joins the send already going. */
export function startSending(deps: Deps, connector: AnyConnector): Promise<SendSummary> {
  const running = deps.runs.sending.get(connector.id) as Promise<SendSummary> | undefined
  if (running) return running
  const done = sendPending(deps, connector).finally(() => deps.runs.sending.delete(connector.id))
  deps.runs.sending.set(connector.id, done)
  return done
}

async function sendPending(deps: Deps, connector: AnyConnector): Promise<SendSummary> {
  const log = deps.logger.child({ target: connector.id, event_group: 'publish' })
  const summary: SendSummary = { sent: 0, failed: 0, pending: 0, stopped: null }
  if (!connector.publish) return summary
  const startedAt = new Date().toISOString()
  try {
    const ctx = await connectorContext(deps, connector, new AbortController().signal, log)
    const batchSize = connector.publishBatchSize ?? 25
    const groupOf = connector.publishGroup && ((payload: unknown) => connector.publishGroup!(payload, ctx.settings))
    // A pass reads the pending lines once and sends them batch by batch. Lines answered "not yet"
    // during this send wait for the next one (pendingLines skips them).
    for (let pass = true; pass && !summary.stopped; ) {
      const waiting = await pendingLines(deps.db, connector.id, { limit: groupOf ? MAX_GROUPED : batchSize }, startedAt)
      pass = waiting.length > 0
      for (const planned of planBatches(waiting, batchSize, groupOf)) {
        // A grouped pass is planned from one read: a line changed or sent since is not sent from it.
        const rows = groupOf ? await pendingLines(deps.db, connector.id, { ids: planned.map((r) => r.id) }, startedAt) : planned
        if (rows.length === 0) continue
        const requeued = await sendBatch(deps, connector, ctx, rows, summary)
        // Lines sent back to pending belong to groups planned without them: plan again.
        if (summary.stopped || requeued) break
      }
    }
  } catch (err) {
    summary.stopped = (err as Error).message
  }
  if (summary.stopped) await markConnectionError(deps.db, connector.id, summary.stopped)
  else if (summary.sent + summary.failed > 0) await markConnectionOk(deps.db, connector)
  log.info({ event: 'publish_sent', ...summary }, 'publish lines sent')
  return summary
}

/** Sends one batch and records each line's outcome; says whether any sent line sent its group back to pending. */
async function sendBatch(deps: Deps, connector: AnyConnector, ctx: ConnectorContext<unknown>, rows: Row[], summary: SendSummary): Promise<boolean> {
  const lines = rows.map((r) => ({ id: r.id, key: `${r.line_key}#${r.revision}`, action: r.action, payload: JSON.parse(r.payload) as unknown, externalRef: r.external_ref }))
  const outcomes = await connector.publish!(lines, ctx)
  let requeued = false
  for (const [i, row] of rows.entries()) {
    const outcome: LineOutcome = outcomes[i] ?? { status: 'pending', message: `${connector.name} gave no answer for this line; it goes again with the next send.` }
    await recordOutcome(deps.db, row.id, outcome)
    if (outcome.status === 'sent' && outcome.resendRef) requeued = (await requeueGroup(deps.db, connector.id, outcome.resendRef)) > 0 || requeued
    if (outcome.status === 'pending') summary.stopped ??= outcome.message
    summary[outcome.status === 'sent' ? 'sent' : outcome.status]++
  }
  return requeued
}

/** Grouped targets see every pending line at once, so a group is never split between calls. */
const MAX_GROUPED = 200_000

type Row = Awaited<ReturnType<typeof pendingLines>>[number]

/**
 * The batches of one pass: deletions first and alone, so a correction removes before it adds; then
 * lines, whole groups at a time, up to the batch size (a group larger than that goes alone).
 */
export function planBatches(rows: Row[], batchSize: number, groupOf?: (payload: unknown) => string): Row[][] {
  const batches: Row[][] = []
  const inBatches = (list: Row[]) => {
    for (let i = 0; i < list.length; i += batchSize) batches.push(list.slice(i, i + batchSize))
  }
  inBatches(rows.filter((r) => r.action === 'delete'))
  const adds = rows.filter((r) => r.action !== 'delete')
  if (!groupOf) {
    inBatches(adds)
    return batches
  }
  const groups = new Map<string, Row[]>()
  for (const r of adds) {
    const key = groupOf(JSON.parse(r.payload))
    const group = groups.get(key)
    if (group) group.push(r)
    else groups.set(key, [r])
  }
  let batch: Row[] = []
  for (const group of groups.values()) {
    if (batch.length > 0 && batch.length + group.length > batchSize) {
      batches.push(batch)
      batch = []
    }
    batch.push(...group)
  }
  if (batch.length > 0) batches.push(batch)
  return batches
}

/** At start-up: lines a previous process recorded but did not finish sending go now. */
export async function resumeSending(deps: Deps & Pick<AppDeps, 'connectors'>): Promise<void> {
  const targets = await deps.db.selectFrom('publish_lines').select('target').distinct().where('status', '=', 'pending').execute()
  for (const { target } of targets) {
    const connector = deps.connectors.find((c) => c.id === target && c.publish)
    if (connector) void startSending(deps, connector)
  }
}
