import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { AppDeps } from '../http/app-env.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import { keyringOf } from '../integrations/integration-service.js'
import { open, seal } from '../lib/secret-box.js'

// Who is told what, and through which channel: e-mail through the customer's SMTP server, and one
// outgoing webhook. Kept in the settings table under one key; the SMTP password and the webhook's
// signing secret are sealed with the server's key, like integration credentials, and never shown again.

/** What someone can be told of. */
export const EVENT_KINDS = ['sync_failed', 'publish_problem', 'credentials_expired', 'agent_silent', 'digest'] as const
export type EventKind = (typeof EVENT_KINDS)[number]

export const EVENT_LABELS: Record<EventKind, string> = {
  sync_failed: 'A scheduled sync failed or partly failed',
  publish_problem: 'A publish has failed or unconfirmed lines',
  credentials_expired: 'A connection must be reconnected (expired credentials)',
  agent_silent: 'The Web Connector has not called for longer than its schedule',
  digest: 'The daily digest',
}

export type NotificationSettings = {
  smtp: { host: string; port: number; security: 'none' | 'starttls' | 'tls'; username: string; password: string | null; from: string }
  recipients: { email: string; events: EventKind[] }[]
  webhook: { url: string; secret: string | null; events: EventKind[]; everyRun: boolean }
  /** The hour (company time zone) the digest goes out. */
  digestHour: number
}

const KEY = 'notifications'
/** Stored form: the secrets sealed. */
type Stored = Omit<NotificationSettings, 'smtp' | 'webhook'> & {
  smtp: Omit<NotificationSettings['smtp'], 'password'> & { passwordSealed: string | null }
  webhook: Omit<NotificationSettings['webhook'], 'secret'> & { secretSealed: string | null }
}

export const EMPTY_SETTINGS: NotificationSettings = {
  smtp: { host: '', port: 587, security: 'starttls', username: '', password: null, from: '' },
  recipients: [],
  webhook: { url: '', secret: null, events: [], everyRun: false },
  digestHour: 7,
}

export async function loadNotificationSettings(deps: Pick<AppDeps, 'db' | 'config'>): Promise<NotificationSettings> {
  const row = await deps.db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst()
  if (!row) return EMPTY_SETTINGS
  const stored = JSON.parse(row.value) as Stored
  const keyring = keyringOf(deps.config)
  const { passwordSealed, ...smtp } = stored.smtp
  const { secretSealed, ...webhook } = stored.webhook
  return {
    ...stored,
    smtp: { ...smtp, password: passwordSealed ? open(keyring, passwordSealed) : null },
    webhook: { ...webhook, secret: secretSealed ? open(keyring, secretSealed) : null },
  }
}

async function store(db: Db, value: Stored): Promise<void> {
  const now = new Date().toISOString()
  const json = JSON.stringify(value)
  await db
    .insertInto('settings')
    .values({ key: KEY, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute()
}

const text = (max: number) => z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(max))
const events = z.preprocess(
  (v) => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]),
  z.array(z.enum(EVENT_KINDS, { error: 'Choose events from the list' })),
)

