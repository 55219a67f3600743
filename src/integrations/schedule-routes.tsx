import { Hono, type Context } from 'hono'
import cron from 'node-cron'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { isTimeZone } from '../config.js'
import { setFlash } from '../http/flash.js'
import { readFormValues } from '../http/forms.js'
import { validateForm, field, type FieldErrors, type FormValues } from '../lib/validation.js'
import { isHtmx, redirectTo } from '../http/htmx.js'
import { renderPage } from '../http/render.js'
import { getSettings } from '../settings/service.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import { MODULES, type ModuleId } from '../connectors/kit/records.js'
import { integrationOf, moduleOf, withModule } from './integration-page.js'
import { getSchedule, saveSchedule } from './schedules.js'
import { ScheduleForm, SchedulesSection, type ScheduleRowView } from '../../views/integrations/schedules.js'

export const PRESETS = { off: null, every15: '*/15 * * * *', hourly: '0 * * * *' } as const

const scheduleSchema = z
  .object({
    preset: field.choice('Schedule', ['off', 'every15', 'hourly', 'daily', 'custom'] as const),
    hour: z.coerce.number({ error: 'Hour must be 0 to 23' }).int().min(0, 'Hour must be 0 to 23').max(23, 'Hour must be 0 to 23').catch(2),
    cron: z.string().trim().max(100).default(''),
    time_zone: z
      .string()
      .trim()
      .refine((v) => v !== '' && isTimeZone(v), 'Time zone must be an IANA name such as America/Chicago'),
    auto_new: field.checkbox(),
    auto_updated: field.checkbox(),
  })
  .refine((v) => v.preset !== 'custom' || cron.validate(v.cron), {
    path: ['cron'],
    message: 'Enter a valid cron expression, such as 30 6 * * 1-5 (06:30 on weekdays)',
  })

function cronOf(v: z.output<typeof scheduleSchema>): string | null {
  if (v.preset === 'daily') return `0 ${v.hour} * * *`
  if (v.preset === 'custom') return v.cron
  return PRESETS[v.preset]
}

function presetOf(expr: string | null): { preset: string; hour: string; cron: string } {
  if (!expr) return { preset: 'off', hour: '2', cron: '' }
  if (expr === PRESETS.every15) return { preset: 'every15', hour: '2', cron: '' }
  if (expr === PRESETS.hourly) return { preset: 'hourly', hour: '2', cron: '' }
  const daily = expr.match(/^0 (\d{1,2}) \* \* \*$/)
  if (daily) return { preset: 'daily', hour: daily[1]!, cron: '' }
  return { preset: 'custom', hour: '2', cron: expr }
}

async function rowView(
  c: Context<AppEnv>,
  connector: AnyConnector,
  module: ModuleId,
  override?: { values: FormValues; errors: FieldErrors },
): Promise<ScheduleRowView> {
  const row = await getSchedule(c.var.db, connector.id, module)
  const tz = row?.time_zone ?? (await getSettings(c.var.db, c.var.config.timeZone)).companyTimeZone
  const values: FormValues = override?.values ?? {
    ...presetOf(row?.cron ?? null),
    time_zone: tz,
    auto_new: row?.auto_import_new ? 'on' : '',
    auto_updated: row?.auto_import_updated ? 'on' : '',
  }
  return {
    module: MODULES[module],
    action: `/integrations/${connector.id}/schedules/${MODULES[module].slug}`,
    form: { values, errors: override?.errors ?? {} },
    nextRun: c.var.deps.scheduler.nextRun(connector.id, module),
    timeZone: tz,
  }
}

/** The Schedules part of the Setup tab. */
export async function schedulesSection(c: Context<AppEnv>, connector: AnyConnector, isSource: boolean) {
  if (connector.syncModules.length === 0) return null
  const rows = []
  for (const m of connector.syncModules) rows.push(await rowView(c, connector, m))
  return <SchedulesSection rows={rows} canSetup={c.var.user!.permissions.has('integrations.setup')} isSource={isSource} agentName={connector.agentName} />
}

export const scheduleRoutes = new Hono<AppEnv>()

scheduleRoutes.post('/schedules/:module', requires('integrations.setup'), withModule, async (c) => {
  const { connector } = integrationOf(c)
  const spec = moduleOf(c)
  const values = await readFormValues(c)
  const result = validateForm(scheduleSchema, values)
  if (!result.ok) {
    const view = await rowView(c, connector, spec.id, { values, errors: result.errors })
    const form = <ScheduleForm row={view} canSetup={true} />
    return isHtmx(c) ? c.html(form, 422) : renderPage(c, `${connector.name} · Schedules`, form, 422)
  }
  const v = result.data
  await saveSchedule(c.var.db, actorOf(c), connector, spec, {
    cron: cronOf(v),
    time_zone: v.time_zone,
    auto_import_new: v.auto_new ? 1 : 0,
    auto_import_updated: v.auto_updated ? 1 : 0,
  })
  await c.var.deps.scheduler.reload()
  if (!isHtmx(c)) {
    setFlash(c, 'Schedule saved.')
    return redirectTo(c, `/integrations/${connector.id}`)
  }
  return c.html(<ScheduleForm row={await rowView(c, connector, spec.id)} canSetup={true} saved />)
})
