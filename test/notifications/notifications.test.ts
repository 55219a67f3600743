import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { qboHub, type QboHub } from '../helpers/qbo.js'
import { post } from '../helpers/requests.js'
import { smtpReceiver, webhookReceiver } from '../helpers/receivers.js'
import { QBO_ID } from '../../src/connectors/quickbooks-online/connector.js'
import { deliverDue } from '../../src/notifications/outbox.js'
import { sendDigest } from '../../src/notifications/digest.js'
import { watchIncidents } from '../../src/notifications/watch.js'

// Told when unattended work fails: a real SMTP server and a real HTTP receiver on 127.0.0.1, a
// scheduled sync against the QuickBooks Online simulator failing and recovering.

const SECRET = 'whsec-test-0123456789'
const PAGE = '/settings/notifications'

/** Who is told what, saved through the Notifications page as an admin does. */
async function setUp(h: QboHub, smtpPort: number, hookUrl: string, extra: Record<string, string | string[]> = {}) {
  const res = await post(
    h.t.app,
    PAGE,
    {
      smtp_host: '127.0.0.1',
      smtp_port: String(smtpPort),
      smtp_security: 'none',
      smtp_username: '',
      smtp_password: '',
      smtp_from: 'clockbridge@example.com',
      recipient_0_email: 'Ops@Example.com',
      recipient_0_events: ['sync_failed', 'digest'],
      recipient_1_email: 'payroll@example.com',
      recipient_1_events: ['publish_problem'],
      webhook_url: hookUrl,
      webhook_secret: SECRET,
      webhook_events: ['sync_failed'],
      digest_hour: '7',
      ...extra,
    },
    { cookie: h.admin.cookie },
  )
  expect(res.status).toBe(200)
  expect(await res.text()).toContain('Saved: who is told what.')
}

const verify = (signature: string, body: string) => {
  const [t, v1] = signature.split(',').map((p) => p.split('=')[1]!)
  return createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex') === v1
}

/** One scheduled occurrence of the employees sync, due at `minute` past midnight today (each claimed once). */
async function scheduledSync(h: QboHub, minute: number) {
  const due = new Date()
  due.setUTCHours(0, minute, 0, 0)
  expect(await h.t.deps.scheduler.tick(QBO_ID, 'employees', due)).toBe(true)
}

async function settle(h: QboHub) {
  // runFinished tells in the background: wait until the run's incident row says it was looked at, then empty the outbox as the minute job would.
  const [run] = await h.t.db.selectFrom('sync_runs').select(['finished_at']).orderBy('id', 'desc').limit(1).execute()
  await expect
    .poll(
      async () => {
        const incident = await h.t.db.selectFrom('notification_incidents').select(['last_seen_at', 'resolved_at']).executeTakeFirst()
        return !!incident && (incident.last_seen_at >= run!.finished_at! || (incident.resolved_at ?? '') >= run!.finished_at!)
      },
      { timeout: 5000 },
    )
    .toBe(true)
  await deliverDue(h.t.deps)
}

