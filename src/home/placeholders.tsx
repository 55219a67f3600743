import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { renderPage } from '../http/render.js'
import { PageHeader } from '../../views/components/list-view.js'

// Payroll arrives in its own issue; its place in the menu exists now.
export const placeholderRoutes = new Hono<AppEnv>()

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
