import type { AppDeps } from '../http/app-env.js'
import type { AnyConnector, ConnectorContext, LineOutcome } from '../connectors/kit/types.js'
import { connectorContext } from '../integrations/connector-context.js'
import { connectorStore } from '../integrations/connector-store.js'
import { markConnectionError, markConnectionOk } from '../integrations/connections.js'
import { markUnconfirmed, pendingLines, recordOutcome, requeueGroup } from './publish-service.js'

// Sending recorded publish lines to a target that Clockbridge calls (QuickBooks Online, Intacct):
// batch by batch, deletions first, each line's outcome recorded as it comes back. Every line of a
// batch is recorded as unconfirmed (committed) before the batch leaves; a crash or a lost answer
// leaves it so, and the next send settles it through the target's own mechanism (a replay with the
// same requestid, a read-back of the control id) before anything is sent again. Lines not sent or
// not settled are looked at again by themselves, later and later. Agents (the Web Connector) fetch
// their own.

type Deps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'runs'>

export type SendSummary = {
  sent: number
  failed: number
  pending: number
  unconfirmed: number
  stopped: string | null
  /** Another instance was sending to this target: it sends these lines too (it reads the due lines until none are left). */
  sendingElsewhere?: string
}

/** One sender per target across the instances: the instance holding this key of the target's store, renewed while it sends. */
const SENDER_KEY = 'publish:sender'
const SENDER_LEASE_MS = 120_000
const SENDER_RENEW_MS = 30_000

/** Starts sending the target's pending lines in the background, or joins the send already going in this process. */
export function startSending(deps: Deps, connector: AnyConnector): Promise<SendSummary> {
  const running = deps.runs.sending.get(connector.id) as Promise<SendSummary> | undefined
  if (running) return running
  const done = sendUnderLease(deps, connector).finally(() => deps.runs.sending.delete(connector.id))
  deps.runs.sending.set(connector.id, done)
  return done
}

/**
 * Sends if no other instance is sending to the target: two senders would both read the same due
 * lines and send them twice. A sender that dies leaves its lease to end; its lines wait, unconfirmed
 * or pending, for the next sender.
 */
async function sendUnderLease(deps: Deps, connector: AnyConnector): Promise<SendSummary> {
  const store = connectorStore(deps.db, connector.id)
  const me = deps.runs.instance
  if (!(await store.compareAndSet(SENDER_KEY, null, me, { ttlMs: SENDER_LEASE_MS }))) {
    const holder = (await store.get(SENDER_KEY)) ?? 'another instance'
    deps.logger.info({ event: 'publish_sending_elsewhere', target: connector.id, holder }, 'another instance is sending to this target')
    return { sent: 0, failed: 0, pending: 0, unconfirmed: 0, stopped: null, sendingElsewhere: holder }
  }
  const renew = setInterval(() => void store.compareAndSet(SENDER_KEY, me, me, { ttlMs: SENDER_LEASE_MS }).catch(() => {}), SENDER_RENEW_MS)
  renew.unref()
  try {
    return await sendPending(deps, connector)
  } finally {
    clearInterval(renew)
    await store.compareAndSet(SENDER_KEY, me, null)
  }
}

/** How long a line that could not be sent or settled waits before the next look: doubled per try, at most an hour. */
export function recheckDelayMs(deps: Pick<Deps, 'config'>, attempts: number): number {
  return Math.min(3_600_000, deps.config.publishRecheckMs * 2 ** Math.max(0, attempts - 1))
}

