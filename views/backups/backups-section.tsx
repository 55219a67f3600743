import { formatTimestamp } from '../../src/lib/format.js'

/** One backup Clockbridge took by itself. */
export type BackupRunView = {
  trigger: 'scheduled' | 'manual'
  status: 'running' | 'succeeded' | 'failed'
  file: string | null
  bytes: number | null
  removed: number
  error: string | null
  started_at: string
}

export type BackupsView = {
  /** Where the data lives when it is not the SQLite file (a PostgreSQL database, password hidden): backed up by its own tools. */
  database: string | null
  folder: string
  recent: BackupRunView[]
  schedule: { hour: number; keep: number; timeZone: string } | null
  next: Date | null
  message?: { kind: 'success' | 'error'; text: string }
}

const size = (bytes: number | null) => (bytes === null ? '' : `${(bytes / 1024 / 1024).toFixed(1)} MB`)

/** The backups Clockbridge took, and "Back up now": what the button swaps. */
export function BackupsSection(props: { v: BackupsView }) {
  const v = props.v
  if (v.database)
    return (
      <section id='backups' aria-labelledby='backups-heading'>
        <h2 id='backups-heading'>Backups</h2>
        <p>
          The data lives in PostgreSQL (<code>{v.database}</code>). Clockbridge takes no backups of it: back it up with PostgreSQL's own tools (
          <code>pg_dump</code>, or the backups of the service that hosts it), and keep the key (<code>SECRET_KEY</code>) apart from them. The setting Scheduled
          backups applies to a SQLite file only.
        </p>
      </section>
    )
  return (
    <section id='backups' aria-labelledby='backups-heading'>
      <h2 id='backups-heading'>Backups</h2>
      {v.message && (
        <p class={`flash flash-${v.message.kind}`} role='status'>
          {v.message.text}
        </p>
      )}
      <p>
        Copies go to <code>{v.folder}</code>.{' '}
        {v.schedule
          ? `Daily at ${String(v.schedule.hour).padStart(2, '0')}:00 (${v.schedule.timeZone}), keeping the last ${v.schedule.keep}${v.next ? `; the next is at ${formatTimestamp(v.next.toISOString())}` : ''}.`
          : 'Scheduled backups are off.'}{' '}
        Keep them on another disk too: copy that folder elsewhere (and keep the key file, <code>secret.key</code>, apart from them).
      </p>
      {v.recent.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope='col'>Started</th>
              <th scope='col'>How</th>
              <th scope='col'>Result</th>
            </tr>
          </thead>
          <tbody>
            {v.recent.map((b) => (
              <tr>
                <td>{formatTimestamp(b.started_at)}</td>
                <td>{b.trigger === 'scheduled' ? 'Scheduled' : 'Back up now'}</td>
                <td>
                  {b.status === 'succeeded' ? (
                    `${size(b.bytes)}: ${b.file}${b.removed > 0 ? ` (${b.removed} older deleted)` : ''}`
                  ) : b.status === 'running' ? (
                    'Running…'
                  ) : (
                    <span class='field-error'>Failed: {b.error}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method='post' action='/settings/backups' hx-post='/settings/backups' hx-target='#backups' hx-swap='outerHTML' hx-disable='find button'>
        <button type='submit' class='secondary'>
          Back up now
        </button>
      </form>
    </section>
  )
}
