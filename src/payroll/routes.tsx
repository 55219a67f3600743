import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../audit/audit-log.js'
import { readForm, readFormValues } from '../http/forms.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderPage, renderPageOrFragment } from '../http/render.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { PageHeader } from '../../views/components/list-view.js'
import { PayrollPage, PayrollSettingsForm } from '../../views/payroll/payroll-page.js'
import { requestedPeriod } from '../time-entries/routes.js'
import { approvePeriod, periodSummary, unlockPeriod } from './period-service.js'
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
  return renderPage(c, 'Payroll', <PayrollPage summary={summary} previous={previous} next={next} canApprove={perms.has('payroll.approve')} canSettings={perms.has('settings.manage')} unlockError={unlockError} policyText={policyText(settings)} />, status)
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
  return renderPageOrFragment(c, 'Pay policy', () => content, () => <PayrollSettingsForm form={form} />, status)
}

payrollRoutes.get('/settings', requires('settings.manage'), async (c) => settingsPage(c, emptyForm(formValues(await getPayrollSettings(c.var.db, c.var.config.timeZone)))))

payrollRoutes.post('/settings', requires('settings.manage'), async (c) => {
  const result = await readForm(c, payrollSettingsSchema)
  if (!result.ok) return settingsPage(c, result, 422)
  const before = await getPayrollSettings(c.var.db, c.var.config.timeZone)
  await savePayrollSettings(c.var.db, actorOf(c), before, result.data)
  setFlash(c, 'Saved the pay policy.')
  return redirectTo(c, '/payroll')
})
