import { formatTimestamp } from '../../src/lib/format.js'
import { RUN_STATUS_LABELS, type RunRow } from './run-panel.js'

type Runs = (RunRow & { module: string; requested_by_email: string | null })[]
type Batches = {
  id: number
  module: string
  trigger: 'manual' | 'auto'
  user_email: string | null
  created_at: string
  undone_at: string | null
  created_count: number
  updated_count: number
  linked_count: number
  failed_count: number
}[]
type Unfinished = {
  module: string
  trigger: 'manual' | 'auto'
  user_email: string | null
  records: number
  status: 'running' | 'done' | 'failed' | 'interrupted'
  error: string | null
  started_at: string
}[]

export function UndoResultView(props: { removed: number; kept: { label: string; reason: string }[] }) {
  return (
    <div class='flash flash-success' role='status'>
      <p>
        Undo finished: {props.removed} record(s) removed{props.kept.length > 0 ? `, ${props.kept.length} kept:` : '.'}
      </p>
      {props.kept.length > 0 && (
        <ul>
          {props.kept.slice(0, 100).map((k) => (
            <li>
              {k.label}: {k.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function HistoryTab(props: {
  integrationPath: string
  /** The chart above the runs (history-chart.tsx). */
  chart: unknown
  /** The day whose runs the table lists, when a bar of the chart led here. */
  on?: string
  runs: Runs
  batches: Batches
  unfinished: Unfinished
  /** Each module's label by id. */
  moduleLabels: Record<string, string>
  canAct: boolean
  notice?: unknown
}) {
  const moduleLabel = (m: string) => props.moduleLabels[m] ?? m
  return (
    <section id='history'>
      {props.notice as string}
      {props.chart as string}
      <h2 id='runs'>{props.on ? `Sync runs of ${props.on} (UTC)` : 'Sync runs'}</h2>
      {props.on && (
        <p>
          <a href={`${props.integrationPath}/history`}>Show the latest runs</a>
        </p>
      )}
      {props.runs.length === 0 ? (
        <p class='muted'>{props.on ? 'No run that day.' : 'No run yet.'}</p>
      ) : (
        <div class='table-scroll'>
          <table class='striped'>
            <thead>
              <tr>
                <th scope='col'>Run</th>
                <th scope='col'>Module</th>
                <th scope='col'>Trigger</th>
                <th scope='col'>Status</th>
                <th scope='col'>Started</th>
                <th scope='col'>New</th>
                <th scope='col'>Changed</th>
                <th scope='col'>Unchanged</th>
                <th scope='col'>Removed</th>
                <th scope='col'>Errors</th>
              </tr>
            </thead>
            <tbody>
              {props.runs.map((r) => (
                <tr id={`run-${r.id}`}>
                  <td>#{r.id}</td>
                  <td>{moduleLabel(r.module)}</td>
                  <td>
                    {r.trigger}
                    {r.requested_by_email ? <small class='muted'> · {r.requested_by_email}</small> : null}
                  </td>
                  <td>
                    <span class={`run-status run-${r.status}`}>{RUN_STATUS_LABELS[r.status]}</span>
                    {r.error && <small class='run-error'>{r.error}</small>}
                  </td>
                  <td>{formatTimestamp(r.started_at ?? r.created_at)}</td>
                  <td>{r.new_count}</td>
                  <td>{r.updated_count}</td>
                  <td>{r.unchanged_count}</td>
                  <td>{r.removed_count}</td>
                  <td>{r.error_count > 0 ? <a href={`${props.integrationPath}/runs/${r.id}/errors.csv`}>{r.error_count} (CSV)</a> : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Import batches</h2>
      {props.unfinished.length > 0 && (
        <div class='flash flash-warning' role='status'>
          <p>IMPORTs that did not finish (nothing of them was imported):</p>
          <ul>
            {props.unfinished.map((a) => (
              <li>
                {formatTimestamp(a.started_at)}: {a.records.toLocaleString('en-US')} {moduleLabel(a.module).toLowerCase()} by{' '}
                {a.trigger === 'auto' ? 'auto-import' : (a.user_email ?? '—')} {a.status === 'interrupted' ? 'was interrupted (the server stopped)' : 'failed'}.{' '}
                {a.error}
              </li>
            ))}
          </ul>
        </div>
      )}
      {props.batches.length === 0 ? (
        <p class='muted'>No import yet.</p>
      ) : (
        <div class='table-scroll'>
          <table class='striped'>
            <thead>
              <tr>
                <th scope='col'>Batch</th>
                <th scope='col'>Module</th>
                <th scope='col'>Who</th>
                <th scope='col'>When</th>
                <th scope='col'>Created</th>
                <th scope='col'>Updated</th>
                <th scope='col'>Linked</th>
                <th scope='col'>Failed</th>
                <th scope='col'>Undo</th>
              </tr>
            </thead>
            <tbody>
              {props.batches.map((b) => (
                <tr>
                  <td>#{b.id}</td>
                  <td>{moduleLabel(b.module)}</td>
                  <td>{b.trigger === 'auto' ? 'auto-import' : (b.user_email ?? '—')}</td>
                  <td>{formatTimestamp(b.created_at)}</td>
                  <td>{b.created_count}</td>
                  <td>{b.updated_count}</td>
                  <td>{b.linked_count}</td>
                  <td>{b.failed_count}</td>
                  <td>
                    {b.undone_at ? (
                      <small class='muted' title={`Undone ${formatTimestamp(b.undone_at)}`}>
                        undone
                      </small>
                    ) : props.canAct && b.created_count > 0 ? (
                      <form
                        method='post'
                        action={`${props.integrationPath}/batches/${b.id}/undo`}
                        class='inline'
                        hx-post={`${props.integrationPath}/batches/${b.id}/undo`}
                        hx-target='#history'
                        hx-swap='outerHTML'
                        hx-confirm={`Undo batch #${b.id}? Records it created that nobody changed since are removed.`}
                      >
                        <button type='submit' class='secondary outline small'>
                          Undo
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
