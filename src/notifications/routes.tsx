import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { renderPage } from '../http/render.js'
import type { FormState } from '../../views/components/form-fields.js'
import { NotificationsForm, NotificationsPage } from '../../views/notifications/notifications-page.js'
import {
  EVENT_KINDS,
  EVENT_LABELS,
  loadNotificationSettings,
  notificationForm,
  saveNotificationSettings,
  type NotificationSettings,
} from './notification-settings.js'
import { postWebhook, recentDeliveries, sendEmail } from './outbox.js'
import { openIncidents } from './incidents.js'

// Settings > Notifications: who is told what, the two test buttons, and what was sent lately.

export const notificationRoutes = new Hono<AppEnv>()

const EVENTS = EVENT_KINDS.map((kind) => ({ kind, label: EVENT_LABELS[kind] }))
/** Rows of the recipients table a form reads (the page shows the saved ones and two empty). */
const MAX_RECIPIENTS = 50

function valuesOf(s: NotificationSettings): Record<string, string> {
  const values: Record<string, string> = {
    smtp_host: s.smtp.host,
    smtp_port: String(s.smtp.port),
    smtp_security: s.smtp.security,
    smtp_username: s.smtp.username,
    smtp_from: s.smtp.from,
    webhook_url: s.webhook.url,
    webhook_every_run: s.webhook.everyRun ? 'on' : '',
    digest_hour: String(s.digestHour),
  }
  s.recipients.forEach((r, i) => {
    values[`recipient_${i}_email`] = r.email
    for (const kind of r.events) values[`recipient_${i}_${kind}`] = 'on'
  })
  for (const kind of s.webhook.events) values[`webhook_${kind}`] = 'on'
  return values
}

const rowsFor = (values: Record<string, string>) => {
  let used = 0
  while (values[`recipient_${used}_email`] !== undefined) used++
  return Math.min(MAX_RECIPIENTS, used + 2)
}

/** The page over the saved settings (`saved`: which secrets are kept) with `form` as shown. */
async function page(
  c: Context<AppEnv>,
  saved: NotificationSettings,
  form: FormState,
  status: 200 | 422 = 200,
  testResult?: { kind: 'success' | 'error'; text: string },
) {
  const incidents = await openIncidents(c.var.db)
  const formView = (
    <NotificationsForm
      form={form}
      events={EVENTS}
      rows={rowsFor(form.values)}
      secrets={{ password: !!saved.smtp.password, webhookSecret: !!saved.webhook.secret }}
    />
  )
  if (c.req.header('HX-Request') && status === 422 && !testResult) return c.html(formView, 422)
  return renderPage(
    c,
    'Notifications',
    <NotificationsPage
      form={formView}
      deliveries={await recentDeliveries(c.var.db)}
      incidents={incidents}
      testResult={testResult}
      userEmail={c.var.user!.email}
    />,
    status,
  )
}

notificationRoutes.get('/', requires('settings.manage'), async (c) => {
  const saved = await loadNotificationSettings(c.var.deps)
  return page(c, saved, { values: valuesOf(saved), errors: {} })
})

notificationRoutes.post('/', requires('settings.manage'), async (c) => {
  const body = await c.req.parseBody({ all: true })
  const one = (k: string) => {
    const v = body[k]
    return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined
  }
  const many = (k: string) => {
    const v = body[k]
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string')
  }
  const recipients = Array.from({ length: MAX_RECIPIENTS }, (_, i) => ({ email: one(`recipient_${i}_email`) ?? '', events: many(`recipient_${i}_events`) }))
  // What the form shows again when something is wrong: the values as typed.
  const values: Record<string, string> = {}
  for (const k of ['smtp_host', 'smtp_port', 'smtp_security', 'smtp_username', 'smtp_from', 'webhook_url', 'digest_hour', 'webhook_every_run'])
    values[k] = one(k) ?? ''
  recipients.forEach((r, i) => {
    if (!r.email && r.events.length === 0) return
    values[`recipient_${i}_email`] = r.email
    for (const kind of r.events) values[`recipient_${i}_${kind}`] = 'on'
  })
  for (const kind of many('webhook_events')) values[`webhook_${kind}`] = 'on'
  const parsed = notificationForm.safeParse({
    ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v])),
    recipients,
    webhook_events: many('webhook_events'),
  })
  if (!parsed.success) {
    const errors: Record<string, string> = {}
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '_form')
      errors[key] ??= issue.message
    }
    errors._form ??= 'Nothing was saved: fix the fields marked below.'
    return page(c, await loadNotificationSettings(c.var.deps), { values, errors }, 422)
  }
  const saved = await saveNotificationSettings(c.var.deps, actorOf(c), parsed.data)
  await c.var.deps.scheduler.reload()
  return page(c, saved, { values: valuesOf(saved), errors: {} }, 200, { kind: 'success', text: 'Saved: who is told what.' })
})

notificationRoutes.post('/test-email', requires('settings.manage'), async (c) => {
  const settings = await loadNotificationSettings(c.var.deps)
  const form = { values: valuesOf(settings), errors: {} }
  const to = z.email().safeParse(((await c.req.parseBody()).to as string | undefined)?.trim())
  if (!to.success) return page(c, settings, form, 422, { kind: 'error', text: 'Enter the address the test message goes to, such as you@example.com.' })
  const result = await sendEmail(settings, {
    target: to.data,
    subject: 'Clockbridge test message',
    body: `This is a test message from Clockbridge, sent by ${c.var.user!.email} from Settings > Notifications.\nIf you read it, Clockbridge can tell you when unattended work fails.\n`,
  })
  return result.ok
    ? page(c, settings, form, 200, { kind: 'success', text: `Sent a test message to ${to.data} through ${settings.smtp.host}.` })
    : page(c, settings, form, 422, { kind: 'error', text: `The test message was not sent: ${result.error}` })
})

notificationRoutes.post('/test-webhook', requires('settings.manage'), async (c) => {
  const settings = await loadNotificationSettings(c.var.deps)
  const form = { values: valuesOf(settings), errors: {} }
  if (!settings.webhook.url) return page(c, settings, form, 422, { kind: 'error', text: 'Save a webhook URL first.' })
  const body = JSON.stringify({ event: 'test', summary: 'A test event from Clockbridge', by: c.var.user!.email, at: new Date().toISOString() })
  const result = await postWebhook(settings, { id: 0, target: settings.webhook.url, event: 'test', body })
  return result.ok
    ? page(c, settings, form, 200, { kind: 'success', text: `The webhook answered ${result.status}: it works.` })
    : page(c, settings, form, 422, { kind: 'error', text: `The test event was not delivered: ${result.error}` })
})
