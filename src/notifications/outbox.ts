import { createHmac, randomUUID } from 'node:crypto'
import { createTransport } from 'nodemailer'
import type { Db } from '../db/database.js'
import type { AppDeps } from '../http/app-env.js'
import { loadNotificationSettings, type NotificationSettings } from './notification-settings.js'

// Every message waits here until it is sent: e-mail through the SMTP server, a webhook as a signed
// JSON POST. A failure is tried again later and later (30 s, 2 min, 10 min, 1 h, 6 h), then given up
// and shown so on the Notifications page. Any instance sends: it claims a few due messages for a
// minute first, so two instances never send the same one.

export type Delivery = { channel: 'email' | 'webhook'; target: string; event: string; subject: string; body: string }

const BACKOFF_MS = [30_000, 120_000, 600_000, 3_600_000, 21_600_000]
const CLAIM_MS = 60_000
const SEND_TIMEOUT_MS = 15_000
type Deps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'runs'>

export async function enqueue(db: Db, deliveries: Delivery[], now = new Date()): Promise<void> {
  if (deliveries.length === 0) return
  const at = now.toISOString()
  await db
    .insertInto('notification_deliveries')
    .values(deliveries.map((d) => ({ ...d, status: 'pending' as const, next_attempt_at: at, created_at: at })))
    .execute()
}

/** The signature a receiver checks: HMAC-SHA256 of "timestamp.body" with the shared secret, as `t=…,v1=…`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Sends what is due now; returns how many were sent. Safe to call from any instance at any time. */
export async function deliverDue(deps: Deps, now = new Date()): Promise<number> {
  const claimed = await claimDue(deps, now)
  if (claimed.length === 0) return 0
  const settings = await loadNotificationSettings(deps)
  let sent = 0
  for (const d of claimed) {
    const outcome = await attempt(settings, d).catch((err: Error) => ({ ok: false as const, error: err.message, status: null }))
    const attempts = d.attempts + 1
    const finished = new Date().toISOString()
    if (outcome.ok) {
      sent++
      await deps.db
        .updateTable('notification_deliveries')
        .set({ status: 'sent', attempts, sent_at: finished, response_status: outcome.status, last_error: null, claimed_by: null, claimed_until: null })
        .where('id', '=', d.id)
        .execute()
      continue
    }
    const giveUp = attempts > BACKOFF_MS.length
    await deps.db
      .updateTable('notification_deliveries')
      .set({
        status: giveUp ? 'failed' : 'pending',
        attempts,
        next_attempt_at: new Date(Date.now() + (BACKOFF_MS[attempts - 1] ?? 0)).toISOString(),
        last_error: outcome.error.slice(0, 1000),
        response_status: outcome.status,
        claimed_by: null,
        claimed_until: null,
      })
      .where('id', '=', d.id)
      .execute()
    deps.logger.warn(
      { event: 'notification_failed', delivery: d.id, channel: d.channel, attempts, giveUp, error: outcome.error },
      'a notification was not delivered',
    )
  }
  return sent
}

/** Up to 20 due messages, claimed for this instance for a minute (an instance that dies lets its claim lapse). */
async function claimDue(deps: Deps, now: Date) {
  const at = now.toISOString()
  const due = await deps.db
    .selectFrom('notification_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', at)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
    .orderBy('id')
    .limit(20)
    .execute()
  if (due.length === 0) return []
  // Unique per call: two calls of one instance in the same millisecond must not share a claim.
  const me = `${deps.runs.instance}:${randomUUID()}`
  await deps.db
    .updateTable('notification_deliveries')
    .set({ claimed_by: me, claimed_until: new Date(now.getTime() + CLAIM_MS).toISOString() })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
    .execute()
  return deps.db.selectFrom('notification_deliveries').selectAll().where('claimed_by', '=', me).where('status', '=', 'pending').orderBy('id').execute()
}

type Outcome = { ok: true; status: number | null } | { ok: false; error: string; status: number | null }

function attempt(
  settings: NotificationSettings,
  d: { id: number; channel: string; target: string; event: string; subject: string; body: string },
): Promise<Outcome> {
  return d.channel === 'email' ? sendEmail(settings, d) : postWebhook(settings, d)
}

/** One message through the configured SMTP server. */
export async function sendEmail(settings: NotificationSettings, m: { target: string; subject: string; body: string }): Promise<Outcome> {
  const { smtp } = settings
  if (!smtp.host || !smtp.from)
    return { ok: false, error: 'No SMTP server is set up: fill in its host and From address under Settings > Notifications.', status: null }
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.username ? { user: smtp.username, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  })
  try {
    await transport.sendMail({ from: smtp.from, to: m.target, subject: m.subject, text: m.body })
    return { ok: true, status: null }
  } catch (err) {
    return { ok: false, error: `The SMTP server ${smtp.host}:${smtp.port} refused or did not answer: ${(err as Error).message}`, status: null }
  } finally {
    transport.close()
  }
}

/** One signed JSON POST; any 2xx answer is delivered. The delivery id lets a receiver drop a repeat. */
export async function postWebhook(settings: NotificationSettings, d: { id: number; target: string; event: string; body: string }): Promise<Outcome> {
  const timestamp = Math.floor(Date.now() / 1000)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Clockbridge-Webhook',
    'clockbridge-event': d.event,
    'clockbridge-delivery': String(d.id),
  }
  if (settings.webhook.secret) headers['clockbridge-signature'] = webhookSignature(settings.webhook.secret, timestamp, d.body)
  try {
    const res = await fetch(d.target, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS), redirect: 'manual' })
    await res.body?.cancel()
    return res.ok ? { ok: true, status: res.status } : { ok: false, error: `The receiver answered ${res.status} ${res.statusText}`, status: res.status }
  } catch (err) {
    return { ok: false, error: `The receiver could not be reached: ${(err as Error).message}`, status: null }
  }
}

/** The latest deliveries, newest first, for the Notifications page. */
export function recentDeliveries(db: Db, limit = 50) {
  return db
    .selectFrom('notification_deliveries')
    .select(['id', 'channel', 'target', 'event', 'subject', 'status', 'attempts', 'last_error', 'response_status', 'created_at', 'sent_at', 'next_attempt_at'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