describe('notifications', () => {
  it('a failing scheduled sync sends one e-mail and one signed webhook, however often it fails again; its recovery one more each', async () => {
    const h = await qboHub({ employees: 4 })
    await h.connect()
    const smtp = await smtpReceiver()
    const hook = await webhookReceiver()
    await setUp(h, smtp.port, hook.url)
    await h.t.deps.scheduler.start(h.t.deps)
    try {
      for (const minute of [1, 2, 3]) {
        h.sim.faults.push({ kind: 'malformed-json' })
        await scheduledSync(h, minute)
        await settle(h)
      }
      const runs = await h.t.db.selectFrom('sync_runs').select('status').execute()
      expect(runs.map((r) => r.status)).toEqual(['failed', 'failed', 'failed'])
      await expect.poll(() => smtp.messages.length, { timeout: 5000 }).toBe(1)
      expect(smtp.messages[0]).toMatchObject({ to: ['ops@example.com'], subject: 'Clockbridge: the scheduled sync of QuickBooks Online Employees failed' })
      expect(smtp.messages[0]!.text).toContain('http://localhost/integrations/quickbooks-online/history')
      await expect.poll(() => hook.requests.length, { timeout: 5000 }).toBe(1)
      const [first] = hook.requests
      expect(verify(String(first!.headers['clockbridge-signature']), first!.body)).toBe(true)
      expect(verify(String(first!.headers['clockbridge-signature']), first!.body.replace('failed', 'passed'))).toBe(false)
      expect(JSON.parse(first!.body)).toMatchObject({ event: 'incident.opened', kind: 'sync_failed', key: 'sync:quickbooks-online:employees' })

      await scheduledSync(h, 4)
      await settle(h)
      await expect.poll(() => smtp.messages.length, { timeout: 5000 }).toBe(2)
      expect(smtp.messages[1]!.subject).toBe('Clockbridge: recovered: the scheduled sync of QuickBooks Online Employees failed')
      await expect.poll(() => hook.requests.length, { timeout: 5000 }).toBe(2)
      // However long one waits, no more: one notice per incident, one per recovery.
      await deliverDue(h.t.deps)
      expect([smtp.messages.length, hook.requests.length]).toEqual([2, 2])
      expect(JSON.parse(hook.requests[1]!.body)).toMatchObject({ event: 'incident.recovered' })
      // Nobody who did not ask was told.
      expect(smtp.messages.flatMap((m) => m.to)).not.toContain('payroll@example.com')
    } finally {
      h.t.deps.scheduler.stop()
    }
  })

  it('retries a webhook the receiver refuses, with back-off, and shows each delivery on the page', async () => {
    const h = await qboHub({ employees: 2 })
    await h.connect()
    const smtp = await smtpReceiver()
    const hook = await webhookReceiver({ failFirst: 1 })
    await setUp(h, smtp.port, hook.url, { webhook_every_run: 'on' })
    await h.sync('employees')
    // The run tells in the background, which sends at once.
    await expect.poll(() => hook.requests.length, { timeout: 5000 }).toBe(1)
    await expect.poll(async () => (await h.t.db.selectFrom('notification_deliveries').select('attempts').executeTakeFirst())?.attempts).toBe(1)
    const [delivery] = await h.t.db.selectFrom('notification_deliveries').selectAll().execute()
    expect(delivery).toMatchObject({
      channel: 'webhook',
      status: 'pending',
      attempts: 1,
      response_status: 500,
      last_error: 'The receiver answered 500 Internal Server Error',
    })
    // Not yet due: nothing is sent again before its time.
    expect(await deliverDue(h.t.deps)).toBe(0)
    expect(await deliverDue(h.t.deps, new Date(Date.now() + 31_000))).toBe(1)
    expect(hook.requests).toHaveLength(2)
    expect(hook.requests[1]!.headers['clockbridge-delivery']).toBe(hook.requests[0]!.headers['clockbridge-delivery'])
    expect(JSON.parse(hook.requests[1]!.body)).toMatchObject({
      event: 'run.finished',
      run: { integration: 'quickbooks-online', module: 'employees', status: 'succeeded', new: 2 },
    })
    const page = await (await h.t.app.request(`http://localhost${PAGE}`, { headers: { cookie: h.admin.cookie } })).text()
    expect(page).toContain('Webhook: ' + hook.url)
    expect(page).toMatch(/Sent [\d-]+ [\d:]+ UTC \(204\)/)
  })

  it('tells of a connection to reconnect once, and of its recovery, from the minute job; the digest lists the day', async () => {
    const h = await qboHub({ employees: 2 })
    await h.connect()
    const smtp = await smtpReceiver()
    const hook = await webhookReceiver()
    await setUp(h, smtp.port, hook.url, { recipient_1_events: ['credentials_expired'] })
    await h.sync('employees')
    await h.t.db
      .updateTable('integration_connections')
      .set({ status: 'reconnect_needed', last_error: 'QuickBooks Online refused the saved authorization (invalid_grant)' })
      .execute()
    await watchIncidents(h.t.deps)
    await watchIncidents(h.t.deps)
    await deliverDue(h.t.deps)
    await expect.poll(() => smtp.messages.length).toBe(1)
    expect(smtp.messages.map((m) => [m.to[0], m.subject])).toEqual([['payroll@example.com', 'Clockbridge: QuickBooks Online must be reconnected']])
    await h.t.db.updateTable('integration_connections').set({ status: 'connected' }).execute()
    await watchIncidents(h.t.deps)
    await deliverDue(h.t.deps)
    await expect.poll(() => smtp.messages.length).toBe(2)
    expect(smtp.messages[1]!.subject).toBe('Clockbridge: recovered: QuickBooks Online must be reconnected')

    expect(await sendDigest(h.t.deps)).toEqual({ runs: 1 })
    await deliverDue(h.t.deps)
    await expect.poll(() => smtp.messages.length).toBe(3)
    const digest = smtp.messages.find((m) => m.subject.startsWith('Clockbridge daily digest'))!
    expect(digest.to).toEqual(['ops@example.com'])
    expect(digest.subject).toBe('Clockbridge daily digest: 1 sync run(s), 0 open issue(s)')
    expect(digest.text).toContain('- QuickBooks Online Employees: 1 run(s); 2 new, 0 changed, 0 removed, 0 row error(s)')
  })

  it('refuses bad settings with the reason beside each field and saves nothing; sends a test message and says when it cannot', async () => {
    const h = await qboHub({ employees: 1 })
    const bad = await post(
      h.t.app,
      PAGE,
      {
        smtp_host: 'smtp example',
        smtp_port: '70000',
        smtp_security: 'starttls',
        smtp_from: 'not-an-address',
        recipient_0_email: 'someone',
        recipient_0_events: ['sync_failed'],
        recipient_1_email: 'ops@example.com',
        webhook_url: 'ftp://example.com/hook',
        digest_hour: '24',
      },
      { cookie: h.admin.cookie },
    )
    expect(bad.status).toBe(422)
    const html = await bad.text()
    for (const message of [
      'SMTP host must be a host name such as smtp.example.com',
      'SMTP port must be a number from 1 to 65535',
      'From must be an email address',
      'someone is not an email address',
      'Choose what ops@example.com is told, or remove the address',
      'The webhook URL must start with https://',
      'Digest hour must be a whole hour from 0 to 23',
    ])
      expect(html).toContain(message)
    expect(await h.t.db.selectFrom('settings').select('key').where('key', '=', 'notifications').execute()).toEqual([])

    const none = await post(h.t.app, `${PAGE}/test-email`, { to: 'me@example.com' }, { cookie: h.admin.cookie })
    expect(none.status).toBe(422)
    expect(await none.text()).toContain('No SMTP server is set up')
    const smtp = await smtpReceiver({ user: 'mailer', pass: 'right' })
    await setUp(h, smtp.port, '', { smtp_username: 'mailer', smtp_password: 'wrong', webhook_events: [] })
    const refused = await post(h.t.app, `${PAGE}/test-email`, { to: 'me@example.com' }, { cookie: h.admin.cookie })
    expect(await refused.text()).toContain(`The test message was not sent: The SMTP server 127.0.0.1:${smtp.port} refused or did not answer`)
    await setUp(h, smtp.port, '', { smtp_username: 'mailer', smtp_password: 'right', webhook_events: [] })
    const sent = await post(h.t.app, `${PAGE}/test-email`, { to: 'me@example.com' }, { cookie: h.admin.cookie })
    expect(await sent.text()).toContain('Sent a test message to me@example.com through 127.0.0.1.')
    expect(smtp.messages.map((m) => m.subject)).toEqual(['Clockbridge test message'])
    // The password is stored sealed, never as typed.
    const stored = await h.t.db.selectFrom('settings').select('value').where('key', '=', 'notifications').executeTakeFirstOrThrow()
    expect(stored.value).not.toContain('right')
  })
})

