import { Hono } from 'hono'
import { sql } from 'kysely'
import type { AppEnv } from '../http/app-env.js'
import { anyone, signedIn } from '../auth/access.js'
import { renderPage } from '../http/render.js'
import { HomePage, type ModuleCount } from '../../views/home/home-page.js'
import { failedBackup } from '../backups/service.js'

export const homeRoutes = new Hono<AppEnv>()

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
  const count = async (table: 'employees' | 'companies' | 'job_sites' | 'cost_codes' | 'departments') => {
    const row = await c.var.db
      .selectFrom(table)
      .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('source_integration').as('synced')])
      .executeTakeFirstOrThrow()
    return { total: Number(row.total), synced: Number(row.synced) }
  }
  if (user.permissions.has('employees.view')) modules.push({ label: 'Employees', href: '/employees', ...(await count('employees')) })
  if (user.permissions.has('companies.view')) modules.push({ label: 'Companies', href: '/companies', ...(await count('companies')) })
  if (user.permissions.has('job_sites.view')) modules.push({ label: 'Job sites', href: '/job-sites', ...(await count('job_sites')) })
  if (user.permissions.has('cost_codes.view')) modules.push({ label: 'Cost codes', href: '/cost-codes', ...(await count('cost_codes')) })
  if (user.permissions.has('departments.view')) modules.push({ label: 'Departments', href: '/departments', ...(await count('departments')) })
  const backupFailure = user.permissions.has('settings.manage') ? await failedBackup(c.var.db) : null
  return renderPage(c, 'Home', <HomePage user={user} modules={modules} backupFailure={backupFailure} />)
})
