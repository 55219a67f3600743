import type { ModuleView } from '../integrations/connector-view.js'

/** What IMPORT would do with each selected record, and how many it leaves alone. */
export type ImportPlan = {
  items: {
    stagedId: number
    externalId: string
    label: string
    action: 'create' | 'update' | 'link' | 'fail' | 'held'
    core?: { id: number; label: string }
    message?: string
  }[]
  skipped: number
}

/**
 * A native dialog: it arrives open and closes with its form method=dialog, no script needed;
 * app.js makes it modal (focus inside, Escape closes, the page behind inert) and gives focus back
 * to the control that opened it when it closes.
 */
function Dialog(props: { title: string; children?: unknown; labelledBy: string }) {
  return (
    <dialog open data-modal aria-labelledby={props.labelledBy}>
      <article>
        <header>
          <form method='dialog' class='inline close-form'>
            <button type='submit' class='secondary outline small' aria-label='Close'>
              ✕
            </button>
          </form>
          <h2 id={props.labelledBy}>{props.title}</h2>
        </header>
        {props.children as string}
      </article>
    </dialog>
  )
}

export type SelectionFields = { ids: string[]; all: boolean; q: string; status: string; removed: string }

function SelectionInputs(props: { selection: SelectionFields }) {
  const s = props.selection
  return (
    <>
      {s.all ? <input type='hidden' name='all' value='1' /> : s.ids.map((id) => <input type='hidden' name='ids' value={id} />)}
      <input type='hidden' name='q' value={s.q} />
      <input type='hidden' name='status' value={s.status} />
      <input type='hidden' name='removed' value={s.removed} />
    </>
  )
}

/** Records of another module this selection needs first, and where one click imports them. */
export type ReferenceFixView = { label: string; names: string[]; records: number; stagedIds: number[]; importAction: string; tabPath: string }

function ReferenceFixes(props: { fixes: ReferenceFixView[] }) {
  return (
    <>
      {props.fixes.map((fix) => (
        <div class='import-fix' role='note'>
          <p>
            <strong>{fix.records}</strong> cannot be imported yet: they name {fix.label} not imported yet ({fix.names.slice(0, 5).join(', ')}
            {fix.names.length > 5 ? ` and ${fix.names.length - 5} more` : ''}).
          </p>
          {fix.stagedIds.length > 0 ? (
            <form method='post' action={fix.importAction}>
              {fix.stagedIds.map((id) => (
                <input type='hidden' name='ids' value={String(id)} />
              ))}
              <button type='submit' class='secondary'>
                IMPORT the {fix.stagedIds.length} {fix.label} first
              </button>
            </form>
          ) : (
            <p class='muted'>
              None of them is staged: SYNC <a href={fix.tabPath}>{fix.label}</a>, or create them by hand, then IMPORT again.
            </p>
          )}
        </div>
      ))}
    </>
  )
}

