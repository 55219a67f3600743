import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { isHtmx, redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { BackupsSection, type BackupsView } from '../../views/backups/backups-section.js'
import { getSettings } from '../settings/service.js'
import { databaseName } from '../db/database.js'
import { backupFolder, recentBackups, takeBackup } from './service.js'

export const backupsRoutes = new Hono<AppEnv>()

/** What the Backups section of the Settings page shows. */
export async function backupsView(c: Context<AppEnv>, message?: BackupsView['message']): Promise<BackupsView> {
  const settings = await getSettings(c.var.db, c.var.config.timeZone)
  const schedule = settings.backupSchedule === 'daily' ? { hour: settings.backupHour, keep: settings.backupKeep, timeZone: settings.companyTimeZone } : null
  const database = c.var.deps.sqlite ? null : databaseName(c.var.config)
  return { database, folder: backupFolder(c.var.config), recent: await recentBackups(c.var.db), schedule, next: c.var.deps.scheduler.nextBackup(), message }
}

backupsRoutes.post('/', requires('settings.manage'), async (c) => {
  const { backupKeep } = await getSettings(c.var.db, c.var.config.timeZone)
  const run = await takeBackup(c.var.deps, 'manual', backupKeep, actorOf(c))
  const message =
    run.status === 'succeeded'
      ? { kind: 'success' as const, text: `Backed up to ${run.file}.` }
      : { kind: 'error' as const, text: `The backup failed: ${run.error}` }
  if (!isHtmx(c)) {
    setFlash(c, message.text, message.kind)
    return redirectTo(c, '/settings')
  }
  // A failed backup is reported, not an error of this request: the section says why and what to do.
  return c.html(<BackupsSection v={await backupsView(c, message)} />)
})
