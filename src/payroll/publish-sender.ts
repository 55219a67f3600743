import type { AppDeps } from '../http/app-env.js'
import type { AnyConnector, LineOutcome } from '../connectors/types.js'
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
    for (;;) {
      // Lines answered "not yet" during this send wait for the next one (pendingLines skips them).
      const batchSize = connector.publishBatchSize ?? 25
      const waiting = await pendingLines(deps.db, connector.id, connector.publishGroup ? MAX_GROUPED : batchSize, startedAt)
      if (waiting.length === 0) break
      const rows = nextBatch(waiting, batchSize, connector.publishGroup && ((payload) => connector.publishGroup!(payload, ctx.settings)))
      const lines = rows.map((r) => ({ id: r.id, key: `${r.line_key}#${r.revision}`, action: r.action, payload: JSON.parse(r.payload) as unknown, externalRef: r.external_ref }))
      const outcomes = await connector.publish(lines, ctx)
      for (const [i, row] of rows.entries()) {
        const outcome: LineOutcome = outcomes[i] ?? { status: 'pending', message: `${connector.name} gave no answer for this line; it goes again with the next send.` }
        await recordOutcome(deps.db, row.id, outcome)
        if (outcome.status === 'sent' && outcome.resendRef) await requeueGroup(deps.db, connector.id, outcome.resendRef)
        if (outcome.status === 'pending') summary.stopped ??= outcome.message
        summary[outcome.status === 'sent' ? 'sent' : outcome.status]++
      }
      if (summary.stopped) break
    }
  } catch (err) {
    summary.stopped = (err as Error).message
  }
  if (summary.stopped) await markConnectionError(deps.db, connector.id, summary.stopped)
  else if (summary.sent + summary.failed > 0) await markConnectionOk(deps.db, connector)
  log.info({ event: 'publish_sent', ...summary }, 'publish lines sent')
  return summary
}

/** Grouped targets see every pending line at once, so a group is never split between calls. */
const MAX_GROUPED = 200_000

type Row = Awaited<ReturnType<typeof pendingLines>>[number]

/**
 * Deletions first and alone, so a correction removes before it adds; then lines, whole groups at a
 * time, up to the batch size (a group larger than that goes alone).
 */
export function nextBatch(rows: Row[], batchSize: number, groupOf?: (payload: unknown) => string): Row[] {
  const deletes = rows.filter((r) => r.action === 'delete')
  if (deletes.length > 0) return deletes.slice(0, batchSize)
  if (!groupOf) return rows.slice(0, batchSize)
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const g = groupOf(JSON.parse(r.payload))
    const group = groups.get(g)
    if (group) group.push(r)
    else groups.set(g, [r])
  }
  const batch: Row[] = []
  for (const group of groups.values()) {
    if (batch.length > 0 && batch.length + group.length > batchSize) break
    batch.push(...group)
  }
  return batch
}

/** At start-up: lines a previous process recorded but did not finish sending go now. */
export async function resumeSending(deps: Deps & Pick<AppDeps, 'connectors'>): Promise<void> {
  const targets = await deps.db.selectFrom('publish_lines').select('target').distinct().where('status', '=', 'pending').execute()
  for (const { target } of targets) {
    const connector = deps.connectors.find((c) => c.id === target && c.publish)
    if (connector) void startSending(deps, connector)
  }
}
