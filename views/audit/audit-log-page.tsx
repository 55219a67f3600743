import type { ListParams, Page } from '../../src/lib/list-params.js'
import { ListResults, ListToolbar, PageHeader, type Column } from '../components/list-view.js'

/** One line of the audit log; `before` and `after` are JSON. */
export type AuditEntryView = {
  at: string
  actor: string
  action: string
  entity_type: string
  entity_id: string | null
  summary: string
  before: string | null
  after: string | null
  ip: string | null
}

function Changes(props: { before: string | null; after: string | null }) {
  if (!props.before && !props.after) return null
  return (
    <details>
      <summary>Before / after</summary>
      <div class='grid'>
        <pre>{props.before ? JSON.stringify(JSON.parse(props.before), null, 1) : '—'}</pre>
        <pre>{props.after ? JSON.stringify(JSON.parse(props.after), null, 1) : '—'}</pre>
      </div>
    </details>
  )
}

const columns: Column<AuditEntryView>[] = [
  { label: 'When (UTC)', sort: 'at', cell: (e) => <time datetime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time> },
  { label: 'Who', cell: (e) => e.actor },
  { label: 'Action', cell: (e) => <code>{e.action}</code> },
  { label: 'Record', cell: (e) => (e.entity_id ? `${e.entity_type} #${e.entity_id}` : e.entity_type) },
  {
    label: 'What',
    cell: (e) => (
      <>
        {e.summary}
        <Changes before={e.before} after={e.after} />
      </>
    ),
  },
  { label: 'From', cell: (e) => <small>{e.ip ?? ''}</small> },
]

export function AuditLogResults(props: { params: ListParams; page: Page<AuditEntryView> }) {
  return <ListResults basePath='/audit-log' params={props.params} page={props.page} columns={columns} noun={{ one: 'entry', many: 'entries' }} />
}

export function AuditLogPage(props: { params: ListParams; page: Page<AuditEntryView>; entityTypes: string[] }) {
  return (
    <>
      <PageHeader title='Audit log' />
      <ListToolbar
        basePath='/audit-log'
        params={props.params}
        searchLabel='Search who, action, summary or request id'
        filters={[
          {
            name: 'entity',
            label: 'Record type',
            options: [{ value: '', label: 'Every record type' }, ...props.entityTypes.map((t) => ({ value: t, label: t.replace('_', ' ') }))],
          },
        ]}
      />
      <AuditLogResults params={props.params} page={props.page} />
    </>
  )
}
