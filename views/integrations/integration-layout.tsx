import type { Child } from 'hono/jsx'
import { hasConnectionStatus, type ConnectorView } from './connector-view.js'
import { PageHeader } from '../components/list-view.js'
import { HealthBadge, type Health } from './connection-panel.js'

/** The integration page: its name, status, and one tab per synced module between Setup and History. */
export function IntegrationLayout(props: {
  connector: ConnectorView
  active: string
  activated: boolean
  syncSource: boolean
  health?: Health
  /** Per module, the staged records with a conflict to settle. */
  conflicts?: Record<string, number>
  children?: Child
}) {
  const base = `/integrations/${props.connector.id}`
  const tabs = [
    { key: 'setup', href: base, label: 'Setup' },
    ...props.connector.modules.map((m) => ({ key: m.id, href: `${base}/${m.slug}`, label: m.label, conflicts: props.conflicts?.[m.id] ?? 0 })),
    { key: 'history', href: `${base}/history`, label: 'History' },
  ]
  return (
    <>
      <PageHeader title={props.connector.name} breadcrumb={{ href: '/integrations', label: 'Integrations' }}>
        {props.activated ? <span class='badge badge-synced'>Activated</span> : <span class='badge'>Not activated</span>}
        {props.syncSource && <span class='badge badge-source'>Sync source</span>}
        {hasConnectionStatus(props.connector) && (
          <span id='integration-health'>
            <HealthBadge health={props.health} />
          </span>
        )}
      </PageHeader>
      <nav class='tabs' aria-label='Integration tabs'>
        <ul>
          {tabs.map((t) => (
            <li>
              <a href={t.href} aria-current={t.key === props.active ? 'page' : undefined}>
                {t.label}
                {'conflicts' in t && t.conflicts > 0 && (
                  <span class='badge badge-conflict tab-count' title='Conflicts to settle'>
                    {' '}
                    {t.conflicts} <span class='visually-hidden'>conflict{t.conflicts === 1 ? '' : 's'} to settle</span>
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {props.children}
    </>
  )
}
