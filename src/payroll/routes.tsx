import { listIntegrationRows } from '../integrations/integration-service.js'
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { readForm, readFormValues } from '../http/forms.js'
import { formatTimestamp } from '../lib/format.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderPage, renderPageOrFragment } from '../http/render.js'
import { renderError } from '../http/errors.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { PageHeader } from '../../views/components/list-view.js'
import { FileProblemsPage, FileSettingsForm, PayrollPage, PayrollSettingsForm, type PublishTargetView } from '../../views/payroll/payroll-page.js'
import { startSending } from './publish-sender.js'
import { canMatch, matchTargetRecords } from './target-links.js'
import { checkFileExport, exportPayrollFile, fileExports } from './file-exports.js'
import { MODULES } from '../connectors/kit/records.js'
import { checkPublish, publishPeriod, publishState, retryFailed } from './publish-service.js'
import type { Period } from './pay-periods.js'
import { FILE_LABELS, type FileFormat } from './payroll-files.js'
import { fileSettingsSchema, fileSettingsValues, getFileSettings, payrollFileFor, saveFileSettings } from './file-service.js'
import { MappingPage } from '../../views/payroll/mapping-page.js'
import {
  createGroup,
  employeeGroupsPage,
  groupsOf,
  listGroups,
  mappingOf,
  payrollTargets,
  saveMapping,
  setEmployeeGroup,
  mappingChoices,
} from './mapping-service.js'
import { requestedPeriod } from '../time-entries/routes.js'
import { approvePeriod, periodSummary, unlockPeriod, type PeriodSummary } from './period-service.js'
import { formValues, getPayrollSettings, payrollSettingsSchema, savePayrollSettings, type PayrollSettings } from './payroll-settings.js'

export const payrollRoutes = new Hono<AppEnv>()

const h = (m: number) => `${m / 60} h`
function policyText(s: PayrollSettings): string {
  const p = s.policy
  const parts = [`overtime after ${h(p.weeklyOvertimeAfter)} a week`]
  if (p.dailyOvertimeAfter !== null) parts.push(`after ${h(p.dailyOvertimeAfter)} a day`)
  if (p.dailyDoubleTimeAfter !== null) parts.push(`double time after ${h(p.dailyDoubleTimeAfter)} a day`)
  if (p.seventhDayRule) parts.push('the seventh consecutive day rule')
  return `REG time is split by the pay policy: ${parts.join(', ')}; weeks start on ${p.workWeekStart}.`
}

async function page(c: Parameters<typeof requestedPeriod>[0], unlockError?: string, status: 200 | 422 = 200) {
  const { settings, period, previous, next } = await requestedPeriod(c)
  const summary = await periodSummary(c.var.db, settings, period)
  const perms = c.var.user!.permissions
  const fileFormats = Object.entries(FILE_LABELS).map(([key, label]) => ({ key, label }))
  const targets = perms.has('payroll.publish') ? await publishTargets(c, settings, period, summary) : []
  return renderPage(
    c,
    'Payroll',
    <PayrollPage
      summary={summary}
      previous={previous}
      next={next}
      canApprove={perms.has('payroll.approve')}
      canSettings={perms.has('settings.manage')}
      canPublish={perms.has('payroll.publish')}
      unlockError={unlockError}
      policyText={policyText(settings)}
      fileFormats={fileFormats}
      targets={targets}
    />,
    status,
  )
}

payrollRoutes.get('/', requires('payroll.view'), (c) => page(c))

payrollRoutes.post('/approve', requires('payroll.approve'), async (c) => {
  const { period } = await requestedPeriod(c)
  const result = await approvePeriod(c.var.db, actorOf(c), period)
  setFlash(c, result.ok ? `Approved and locked ${period.start} to ${period.end}.` : result.error, result.ok ? 'success' : 'error')
  return redirectTo(c, `/payroll?period=${period.start}`)
})

payrollRoutes.post('/unlock', requires('payroll.approve'), async (c) => {
  const { period } = await requestedPeriod(c)
  const { reason = '' } = await readFormValues(c)
  const result = await unlockPeriod(c.var.db, actorOf(c), period, reason)
  if (!result.ok) return page(c, result.error, 422)
  setFlash(c, `Unlocked ${period.start} to ${period.end}.`)
  return redirectTo(c, `/payroll?period=${period.start}`)
})

