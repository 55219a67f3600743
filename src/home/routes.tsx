import { CORE_MODULES } from '../records/core-modules.js'
import { countRecords } from '../records/record-service.js'
import { Hono } from 'hono'
import { sql } from 'kysely'
import type { AppEnv } from '../http/app-env.js'
import { anyone, signedIn } from '../auth/access.js'
import { renderPage } from '../http/render.js'
import { HomePage, type ModuleCount } from '../../views/home/home-page.js'
import { failedBackup } from '../backups/service.js'

export const homeRoutes = new Hono<AppEnv>()

/** The modules whose records the home page counts, in its order. */
const HOME_MODULES = ['employees', 'companies', 'job_sites', 'cost_codes', 'departments'] as const

homeRoutes.get('/healthz', anyone(), async (c) => {
  try {
    await sql`select 1`.execute(c.var.db)
    return c.json({ status: 'ok', database: 'ok' })
  } catch (err) {
    c.var.log.error({ event: 'healthz_failed', err }, 'health check failed')
    return c.json({ status: 'error', database: 'unreachable' }, 503)
  }
})

homeRoutes.get('/', signedIn(), async (c) => {
  const user = c.var.user!
  const modules: ModuleCount[] = []
  for (const m of HOME_MODULES.map((table) => CORE_MODULES[table])) {
    if (user.permissions.has(m.permissions.view)) modules.push({ label: m.title, href: m.path, ...(await countRecords(c.var.db, m.table)) })
  }
  const backupFailure = user.permissions.has('settings.manage') ? await failedBackup(c.var.db) : null
  return renderPage(c, 'Home', <HomePage user={user} modules={modules} backupFailure={backupFailure} />)
})
