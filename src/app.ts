import { vendorsFor } from './config.js'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { publicFiles } from './http/public-files.js'
import { setPasswordCost } from './auth/passwords.js'
import type { AppDeps, AppEnv } from './http/app-env.js'
import { CONNECTORS } from './connectors/registry.js'
import { RunRegistry } from './staging/run-registry.js'
import { fieldOwnership } from './staging/field-conflicts.js'
import { notifierOf } from './notifications/notifier.js'
import { Scheduler } from './integrations/scheduler.js'
import { integrationsRoutes } from './integrations/routes.js'
import { stagingRoutes } from './staging/routes/staging-routes.js'
import { connectionRoutes } from './integrations/connection-routes.js'
import { mountAgentEndpoints, mountSetupRoutes } from './integrations/connector-plugins.js'
import { requestContext } from './http/request-context.js'
import { flashMessages } from './http/flash.js'
import { notFound, onError, refuseTooLarge } from './http/errors.js'
import { firstRunGate } from './auth/first-run.js'
import { sessionLoader } from './auth/session-cookie.js'
import { authRoutes } from './auth/routes.js'
import { homeRoutes } from './home/routes.js'
import { employeesRoutes } from './employees/routes.js'
import { companiesRoutes } from './companies/routes.js'
import { jobSitesRoutes } from './job-sites/routes.js'
import { costCodesRoutes } from './cost-codes/routes.js'
import { departmentsRoutes } from './departments/routes.js'
import { payIdsRoutes } from './pay-ids/routes.js'
import { payrollItemsRoutes } from './payroll-items/routes.js'
import { payrollRoutes } from './payroll/routes.js'
import { apiRoutes } from './api/time-entries-api.js'
import { timeEntriesRoutes } from './time-entries/routes.js'
import { usersRoutes } from './users/routes.js'
import { rolesRoutes } from './roles/routes.js'
import { settingsRoutes } from './settings/routes.js'
import { notificationRoutes } from './notifications/routes.js'
import { backupsRoutes } from './backups/routes.js'
import { auditLogRoutes } from './audit/routes.js'
import { reportCheckpointProblems } from './db/wal-checkpointer.js'
import { sameOriginOnly } from './http/same-origin.js'
import { printableFormsOnly } from './http/printable-input.js'
import { employeeChoicesRoutes } from './employees/choices-routes.js'

/** The dependencies of a server or a test: the registry's connectors unless others are given. */
export function createDeps(
  parts: Omit<AppDeps, 'connectors' | 'runs' | 'scheduler' | 'ownership' | 'notifier'> & Partial<Pick<AppDeps, 'connectors'>>,
): AppDeps {
  reportCheckpointProblems(parts.sqlite, (problem) => parts.logger.warn({ event: 'wal_checkpoint_failed', problem }, problem))
  setPasswordCost(parts.config.passwordCost)
  const connectors = parts.connectors ?? CONNECTORS
  const deps: AppDeps = {
    ...parts,
    connectors,
    runs: new RunRegistry(),
    scheduler: new Scheduler(),
    ownership: fieldOwnership(connectors),
    notifier: { runFinished: () => {} },
  }
  deps.notifier = notifierOf(deps)
  return deps
}

/** Builds the whole application over the given database; tests call it with app.request(). */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const origin = new URL(deps.config.publicBaseUrl).origin

  app.use(requestId())
  app.use(requestContext(deps))
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // Connect posts a form that redirects to the platform's consent page.
        formAction: ["'self'", ...new Set(deps.connectors.flatMap((c) => (c.oauth ? [c.oauth.authorizeOrigin(vendorsFor(deps.config, c.id))] : [])))],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
      strictTransportSecurity: deps.config.secureCookies ? 'max-age=31536000; includeSubDomains' : false,
      referrerPolicy: 'same-origin',
    }),
  )
  app.use('/public/*', publicFiles())
  // Agents that call in (the QuickBooks Web Connector's SOAP service) answer before the browser middleware.
  mountAgentEndpoints(app, deps.connectors)
  // Forms are small; a file upload may be larger. Each upload route applies its exact limit with a
  // message beside the upload form, so the outer limit leaves it room to do so.
  const formLimit = bodyLimit({ maxSize: deps.config.bodyLimitBytes, onError: (c) => refuseTooLarge(c as never) })
  const uploadLimit = bodyLimit({ maxSize: deps.config.uploadLimitBytes + 1024 * 1024, onError: (c) => refuseTooLarge(c as never) })
  app.use((c, next) => ((c.req.header('content-type') ?? '').startsWith('multipart/form-data') ? uploadLimit(c, next) : formLimit(c, next)))
  // The JSON API authenticates by bearer token only (never a cookie): no CSRF, session or first-run
  // redirect applies, and every answer is JSON.
  app.route('/api/v1', apiRoutes)
  // Same-origin requests pass (Sec-Fetch-Site), and so does the public URL when behind a proxy.
  app.use(sameOriginOnly(origin))
  app.use(printableFormsOnly())
  app.use(sessionLoader())
  // What a signed-in user sees is theirs: never kept by a browser or proxy cache.
  app.use(async (c, next) => {
    await next()
    if (c.var.user && !c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store')
  })
  app.use(flashMessages())
  app.use(firstRunGate())

  app.route('/', authRoutes)
  app.route('/', homeRoutes)
  app.route('/employees/choices', employeeChoicesRoutes)
  app.route('/employees', employeesRoutes)
  app.route('/companies', companiesRoutes)
  app.route('/job-sites', jobSitesRoutes)
  app.route('/cost-codes', costCodesRoutes)
  app.route('/departments', departmentsRoutes)
  app.route('/payroll', payrollRoutes)
  app.route('/time-entries', timeEntriesRoutes)
  app.route('/pay-ids', payIdsRoutes)
  app.route('/payroll-items', payrollItemsRoutes)
  app.route('/users', usersRoutes)
  app.route('/roles', rolesRoutes)
  app.route('/settings/backups', backupsRoutes)
  app.route('/settings/notifications', notificationRoutes)
  app.route('/settings', settingsRoutes)
  app.route('/audit-log', auditLogRoutes)
  mountSetupRoutes(app, deps.connectors)
  app.route('/integrations', connectionRoutes)
  app.route('/integrations', integrationsRoutes)
  app.route('/integrations', stagingRoutes)

  app.notFound(notFound)
  app.onError(onError)
  return app
}

export type App = ReturnType<typeof createApp>
