import type { AppDeps } from '../http/app-env.js'
import { deliverDue, enqueue, type Delivery } from './outbox.js'
import { EVENT_LABELS, loadNotificationSettings, type EventKind, type NotificationSettings } from './notification-settings.js'

// An incident is told once when it opens, however often it is seen again (each retry, each minute's
// look), and once more when it recovers. The database decides, so of several instances seeing the
// same failure exactly one tells of it.

export type Deps = Pick<AppDeps, 'db' | 'config' | 'logger' | 'runs'>

export type Incident = {
  /** What makes it the same incident: `sync:quickbooks-online:employees`. */
  key: string
  kind: Exclude<EventKind, 'digest'>
  /** One line: the subject of the message. */
  summary: string
  /** What happened and what to do. */
  detail: string
  /** Where to look, as a path of the app. */
  path: string
}

/** Opens the incident and tells whoever asked to be told, unless it is open already. Answers whether it opened now. */
export async function raise(deps: Deps, incident: Incident, now = new Date()): Promise<boolean> {
  const at = now.toISOString()
  const result = await deps.db
    .insertInto('notification_incidents')
    .values({ key: incident.key, kind: incident.kind, summary: incident.summary, opened_at: at, last_seen_at: at, resolved_at: null })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ kind: incident.kind, summary: incident.summary, opened_at: at, last_seen_at: at, resolved_at: null })
        .where('notification_incidents.resolved_at', 'is not', null),
    )
    .executeTakeFirst()
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) {
    await deps.db.updateTable('notification_incidents').set({ last_seen_at: at }).where('key', '=', incident.key).execute()
    return false
  }
  deps.logger.warn({ event: 'incident_opened', key: incident.key }, incident.summary)
  await tell(deps, incident.kind, `incident.opened`, `Clockbridge: ${incident.summary}`, incident, now)
  return true
}

/** Resolves the incident if it is open, and says it recovered. */
export async function recover(deps: Deps, key: string, detail: string, path: string, now = new Date()): Promise<boolean> {
  const open = await deps.db.selectFrom('notification_incidents').selectAll().where('key', '=', key).where('resolved_at', 'is', null).executeTakeFirst()
  if (!open) return false
  const result = await deps.db
    .updateTable('notification_incidents')
    .set({ resolved_at: now.toISOString() })
    .where('key', '=', key)
    .where('resolved_at', 'is', null)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) return false
  deps.logger.info({ event: 'incident_recovered', key }, `recovered: ${open.summary}`)
  const kind = open.kind as Incident['kind']
  await tell(
    deps,
    kind,
    'incident.recovered',
    `Clockbridge: recovered: ${open.summary}`,
    { key, kind, summary: `Recovered: ${open.summary}`, detail, path },
    now,
  )
  return true
}

/** The e-mail recipients and the webhook that asked for this kind of event get it, through the outbox. */
async function tell(deps: Deps, kind: EventKind, event: string, subject: string, incident: Incident, now: Date): Promise<void> {
  const settings = await loadNotificationSettings(deps)
  const link = new URL(incident.path, deps.config.publicBaseUrl).toString()
  const body = `${incident.summary}\n\n${incident.detail}\n\nOpen: ${link}\n\n(You get this because Settings > Notifications sends you "${EVENT_LABELS[kind]}".)\n`
  const payload = { event, kind, key: incident.key, summary: incident.summary, detail: incident.detail, link, at: now.toISOString() }
  await send(deps, settings, kind, { event, subject, body, payload }, now)
}

/** Enqueues one message per subscriber of `kind` (the webhook gets the JSON payload) and sends at once. */
export async function send(
  deps: Deps,
  settings: NotificationSettings,
  kind: EventKind | 'run_finished',
  message: { event: string; subject: string; body: string; payload: object },
  now = new Date(),
): Promise<void> {
  const deliveries: Delivery[] = []
  if (kind !== 'run_finished')
    for (const r of settings.recipients)
      if (r.events.includes(kind)) deliveries.push({ channel: 'email', target: r.email, event: message.event, subject: message.subject, body: message.body })
  const hook = settings.webhook
  if (hook.url && (kind === 'run_finished' ? hook.everyRun : hook.events.includes(kind)))
    deliveries.push({ channel: 'webhook', target: hook.url, event: message.event, subject: message.subject, body: JSON.stringify(message.payload) })
  await enqueue(deps.db, deliveries, now)
  if (deliveries.length > 0)
    void deps.runs.track(deliverDue(deps).catch((err: Error) => deps.logger.error({ event: 'notification_send_failed', error: err.message }, 'sending failed')))
}

/** The incidents not recovered yet, oldest first. */
export function openIncidents(db: Deps['db']) {
  return db.selectFrom('notification_incidents').select(['summary', 'opened_at']).where('resolved_at', 'is', null).orderBy('opened_at').execute()
}
