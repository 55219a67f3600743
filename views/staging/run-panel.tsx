import { formatTimestamp } from '../../src/lib/format.js'

/** A sync run as its panel shows it. */
export type RunRow = {
  id: number
  trigger: 'manual' | 'schedule' | 'agent'
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'timed_out'
  pages: number
  records: number
  new_count: number
  updated_count: number
  unchanged_count: number
  removed_count: number
  error_count: number
  error: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export const RUN_STATUS_LABELS: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  partial: 'Partial',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
}

export const isActive = (run: RunRow | undefined) => run?.status === 'queued' || run?.status === 'running'

function elapsed(run: RunRow): string {
  const from = Date.parse(run.started_at ?? run.created_at)
  const to = run.finished_at ? Date.parse(run.finished_at) : Date.now()
  const s = Math.max(0, Math.round((to - from) / 1000))
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`
}

/** What the live region says of a run: its state and, once it ends, its counts; never the seconds, so it is said once per change. */
function announcement(run: RunRow, waitingFor: string | undefined): string {
  const state = waitingFor ? `waiting for ${waitingFor}` : (RUN_STATUS_LABELS[run.status] ?? run.status).toLowerCase()
  if (isActive(run)) return `Sync run ${run.id} ${state}.`
  return `Sync run ${run.id} ${state}: ${run.new_count} new, ${run.updated_count} changed, ${run.unchanged_count} unchanged, ${run.removed_count} removed at source${run.error_count ? `, ${run.error_count} row errors` : ''}.${run.error ? ` ${run.error}` : ''}`
}

/** The latest run of a module; while it is active it polls itself every second. */
export type RowErrorView = { page: number | null; row_number: number | null; external_id: string | null; field: string | null; message: string }

/** `joined`: this SYNC press found the run already going and joined it (said above the run). */
export function RunPanel(props: {
  run: RunRow | undefined
  integrationPath: string
  modulePath: string
  canAct: boolean
  errors?: RowErrorView[]
  agentName?: string
  joined?: boolean
}) {
  const run = props.run
  const active = isActive(run)
  // A run of an agent connector waits, queued, until the agent calls in: no need to ask every second.
  const waiting = run?.status === 'queued' && props.agentName
  const poll = active ? { 'hx-get': `${props.modulePath}/run?was=active`, 'hx-trigger': waiting ? 'every 5s' : 'every 1s', 'hx-swap': 'outerHTML' } : {}
  return (
    <section
      id='run-panel'
      class={`run-panel run-${run?.status ?? 'none'}`}
      aria-label='Latest sync run'
      data-announce={run ? announcement(run, waiting ? props.agentName : undefined) : undefined}
      {...poll}
    >
      {!run ? (
        <p class='muted'>Never synced. SYNC brings this module's records into the middleware; nothing reaches your modules until you IMPORT.</p>
      ) : (
        <>
          {props.joined && (
            <p class='flash flash-info'>
              A sync of this module was already {run.status === 'queued' ? 'queued' : 'running'}: your SYNC joined run #{run.id} instead of starting another.
            </p>
          )}
          <p>
            <strong>
              Run #{run.id}: {waiting ? `Waiting for ${props.agentName}` : (RUN_STATUS_LABELS[run.status] ?? run.status)}
            </strong>{' '}
            · {run.trigger === 'schedule' ? 'scheduled' : run.trigger} · started {formatTimestamp(run.started_at ?? run.created_at)} · {elapsed(run)}
          </p>
          <p class='run-counts'>
            {run.records.toLocaleString('en-US')} records in {run.pages} page(s): <span>{run.new_count} new</span> · <span>{run.updated_count} changed</span> ·{' '}
            <span>{run.unchanged_count} unchanged</span> · <span>{run.removed_count} removed at source</span>
            {run.error_count > 0 && (
              <>
                {' '}
                · <a href={`${props.integrationPath}/runs/${run.id}/errors.csv`}>{run.error_count} row error(s) (CSV)</a>
              </>
            )}
          </p>
          {waiting && <p class='muted'>It runs the next time {props.agentName} calls Clockbridge, on its schedule or when you click Update Selected in it.</p>}
          {run.error && <p class='flash flash-error'>{run.error}</p>}
          {props.errors && props.errors.length > 0 && (
            <details>
              <summary>
                Row errors{run.error_count > props.errors.length ? ` (first ${props.errors.length} of ${run.error_count}; the CSV has them all)` : ''}
              </summary>
              <table class='striped'>
                <thead>
                  <tr>
                    <th scope='col'>Row</th>
                    <th scope='col'>External id</th>
                    <th scope='col'>Column</th>
                    <th scope='col'>Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {props.errors.map((e) => (
                    <tr>
                      <td>{e.row_number ?? (e.page ? `page ${e.page}` : '')}</td>
                      <td>{e.external_id}</td>
                      <td>{e.field}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
          {active && props.canAct && (
            <button
              type='button'
              class='secondary outline small'
              hx-post={`${props.integrationPath}/runs/${run.id}/cancel`}
              hx-target='#run-panel'
              hx-swap='outerHTML'
            >
              Cancel
            </button>
          )}
        </>
      )}
    </section>
  )
}
