import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { FlashMessage, type Flash } from '../components/flash-message.js'

export type LayoutProps = {
  title: string
  user: SignedInUser | null
  flash: Flash | null
  path: string
  children?: Child
}

/** The signed-in user as pages show them; `permissions` decides which navigation they see. */
export type SignedInUser = { name: string; email: string; roleName: string; permissions: ReadonlySet<string> }

type NavItem = { href: string; label: string; permission: string }

const NAV: { heading: string; items: NavItem[] }[] = [
  {
    heading: 'Company',
    items: [
      { href: '/employees', label: 'Employees', permission: 'employees.view' },
      { href: '/companies', label: 'Companies', permission: 'companies.view' },
      { href: '/job-sites', label: 'Job sites', permission: 'job_sites.view' },
      { href: '/cost-codes', label: 'Cost codes', permission: 'cost_codes.view' },
      { href: '/departments', label: 'Departments', permission: 'departments.view' },
    ],
  },
  {
    heading: 'Payroll',
    items: [
      { href: '/payroll', label: 'Payroll', permission: 'payroll.view' },
      { href: '/time-entries', label: 'Time entries', permission: 'payroll.view' },
      { href: '/pay-ids', label: 'Pay IDs', permission: 'payroll.view' },
      { href: '/payroll-items', label: 'Payroll items', permission: 'payroll.view' },
    ],
  },
  {
    heading: 'Administration',
    items: [
      { href: '/integrations', label: 'Integrations', permission: 'integrations.view' },
      { href: '/users', label: 'Users', permission: 'users.manage' },
      { href: '/roles', label: 'Roles', permission: 'users.manage' },
      { href: '/settings', label: 'Settings', permission: 'settings.manage' },
      { href: '/audit-log', label: 'Audit log', permission: 'audit_log.view' },
    ],
  },
]

export function HtmlDocument(props: { title: string; children?: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang='en'>
        <head>
          <meta charset='utf-8' />
          <meta name='viewport' content='width=device-width, initial-scale=1' />
          <meta name='htmx-config' content='{"includeIndicatorCSS":false}' />
          <title>{props.title} · Clockbridge</title>
          <link rel='stylesheet' href='/public/vendor/pico.min.css' />
          <link rel='stylesheet' href='/public/app.css' />
          <script src='/public/vendor/htmx.min.js' defer></script>
          <script src='/public/app.js' defer></script>
        </head>
        {props.children}
      </html>
    </>
  )
}

export function AppLayout(props: LayoutProps) {
  const user = props.user
  return (
    <HtmlDocument title={props.title}>
      <body>
        <a href='#main' class='skip-link'>
          Skip to main content
        </a>
        <header class='topbar'>
          <nav>
            <ul>
              <li>
                <a href='/' class='brand'>
                  Clockbridge
                </a>
              </li>
            </ul>
            {user && (
              <ul>
                <li>
                  <a href='/account' aria-current={props.path === '/account' ? 'page' : undefined}>
                    {user.name} <small>({user.roleName})</small>
                  </a>
                </li>
                <li>
                  <form method='post' action='/logout' class='inline'>
                    <button type='submit' class='secondary outline small'>
                      Sign out
                    </button>
                  </form>
                </li>
              </ul>
            )}
          </nav>
        </header>
        <div class='shell'>
          {user && <SideNav user={user} path={props.path} />}
          <main id='main' tabindex={-1}>
            <div id='flash'>{props.flash && <FlashMessage flash={props.flash} />}</div>
            {props.children}
          </main>
        </div>
        {/* The one polite live region: app.js puts a run's changes of state and results here, never its ticking seconds. */}
        <div id='announcer' role='status' aria-live='polite' class='visually-hidden'></div>
      </body>
    </HtmlDocument>
  )
}

function SideNav(props: { user: SignedInUser; path: string }) {
  return (
    <aside class='sidenav'>
      <nav aria-label='Main'>
        {NAV.map((section) => {
          const items = section.items.filter((i) => props.user.permissions.has(i.permission))
          if (items.length === 0) return null
          return (
            <details open>
              <summary>{section.heading}</summary>
              <ul>
                {items.map((i) => (
                  <li>
                    <a href={i.href} aria-current={isCurrent(props.path, i.href) ? 'page' : undefined}>
                      {i.label}
                    </a>
                  </li>
                ))}
              </ul>
            </details>
          )
        })}
      </nav>
    </aside>
  )
}

function isCurrent(path: string, href: string): boolean {
  return path === href || path.startsWith(href + '/')
}