export function ImportPreview(props: {
  plan: ImportPlan
  fixes: ReferenceFixView[]
  module: ModuleView
  modulePath: string
  selection: SelectionFields
  integrationName: string
}) {
  const { plan } = props
  const count = (a: string) => plan.items.filter((i) => i.action === a).length
  const links = plan.items.filter((i) => i.action === 'link')
  const fails = plan.items.filter((i) => i.action === 'fail')
  const held = plan.items.filter((i) => i.action === 'held')
  const noun = props.module.label.toLowerCase()
  return (
    <Dialog title={`IMPORT ${noun} from ${props.integrationName}`} labelledBy='import-title'>
      <ReferenceFixes fixes={props.fixes} />
      {plan.items.length === 0 ? (
        <p>Nothing to import: the selection holds only Imported or Archived records{plan.skipped ? ` (${plan.skipped})` : ''}.</p>
      ) : (
        <form
          method='post'
          action={`${props.modulePath}/import`}
          hx-post={`${props.modulePath}/import`}
          hx-target='#staging-results'
          hx-swap='outerHTML'
          hx-disable='find button'
        >
          <SelectionInputs selection={props.selection} />
          <ul class='import-summary'>
            <li>
              <strong>{count('create')}</strong> will be created
            </li>
            <li>
              <strong>{count('update')}</strong> will update the record imported before
            </li>
            <li>
              <strong>{links.length}</strong> will be linked to a record entered by hand with the same key
            </li>
            {fails.length > 0 && (
              <li>
                <strong>{fails.length}</strong> cannot be imported
              </li>
            )}
            {held.length > 0 && (
              <li>
                <strong>{held.length}</strong> have a conflict to settle first and are left as they are
              </li>
            )}
            {plan.skipped > 0 && <li class='muted'>{plan.skipped} selected record(s) are Imported or Archived and are left alone</li>}
          </ul>
          {links.length > 0 && (
            <details open={links.length <= 20}>
              <summary>Proposed links (tick "create new" to keep them apart)</summary>
              <table class='striped'>
                <thead>
                  <tr>
                    <th scope='col'>Synced record</th>
                    <th scope='col'>Existing record</th>
                    <th scope='col'>Create new instead</th>
                  </tr>
                </thead>
                <tbody>
                  {links.slice(0, 200).map((l) => (
                    <tr>
                      <td>
                        {l.label} <code>{l.externalId}</code>
                      </td>
                      <td>
                        <a href={`${props.module.corePath}/${l.core!.id}`}>{l.core!.label}</a>
                      </td>
                      <td>
                        <input
                          type='checkbox'
                          name='create_new'
                          value={String(l.stagedId)}
                          aria-label={`Create a new record for ${l.label} instead of linking`}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {links.length > 200 && <p class='muted'>{links.length - 200} more links are not listed; they will be linked.</p>}
            </details>
          )}
          {held.length > 0 && (
            <details open={held.length <= 20}>
              <summary>Conflicts to settle (a field kept here was changed at the source too)</summary>
              <ul>
                {held.slice(0, 100).map((h) => (
                  <li>
                    {h.label} <code>{h.externalId}</code>: {h.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {fails.length > 0 && (
            <details>
              <summary>Records that cannot be imported</summary>
              <ul>
                {fails.slice(0, 100).map((f) => (
                  <li>
                    {f.label} <code>{f.externalId}</code>: {f.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <footer>
            <button type='submit'>Confirm IMPORT</button>
          </footer>
        </form>
      )}
    </Dialog>
  )
}

/** A field of the record kept in Clockbridge, with its three values shown as text. */
export type KeptFieldView = {
  column: string
  /** The payload field it is sent as (department for department_id). */
  key: string
  label: string
  state: 'kept' | 'conflict' | 'ours' | 'theirs'
  lastImported: string | null
  ours: string | null
  upstream: string | null
}

const shown = (value: string | null) => (value === null || value === '' ? <span class='muted'>(empty)</span> : value)

/** Conflicts: both sides changed the field; the admin picks a side per field, applied by the next IMPORT. */
function ConflictChoices(props: { fields: KeptFieldView[]; action: string | null; source: string }) {
  const table = (
    <table class='striped changes'>
      <thead>
        <tr>
          <th scope='col'>Property</th>
          <th scope='col'>Last imported</th>
          <th scope='col'>Kept here</th>
          <th scope='col'>{props.source} now</th>
          {props.action && <th scope='col'>Keep which?</th>}
        </tr>
      </thead>
      <tbody>
        {props.fields.map((f) => (
          <tr>
            <th scope='row'>{f.label}</th>
            <td>{shown(f.lastImported)}</td>
            <td>{shown(f.ours)}</td>
            <td>
              <mark>{shown(f.upstream)}</mark>
            </td>
            {props.action && (
              <td>
                <fieldset class='choice'>
                  <legend class='visually-hidden'>Which value of {f.label} stays</legend>
                  <label>
                    <input type='radio' name={`choice_${f.column}`} value='ours' checked={f.state === 'ours'} required />
                    Ours
                  </label>
                  <label>
                    <input type='radio' name={`choice_${f.column}`} value='theirs' checked={f.state === 'theirs'} />
                    {props.source}'s
                  </label>
                </fieldset>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  )
  if (!props.action) return table
  return (
    <form method='post' action={props.action} hx-post={props.action} hx-target='#staging-results' hx-swap='outerHTML' hx-disable='find button'>
      {table}
      <button type='submit'>Save choices</button>
    </form>
  )
}

export function ChangesDialog(props: {
  label: string
  externalId: string
  module: ModuleView
  before: Record<string, string | null>
  after: Record<string, string | null>
  source: string
  kept: KeptFieldView[]
  /** Where the conflict choices are posted, or null for someone who may not act. */
  choicesAction: string | null
}) {
  const keptKeys = new Set(props.kept.map((k) => k.key))
  const changed = props.module.fields.filter((f) => !keptKeys.has(f.key) && (props.before[f.key] ?? null) !== (props.after[f.key] ?? null))
  const undecided = props.kept.filter((k) => k.state !== 'kept')
  const quiet = props.kept.filter((k) => k.state === 'kept')
  return (
    <Dialog title={`What changed: ${props.label}`} labelledBy='changes-title'>
      <p class='muted'>
        External id <code>{props.externalId}</code>. <em>Existing</em> is what was imported; <em>updated</em> is what the source has now. IMPORT applies the
        updated values.
      </p>
      {changed.length > 0 && (
        <table class='striped changes'>
          <thead>
            <tr>
              <th scope='col'>Property</th>
              <th scope='col'>Existing</th>
              <th scope='col'>Updated</th>
            </tr>
          </thead>
          <tbody>
            {changed.map((f) => (
              <tr>
                <th scope='row'>{f.label}</th>
                <td>{props.before[f.key] ?? <span class='muted'>(empty)</span>}</td>
                <td>
                  <mark>{props.after[f.key] ?? '(empty)'}</mark>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {undecided.length > 0 && (
        <section class='conflicts' aria-labelledby='conflicts-title'>
          <h3 id='conflicts-title'>Conflicts: changed here and at {props.source}</h3>
          <p>
            These fields are kept in Clockbridge, and {props.source} changed them too. Choose which value stays; IMPORT applies your choice, and leaves this
            record alone until you choose.
          </p>
          <ConflictChoices fields={undecided} action={props.choicesAction} source={props.source} />
        </section>
      )}
      {quiet.length > 0 && (
        <section class='kept-fields' aria-labelledby='kept-title'>
          <h3 id='kept-title'>Kept here, not applied</h3>
          <p class='muted'>IMPORT leaves these as they are until the field is released on the record's edit page.</p>
          <table class='striped changes'>
            <thead>
              <tr>
                <th scope='col'>Property</th>
                <th scope='col'>Kept here</th>
                <th scope='col'>{props.source} sends</th>
              </tr>
            </thead>
            <tbody>
              {quiet.map((f) => (
                <tr>
                  <th scope='row'>{f.label}</th>
                  <td>{shown(f.ours)}</td>
                  <td>{shown(f.upstream)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Dialog>
  )
}

/** A staged record as its source sent it (redacted), with the request that fetched it and when. */
export function SourceDialog(props: {
  label: string
  externalId: string
  integrationName: string
  source: { source: string; request: string | null; fetchedAt: string; runId: number; page: number } | null
}) {
  const s = props.source
  return (
    <Dialog title={`As ${props.integrationName} sent it: ${props.label}`} labelledBy='source-title'>
      {s ? (
        <>
          <p class='muted'>
            External id <code>{props.externalId}</code>, received {s.fetchedAt.slice(0, 16).replace('T', ' ')} UTC in run #{s.runId}, page {s.page}. Tax and
            bank ids are hidden; everything else is as sent.
          </p>
          {s.request && (
            <p>
              Request: <code>{s.request}</code>
            </p>
          )}
          <pre class='source-text' tabindex={0} aria-label={`What ${props.integrationName} sent`}>
            {s.source}
          </pre>
        </>
      ) : (
        <p>
          No copy of what {props.integrationName} sent is kept for <code>{props.externalId}</code>: it was staged before Clockbridge kept them. SYNC again to
          keep one.
        </p>
      )}
    </Dialog>
  )
}
