import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { readForm } from '../http/forms.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderPageOrFragment } from '../http/render.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { SettingsForm, SettingsPage } from '../../views/settings/settings-page.js'
import { getSettings, saveSettings, settingsSchema, type Settings } from './service.js'
import { backupsView } from '../backups/routes.js'

export const settingsRoutes = new Hono<AppEnv>()

const toValues = (s: Settings) => ({
  employeeManualCreation: s.employeeManualCreation ? 'on' : '',
  companyManualCreation: s.companyManualCreation ? 'on' : '',
  defaultCountry: s.defaultCountry,
  companyTimeZone: s.companyTimeZone,
  workWeekStart: s.workWeekStart,
  backupSchedule: s.backupSchedule,
  backupHour: String(s.backupHour),
  backupKeep: String(s.backupKeep),
})

const show = async (c: Context<AppEnv>, form: FormState, status: 200 | 422 = 200) => {
  const backups = await backupsView(c)
  return renderPageOrFragment(
    c,
    'Settings',
    () => <SettingsPage form={form} backups={backups} />,
    () => <SettingsForm form={form} />,
    status,
  )
}

settingsRoutes.get('/', requires('settings.manage'), async (c) => show(c, emptyForm(toValues(await getSettings(c.var.db, c.var.config.timeZone)))))

settingsRoutes.post('/', requires('settings.manage'), async (c) => {
  const result = await readForm(c, settingsSchema)
  if (!result.ok) return show(c, result, 422)
  const before = await getSettings(c.var.db, c.var.config.timeZone)
  await saveSettings(c.var.db, actorOf(c), before, result.data)
  // The backup schedule may have changed.
  await c.var.deps.scheduler.reload()
  setFlash(c, 'Settings saved.')
  return redirectTo(c, '/settings')
})