async function settingsPage(c: Parameters<typeof requestedPeriod>[0], form: FormState, status: 200 | 422 = 200) {
  const content = (
    <>
      <PageHeader title='Pay policy' breadcrumb={{ href: '/payroll', label: 'Payroll' }} />
      <PayrollSettingsForm form={form} />
    </>
  )
  return renderPageOrFragment(
    c,
    'Pay policy',
    () => content,
    () => <PayrollSettingsForm form={form} />,
    status,
  )
}

payrollRoutes.get('/settings', requires('settings.manage'), async (c) =>
  settingsPage(c, emptyForm(formValues(await getPayrollSettings(c.var.db, c.var.config.timeZone)))),
)

payrollRoutes.post('/settings', requires('settings.manage'), async (c) => {
  const result = await readForm(c, payrollSettingsSchema)
  if (!result.ok) return settingsPage(c, result, 422)
  const before = await getPayrollSettings(c.var.db, c.var.config.timeZone)
  await savePayrollSettings(c.var.db, actorOf(c), before, result.data)
  setFlash(c, 'Saved the pay policy.')
  return redirectTo(c, '/payroll')
})

// ── Payroll item mapping ───────────────────────────────────────────────────────────────────────

async function mappingPage(c: Context<AppEnv>, error?: string, status: 200 | 422 = 200) {
  const targets = await payrollTargets(c.var.db, c.var.deps.connectors)
  const target = targets.find((t) => t.key === c.req.query('target')) ?? targets[0]!
  const groups = await listGroups(c.var.db, target.key)
  const group = groups.find((g) => g.id === Number(c.req.query('group'))) ?? groups.find((g) => g.is_default === 1)!
  const q = c.req.query('q') ?? ''
  const employees = await employeeGroupsPage(c.var.db, target.key, { q, page: Number(c.req.query('page')) || 1 })
  const view = {
    q,
    targets,
    target,
    groups,
    group,
    ...(await mappingChoices(c.var.db)),
    mapping: await mappingOf(c.var.db, group.id),
    employees,
    canEdit: c.var.user!.permissions.has('payroll.set_item_group'),
    error,
  }
  return renderPage(c, 'Payroll item mapping', <MappingPage {...view} />, status)
}

payrollRoutes.get('/mapping', requires('payroll.view'), (c) => mappingPage(c))

/** The group a mapping form writes to: ?group=, or (0) the target's default group, stored now if it was not yet. */
async function groupToWrite(c: Context<AppEnv>, id = Number(c.req.query('group')) || 0): Promise<number> {
  if (id !== 0) return id
  const target = c.req.query('target') ?? ''
  if (!(await payrollTargets(c.var.db, c.var.deps.connectors)).some((t) => t.key === target)) return 0
  return (await groupsOf(c.var.db, target)).find((g) => g.is_default === 1)!.id
}

payrollRoutes.post('/mapping/save', requires('payroll.set_item_group'), async (c) => {
  const body = await c.req.parseBody()
  const mapping: Record<string, number | null> = {}
  for (const [k, v] of Object.entries(body)) if (k.startsWith('pay_')) mapping[k.slice(4)] = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null
  const result = await saveMapping(c.var.db, actorOf(c), await groupToWrite(c), mapping)
  if (!result.ok) return mappingPage(c, result.error, 422)
  setFlash(c, 'Saved the mapping.')
  return redirectTo(c, `/payroll/mapping?${new URLSearchParams({ target: c.req.query('target') ?? '', group: c.req.query('group') ?? '' })}`)
})

payrollRoutes.post('/mapping/groups', requires('payroll.set_item_group'), async (c) => {
  const { name = '' } = await readFormValues(c)
  const target = c.req.query('target') ?? ''
  if (!(await payrollTargets(c.var.db, c.var.deps.connectors)).some((t) => t.key === target)) return mappingPage(c, 'Choose a payroll target first', 422)
  const result = await createGroup(c.var.db, actorOf(c), target, name)
  if (!result.ok) return mappingPage(c, result.error, 422)
  setFlash(c, `Added the group ${name.trim()}.`)
  return redirectTo(c, `/payroll/mapping?${new URLSearchParams({ target, group: String(result.id) })}`)
})

