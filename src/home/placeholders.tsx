import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { renderPage } from '../http/render.js'
import { PageHeader } from '../../views/components/list-view.js'

// The integrations hub and payroll arrive in their own issues; their places in the menu exist now.
export const placeholderRoutes = new Hono<AppEnv>()

placeholderRoutes.get('/integrations', requires('integrations.view'), (c) =>
  renderPage(
    c,
    'Integrations',
    <>
      <PageHeader title='Administration › Integrations' />
      <p>No integration is installed on this server yet. The integrations hub (Overview, SYNC, IMPORT) is being built; records entered by hand show the Synced status <strong>Manual</strong> until then.</p>
    </>,
  ),
)

placeholderRoutes.get('/payroll', requires('payroll.view'), (c) =>
  renderPage(
    c,
    'Payroll',
    <>
      <PageHeader title='Payroll' />
      <p>Time entries, pay periods and publishing are being built. The pay IDs they will use are under <a href='/pay-ids'>Pay IDs</a>.</p>
    </>,
  ),
)
