import type { ConnectorView, ModuleView } from './connector-view.js'
import { PageHeader } from '../components/list-view.js'
import { HealthBadge, type Health } from './connection-panel.js'
import { Sparkline } from '../staging/history-chart.js'
import { formatTimestamp } from '../../src/lib/format.js'

/** The sparkline of the last 14 days, the last good sync, and a flag when the last scheduled run failed or the schedule's promise is not kept. */
function Activity(props: { activity?: ActivityView; name: string }) {
  const a = props.activity
  if (!a) return <span class='muted'>—</span>
  const changes = a.daily.reduce((s, v) => s + v, 0)
  return (
    <div class='activity'>
      <Sparkline
        daily={a.daily}
        failedDays={a.failedDays}
        label={`${props.name}, last 14 days: ${changes.toLocaleString('en-US')} records changed${a.failedDays.some(Boolean) ? `, failed runs on ${a.failedDays.filter(Boolean).length} day(s)` : ''}`}
      />
      <br />
      <small>{a.lastGoodAt ? `Last good sync ${formatTimestamp(a.lastGoodAt)}` : 'No good sync yet'}</small>
      {a.alerts.map((alert) => (
        <p class='activity-alert' role='note'>
          <span aria-hidden='true'>⚠ </span>
          {alert}
        </p>
      ))}
    </div>
  )
}

/** What an activated integration's runs say on the Overview: 14 days of changes, the last good sync, and what is wrong. */
export type ActivityView = { daily: number[]; failedDays: boolean[]; lastGoodAt: string | null; alerts: string[] }

/** `health` is undefined for integrations without a connection (files, agents), null before the first connect. */
export type OverviewRow = { connector: ConnectorView; activated: boolean; syncSource: boolean; health?: Health | null; activity?: ActivityView }

const synced = (c: ConnectorView, m: ModuleView) => c.modules.some((x) => x.id === m.id)

const HOSTING: Record<string, string> = { cloud: 'Cloud', 'on-premises': 'On-premises', file: 'File upload' }

export function OverviewPage(props: { rows: OverviewRow[]; modules: ModuleView[]; canSetup: boolean; message?: { kind: 'success' | 'error'; text: string } }) {
  return (
    <>
      <PageHeader title='Administration › Integrations' />
      <p>
        <strong>Sync</strong> brings records from a platform into the middleware, where you review and IMPORT them; one integration at a time is the sync
        source. <strong>Publish</strong> sends approved payroll to any number of activated integrations.
      </p>
      <div class='table-scroll'>
        <table class='overview'>
          <thead>
            <tr>
              <th scope='col'>Integration</th>
              <th scope='col'>Hosting</th>
              <th scope='col'>Sync</th>
              <th scope='col'>Publish</th>
              <th scope='col'>Status</th>
              <th scope='col'>Last 14 days</th>
              {props.canSetup && <th scope='col'>Actions</th>}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr id={`integration-${r.connector.id}`}>
                <td>
                  <a href={`/integrations/${r.connector.id}`}>
                    <strong>{r.connector.name}</strong>
                  </a>
                  <br />
                  <small class='muted'>{r.connector.description}</small>
                </td>
                <td>{HOSTING[r.connector.hosting] ?? r.connector.hosting}</td>
                <td>
                  <ul class='checklist'>
                    {props.modules.map((m) => (
                      <li class={synced(r.connector, m) ? 'yes' : 'no'}>
                        <span aria-hidden='true'>{synced(r.connector, m) ? '✓' : '–'}</span> {m.label}
                        <span class='visually-hidden'>{synced(r.connector, m) ? ' (yes)' : ' (no)'}</span>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <span aria-hidden='true'>{r.connector.publishesPayroll ? '✓' : '–'}</span> Payroll
                  <span class='visually-hidden'>{r.connector.publishesPayroll ? ' (yes)' : ' (no)'}</span>
                </td>
                <td>
                  {r.activated ? <span class='badge badge-synced'>Activated</span> : <span class='badge'>Not activated</span>}
                  {r.syncSource && (
                    <>
                      {' '}
                      <span class='badge badge-source'>Sync source</span>
                    </>
                  )}
                  {r.health !== undefined && (
                    <>
                      <br />
                      <HealthBadge health={r.health ?? undefined} />
                    </>
                  )}
                </td>
                <td>
                  <Activity activity={r.activity} name={r.connector.name} />
                </td>
                {props.canSetup && (
                  <td>
                    <form method='post' action={`/integrations/${r.connector.id}/${r.activated ? 'deactivate' : 'activate'}`} class='inline'>
                      <button type='submit' class={r.activated ? 'secondary outline small' : 'small'}>
                        {r.activated ? 'Deactivate' : 'Activate'}
                      </button>
                    </form>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
