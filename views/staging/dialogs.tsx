import type { ModuleView } from '../integrations/connector-view.js'

/** What IMPORT would do with each selected record, and how many it leaves alone. */
export type ImportPlan = {
  items: {
    stagedId: number
    externalId: string
    label: string
    action: 'create' | 'update' | 'link' | 'fail'
    core?: { id: number; label: string }
    message?: string
  }[]
  skipped: number
}

/** A native dialog: opens as it arrives, closes with its form method=dialog, no script needed. */
function Dialog(props: { title: string; children?: unknown; labelledBy: string }) {
  return (
    <dialog open aria-labelledby={props.labelledBy}>
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

export function ChangesDialog(props: {
  label: string
  externalId: string
  module: ModuleView
  before: Record<string, string | null>
  after: Record<string, string | null>
}) {
  const changed = props.module.fields.filter((f) => (props.before[f.key] ?? null) !== (props.after[f.key] ?? null))
  return (
    <Dialog title={`What changed: ${props.label}`} labelledBy='changes-title'>
      <p class='muted'>
        External id <code>{props.externalId}</code>. <em>Existing</em> is what was imported; <em>updated</em> is what the source has now. IMPORT applies the
        updated values.
      </p>
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
    </Dialog>
  )
}