/** The form's fields. A blank password or secret keeps the saved one; `clear_*` removes it. */
export const notificationForm = z
  .object({
    smtp_host: text(200).refine((v) => v === '' || /^[A-Za-z0-9.-]+$/.test(v), 'SMTP host must be a host name such as smtp.example.com'),
    smtp_port: z.preprocess(
      (v) => (typeof v === 'string' && /^\s*\d{1,5}\s*$/.test(v) ? Number(v) : v),
      z
        .number({ error: 'SMTP port must be a number from 1 to 65535' })
        .int()
        .min(1, 'SMTP port must be a number from 1 to 65535')
        .max(65535, 'SMTP port must be a number from 1 to 65535'),
    ),
    smtp_security: z.enum(['none', 'starttls', 'tls'], { error: 'Choose how the connection is secured' }),
    smtp_username: text(200),
    smtp_password: text(500),
    clear_smtp_password: z.preprocess((v) => v === 'on' || v === '1', z.boolean()),
    smtp_from: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() : ''),
      z.union([z.literal(''), z.email({ error: 'From must be an email address such as clockbridge@example.com' })]),
    ),
    recipients: z.array(z.object({ email: z.string(), events })),
    webhook_url: text(2000).refine(
      (v) => v === '' || /^https?:\/\/[^\s]+$/.test(v),
      'The webhook URL must start with https:// (or http:// on a private network)',
    ),
    webhook_secret: text(500),
    clear_webhook_secret: z.preprocess((v) => v === 'on' || v === '1', z.boolean()),
    webhook_events: events,
    webhook_every_run: z.preprocess((v) => v === 'on' || v === '1', z.boolean()),
    digest_hour: z.preprocess(
      (v) => (typeof v === 'string' && /^\s*\d{1,2}\s*$/.test(v) ? Number(v) : v),
      z
        .number({ error: 'Digest hour must be a whole hour from 0 to 23' })
        .int()
        .min(0, 'Digest hour must be a whole hour from 0 to 23')
        .max(23, 'Digest hour must be a whole hour from 0 to 23'),
    ),
  })
  .superRefine((v, ctx) => {
    v.recipients.forEach((r, i) => {
      const email = r.email.trim()
      if (email && !z.email().safeParse(email).success)
        ctx.addIssue({ code: 'custom', path: [`recipient_${i}_email`], message: `${email} is not an email address such as name@example.com` })
      if (email && r.events.length === 0)
        ctx.addIssue({ code: 'custom', path: [`recipient_${i}_email`], message: `Choose what ${email} is told, or remove the address` })
    })
    if (v.recipients.some((r) => r.email.trim()) && (!v.smtp_host || !v.smtp_from))
      ctx.addIssue({ code: 'custom', path: ['smtp_host'], message: 'E-mail needs an SMTP host and a From address' })
    if (v.webhook_url && v.webhook_events.length === 0 && !v.webhook_every_run)
      ctx.addIssue({ code: 'custom', path: ['webhook_url'], message: 'Choose what the webhook is told, or remove its URL' })
  })

export type NotificationForm = z.infer<typeof notificationForm>

/** Saves the form over the saved settings (blank secrets kept), audited without the secrets. */
export async function saveNotificationSettings(deps: Pick<AppDeps, 'db' | 'config'>, actor: Actor, form: NotificationForm): Promise<NotificationSettings> {
  const before = await loadNotificationSettings(deps)
  const keyring = keyringOf(deps.config)
  const password = form.clear_smtp_password ? null : form.smtp_password || before.smtp.password
  const secret = form.clear_webhook_secret ? null : form.webhook_secret || before.webhook.secret
  const after: NotificationSettings = {
    smtp: { host: form.smtp_host, port: form.smtp_port, security: form.smtp_security, username: form.smtp_username, password, from: form.smtp_from },
    recipients: form.recipients.filter((r) => r.email.trim()).map((r) => ({ email: r.email.trim().toLowerCase(), events: r.events })),
    webhook: { url: form.webhook_url, secret, events: form.webhook_events, everyRun: form.webhook_every_run },
    digestHour: form.digest_hour,
  }
  await deps.db.transaction().execute(async (trx) => {
    await store(trx, {
      ...after,
      smtp: { ...after.smtp, password: undefined, passwordSealed: password ? seal(keyring, password) : null } as Stored['smtp'],
      webhook: { ...after.webhook, secret: undefined, secretSealed: secret ? seal(keyring, secret) : null } as Stored['webhook'],
    })
    const shown = (s: NotificationSettings) => ({
      ...s,
      smtp: { ...s.smtp, password: s.smtp.password ? '(set)' : null },
      webhook: { ...s.webhook, secret: s.webhook.secret ? '(set)' : null },
    })
    await recordAudit(trx, actor, {
      action: 'settings.notifications',
      entityType: 'settings',
      summary: `Changed who is told what: ${after.recipients.length} e-mail recipient(s)${after.webhook.url ? ', a webhook' : ''}`,
      before: shown(before),
      after: shown(after),
    })
  })
  return after
}