payrollRoutes.post('/mapping/employees', requires('payroll.set_item_group'), async (c) => {
  const body = await c.req.parseBody({ all: true })
  const ids = ([] as unknown[])
    .concat(body.employee_id ?? [])
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n > 0)
  const result = await setEmployeeGroup(c.var.db, actorOf(c), await groupToWrite(c, Number(body.group) || 0), ids)
  if (!result.ok) return mappingPage(c, result.error, 422)
  setFlash(c, `Set the payroll item group of ${result.changed} employee(s).`)
  return redirectTo(c, `/payroll/mapping?target=${encodeURIComponent(c.req.query('target') ?? '')}`)
})

// ── Payroll files ──────────────────────────────────────────────────────────────────────────────

async function fileSettingsPage(c: Context<AppEnv>, form: FormState, status: 200 | 422 = 200) {
  const content = (
    <>
      <PageHeader title='Payroll file settings' breadcrumb={{ href: '/payroll', label: 'Payroll' }} />
      <FileSettingsForm form={form} />
    </>
  )
  return renderPageOrFragment(
    c,
    'Payroll file settings',
    () => content,
    () => <FileSettingsForm form={form} />,
    status,
  )
}

payrollRoutes.get('/files/settings', requires('payroll.publish'), async (c) =>
  fileSettingsPage(c, emptyForm(fileSettingsValues(await getFileSettings(c.var.db)))),
)

payrollRoutes.post('/files/settings', requires('payroll.publish'), async (c) => {
  const result = await readForm(c, fileSettingsSchema)
  if (!result.ok) return fileSettingsPage(c, result, 422)
  await saveFileSettings(c.var.db, actorOf(c), result.data)
  setFlash(c, 'Saved the payroll file settings.')
  return redirectTo(c, '/payroll')
})

payrollRoutes.get('/files/:format', requires('payroll.publish'), async (c) => {
  const format = c.req.param('format') as FileFormat
  if (!Object.hasOwn(FILE_LABELS, format)) return renderError(c, 404)
  const { settings, period } = await requestedPeriod(c)
  const result = await payrollFileFor(c.var.db, actorOf(c), settings, period, format)
  if (!result.ok) return renderPage(c, 'Payroll file', <FileProblemsPage format={FILE_LABELS[format]} problems={result.problems} period={period.start} />, 422)
  return c.body(result.file.body, 200, { 'content-type': result.file.contentType, 'content-disposition': `attachment; filename="${result.file.filename}"` })
})

// ── Publishing ─────────────────────────────────────────────────────────────────────────────────

/** The activated integrations that publish payroll. */
async function publishConnectors(c: Context<AppEnv>) {
  const active = new Set((await listIntegrationRows(c.var.db)).filter((r) => r.activated).map((r) => r.id))
  return c.var.deps.connectors.filter((x) => x.publishesPayroll && x.publishPayload && active.has(x.id))
}

/** Lines sent whose answer has not come back: when they are checked next (null: at the agent's next visit), and why. */
function unconfirmedView(lines: { status: string; next_check_at: string | null; message: string | null }[]): PublishTargetView['unconfirmed'] {
  const waiting = lines.filter((l) => l.status === 'unconfirmed')
  if (waiting.length === 0) return null
  const checks = waiting
    .map((l) => l.next_check_at)
    .filter((t): t is string => !!t)
    .sort()
  return { nextCheckAt: checks[0] ?? null, reason: waiting.find((l) => l.message)?.message ?? null }
}

async function publishTargets(c: Context<AppEnv>, settings: PayrollSettings, period: Period, summary: PeriodSummary): Promise<PublishTargetView[]> {
  const out: PublishTargetView[] = []
  for (const connector of await publishConnectors(c)) {
    const check = await (connector.publishFile ? checkFileExport : checkPublish)(c.var.db, settings, period, connector, summary)
    const state = await publishState(c.var.db, connector.id, period)
    const count = (s: string) => state.lines.filter((l) => l.status === s).length
    out.push({
      key: connector.id,
      name: connector.name,
      blocking: check.blocking,
      warnings: check.warnings,
      counts: { pending: count('pending'), sent: count('sent'), failed: count('failed'), unconfirmed: count('unconfirmed') },
      unconfirmed: unconfirmedView(state.lines),
      failed: state.lines.filter((l) => l.status === 'failed').map((l) => ({ date: l.date, payId: l.pay_id, minutes: l.minutes, message: l.message })),
      waiting: state.lines.find((l) => l.status === 'pending' && l.message)?.message ?? null,
      runs: state.runs,
      agentName: connector.agentName,
      canMatch: canMatch(connector),
      file: connector.publishFile ? { label: connector.publishFile.label, exports: await fileExports(c.var.db, connector.id, period) } : undefined,
    })
  }
  return out
}