async function sendPending(deps: Deps, connector: AnyConnector): Promise<SendSummary> {
  const log = deps.logger.child({ target: connector.id, event_group: 'publish' })
  const summary: SendSummary = { sent: 0, failed: 0, pending: 0, unconfirmed: 0, stopped: null }
  if (!connector.publish) return summary
  const startedAt = new Date().toISOString()
  try {
    const ctx = await connectorContext(deps, connector, new AbortController().signal, log)
    const batchSize = connector.publishBatchSize ?? 25
    const groupOf = connector.publishGroup && ((payload: unknown) => connector.publishGroup!(payload, ctx.settings))
    // A pass reads the due lines once and sends them batch by batch. Lines answered "not yet"
    // during this send wait for their next check (pendingLines skips them).
    for (let pass = true; pass && !summary.stopped;) {
      const waiting = await pendingLines(deps.db, connector.id, { limit: groupOf ? MAX_GROUPED : batchSize }, startedAt, { unconfirmed: true })
      pass = waiting.length > 0
      for (const planned of planBatches(waiting, batchSize, groupOf)) {
        // A grouped pass is planned from one read: a line changed or sent since is not sent from it.
        const rows = groupOf ? await pendingLines(deps.db, connector.id, { ids: planned.map((r) => r.id) }, startedAt, { unconfirmed: true }) : planned
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
  await scheduleRecheck(deps, connector)
  return summary
}

/**
 * Sends one batch and records each line's outcome; says whether any sent line sent its group back
 * to pending. The lines are unconfirmed, and committed so, before the batch leaves.
 */
async function sendBatch(deps: Deps, connector: AnyConnector, ctx: ConnectorContext<unknown>, rows: Row[], summary: SendSummary): Promise<boolean> {
  const lines = rows.map((r) => ({
    id: r.id,
    key: `${r.line_key}#${r.revision}`,
    action: r.action,
    payload: JSON.parse(r.payload) as unknown,
    externalRef: r.external_ref,
    attempt: r.attempts + 1,
    unconfirmed: r.status === 'unconfirmed',
  }))
  await markUnconfirmed(
    deps.db,
    rows.map((r) => r.id),
    null,
  )
  let outcomes: LineOutcome[]
  try {
    outcomes = await connector.publish!(lines, ctx)
  } catch (err) {
    const message = `No answer from ${connector.name} (${(err as Error).message}); these lines are checked with ${connector.name} before anything is sent again.`
    outcomes = rows.map(() => ({ status: 'unconfirmed', message }))
  }
  let requeued = false
  for (const [i, row] of rows.entries()) {
    const outcome: LineOutcome = outcomes[i] ?? {
      status: 'unconfirmed',
      message: `${connector.name} gave no answer for this line; it is checked before anything is sent again.`,
    }
    const nextCheckAt =
      outcome.status === 'pending' || outcome.status === 'unconfirmed' ? new Date(Date.now() + recheckDelayMs(deps, row.attempts + 1)).toISOString() : null
    await recordOutcome(deps.db, row.id, outcome.status === 'sent' || outcome.status === 'failed' ? outcome : { ...outcome, nextCheckAt })
    if (outcome.status === 'sent' && outcome.resendRef) requeued = (await requeueGroup(deps.db, connector.id, outcome.resendRef)) > 0 || requeued
    if (outcome.status === 'pending' || outcome.status === 'unconfirmed') summary.stopped ??= outcome.message
    summary[outcome.status]++
  }
  return requeued
}

/** The next look at lines still waiting, in this process; the minute job and a restart find them too. */
async function scheduleRecheck(deps: Deps, connector: AnyConnector): Promise<void> {
  const next = await deps.db
    .selectFrom('publish_lines')
    .select((eb) => eb.fn.min('next_check_at').as('at'))
    .where('target', '=', connector.id)
    .where('status', 'in', ['pending', 'unconfirmed'])
    .executeTakeFirst()
  if (!next?.at) return
  const timer = setTimeout(() => void startSending(deps, connector), Math.max(0, Date.parse(next.at) - Date.now()) + 5)
  timer.unref()
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
    // Lines whose write may have been applied travel as they went (the same group, nothing added),
    // so the target can recognise what it already holds.
    const key = `${r.status === 'unconfirmed' ? 'unconfirmed:' : ''}${groupOf(JSON.parse(r.payload))}`
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

/**
 * At start-up, and every minute: lines a previous process recorded but did not finish sending, and
 * lines due for another look, go now (or are settled first, when their outcome is unknown).
 */
export async function resumeSending(deps: Deps & Pick<AppDeps, 'connectors'>): Promise<void> {
  const now = new Date().toISOString()
  const targets = await deps.db
    .selectFrom('publish_lines')
    .select('target')
    .distinct()
    .where('status', 'in', ['pending', 'unconfirmed'])
    .where((eb) => eb.or([eb('next_check_at', 'is', null), eb('next_check_at', '<=', now)]))
    .execute()
  for (const { target } of targets) {
    const connector = deps.connectors.find((c) => c.id === target && c.publish)
    if (connector) void startSending(deps, connector)
  }
}
