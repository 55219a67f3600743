import type { SignedInUser } from '../layouts/app-layout.js'
import { PageHeader } from '../components/list-view.js'
import { formatTimestamp } from '../../src/lib/format.js'

export type ModuleCount = { label: string; href: string; total: number; synced: number }

export function HomePage(props: { user: SignedInUser; modules: ModuleCount[]; backupFailure: { started_at: string; error: string | null } | null }) {
  return (
    <>
      <PageHeader title={`Hello, ${props.user.name}`} />
      {props.backupFailure && (
        <p class='flash flash-error' role='alert'>
          The last backup ({formatTimestamp(props.backupFailure.started_at)}) failed: {props.backupFailure.error} See{' '}
          <a href='/settings#backups'>Settings, Backups</a>.
        </p>
      )}
      {props.modules.length === 0 ? (
        <p>
          Your role ({props.user.roleName}) has no administration pages. You can change your password under <a href='/account'>Your account</a>.
        </p>
      ) : (
        <div class='cards'>
          {props.modules.map((m) => (
            <article>
              <header>
                <a href={m.href}>{m.label}</a>
              </header>
              <p class='big-number'>{m.total.toLocaleString('en-US')}</p>
              <small>
                {m.synced.toLocaleString('en-US')} synced · {(m.total - m.synced).toLocaleString('en-US')} manual
              </small>
            </article>
          ))}
        </div>
      )}
    </>
  )
}