payrollRoutes.post('/publish/:target', requires('payroll.publish'), async (c) => {
  const connector = (await publishConnectors(c)).find((x) => x.id === c.req.param('target'))
  if (!connector || connector.publishFile) return renderError(c, 404)
  const { settings, period } = await requestedPeriod(c)
  const result = await publishPeriod(c.var.db, actorOf(c), settings, period, connector)
  if (!result.ok) setFlash(c, `Not published: ${result.check.blocking.map((b) => b.message).join('; ')}.`, 'error')
  else {
    const changes = result.added + result.corrected + result.removed
    const when =
      changes === 0 ? '' : connector.agentName ? ` They go on ${connector.agentName}'s next visit.` : ' Sending now: each line shows its status below.'
    setFlash(
      c,
      `Published to ${connector.name}: ${result.added} new, ${result.corrected} corrected, ${result.removed} removed, ${result.unchanged} unchanged.${when}`,
    )
    if (connector.publish) void startSending(c.var.deps, connector)
  }
  return redirectTo(c, `/payroll?period=${period.start}`)
})

payrollRoutes.post('/publish/:target/export', requires('payroll.publish'), async (c) => {
  const connector = (await publishConnectors(c)).find((x) => x.id === c.req.param('target'))
  if (!connector?.publishFile) return renderError(c, 404)
  const { settings, period } = await requestedPeriod(c)
  const { confirm } = await readFormValues(c)
  const result = await exportPayrollFile(c.var.db, actorOf(c), settings, period, connector, confirm === '1')
  if (result.ok) {
    c.header('Content-Disposition', `attachment; filename="${result.filename}"`)
    return c.body(result.content, 200, { 'Content-Type': 'text/csv; charset=utf-8' })
  }
  if ('check' in result) setFlash(c, `No ${connector.publishFile.label} made: ${result.check.blocking.map((b) => b.message).join('; ')}.`, 'error')
  else {
    const e = result.alreadyExported
    setFlash(
      c,
      `This period's ${connector.publishFile.label} was already exported on ${formatTimestamp(e.exported_at)} by ${e.exported_by_name} (${e.lines} line${e.lines === 1 ? '' : 's'}); the file now would be ${result.sameFile ? 'identical' : 'different'}. Nothing was exported: use Export again to make another file, and import only one of them in Sage.`,
      'error',
    )
  }
  return redirectTo(c, `/payroll?period=${period.start}`)
})

payrollRoutes.post('/publish/:target/match', requires('payroll.publish'), async (c) => {
  const connector = (await publishConnectors(c)).find((x) => x.id === c.req.param('target'))
  if (!connector) return renderError(c, 404)
  const { period } = await requestedPeriod(c)
  const result = await matchTargetRecords(c.var.deps, actorOf(c), connector)
  if (!result.ok) setFlash(c, result.message, 'error')
  else {
    const matched = result.results.map((r) => `${r.matched} ${MODULES[r.module].label.toLowerCase()}`).join(', ')
    const missing = result.results.flatMap((r) => r.unmatched)
    setFlash(
      c,
      `Matched with ${connector.name}: ${matched}.${missing.length > 0 ? ` No match in ${connector.name} for ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}.` : ''}`,
    )
  }
  return redirectTo(c, `/payroll?period=${period.start}`)
})

payrollRoutes.post('/publish/:target/retry', requires('payroll.publish'), async (c) => {
  const connector = (await publishConnectors(c)).find((x) => x.id === c.req.param('target'))
  if (!connector) return renderError(c, 404)
  const { period } = await requestedPeriod(c)
  const n = await retryFailed(c.var.db, actorOf(c), connector.id, period)
  setFlash(c, `${n} failed line(s) will be sent again.`)
  if (connector.publish) void startSending(c.var.deps, connector)
  return redirectTo(c, `/payroll?period=${period.start}`)
})