describe('what the minute job looks at', () => {
  it('a target with failed lines, or lines unconfirmed for ten minutes, is one incident until they are sent; a silent Web Connector another', async () => {
    const { createTestApp, signInAs } = await import('../helpers/test-app.js')
    const { activateSource } = await import('../helpers/hub.js')
    const { quickbooksDesktopConnector } = await import('../../src/connectors/quickbooks-desktop/connector.js')
    const { connectorStore } = await import('../../src/integrations/connector-store.js')
    const t = await createTestApp()
    await activateSource(t.db, quickbooksDesktopConnector, t.deps.connectors)
    const admin = await signInAs(t.db, 'admin')
    const smtp = await smtpReceiver()
    const res = await post(
      t.app,
      PAGE,
      {
        smtp_host: '127.0.0.1',
        smtp_port: String(smtp.port),
        smtp_security: 'none',
        smtp_from: 'clockbridge@example.com',
        recipient_0_email: 'payroll@example.com',
        recipient_0_events: ['publish_problem', 'agent_silent'],
        digest_hour: '7',
      },
      { cookie: admin.cookie },
    )
    expect(res.status).toBe(200)
    const [employee] = await t.db
      .insertInto('employees')
      .values({
        first_name: 'Ana',
        last_name: 'Ruiz',
        pay_group: 'HOURLY',
        status: 'active',
        created_at: '2024-01-01T00:00:00Z',
        updated_at: '2024-01-01T00:00:00Z',
      })
      .returning('id')
      .execute()
    const now = new Date()
    const line = (status: 'failed' | 'unconfirmed' | 'sent', minutesAgo: number, key: string) => ({
      target: 'quickbooks-desktop',
      period_start: '2024-06-03',
      line_key: key,
      revision: 1,
      action: 'add' as const,
      employee_id: employee!.id,
      date: '2024-06-03',
      pay_id: 'REG',
      minutes: 480,
      payload: '{}',
      status,
      external_ref: null,
      message: status === 'failed' ? 'QuickBooks refused it: the item does not exist' : null,
      sent_at: null,
      updated_at: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
      attempt_id: null,
      next_check_at: null,
    })
    // Unconfirmed for two minutes only: it may settle at the next check, so nobody is told yet.
    await t.db
      .insertInto('publish_lines')
      .values([line('unconfirmed', 2, 'a')])
      .execute()
    await watchIncidents(t.deps, now)
    expect(await t.db.selectFrom('notification_incidents').select('key').execute()).toEqual([])
    await t.db
      .insertInto('publish_lines')
      .values([line('failed', 1, 'b')])
      .execute()
    await watchIncidents(t.deps, now)
    await watchIncidents(t.deps, new Date(now.getTime() + 60_000))
    await deliverDue(t.deps)
    await expect.poll(() => smtp.messages.length).toBe(1)
    expect(smtp.messages[0]!.subject).toBe('Clockbridge: publishing to QuickBooks Desktop: 1 failed, 0 unconfirmed line(s)')
    await t.db.updateTable('publish_lines').set({ status: 'sent' }).execute()
    await watchIncidents(t.deps, now)
    await expect.poll(() => smtp.messages.length).toBe(2)
    expect(smtp.messages[1]!.subject).toBe('Clockbridge: recovered: publishing to QuickBooks Desktop: 1 failed, 0 unconfirmed line(s)')

    // The Web Connector runs every 15 minutes by default: 40 minutes of silence is an incident, a call ends it.
    const store = connectorStore(t.db, 'quickbooks-desktop')
    await store.set('qbwc.lastContact', new Date(now.getTime() - 40 * 60_000).toISOString())
    await watchIncidents(t.deps, now)
    await expect.poll(() => smtp.messages.length).toBe(3)
    expect(smtp.messages[2]!.subject).toMatch(/^Clockbridge: the QuickBooks Web Connector has not called since /)
    await store.set('qbwc.lastContact', now.toISOString())
    await watchIncidents(t.deps, now)
    await expect.poll(() => smtp.messages.length).toBe(4)
    expect(smtp.messages[3]!.subject).toMatch(/^Clockbridge: recovered: the QuickBooks Web Connector has not called/)
  })
})
