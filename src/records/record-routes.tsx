import { Hono, type Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { z } from 'zod'
import type { AppEnv } from '../http/app-env.js'
import type { Db } from '../db/database.js'
import type { Permission } from '../auth/permissions.js'
import { requires } from '../auth/access.js'
import { type Actor } from '../audit/audit-log.js'
import { actorOf } from '../http/actor.js'
import { readForm } from '../http/forms.js'
import { type FormValues } from '../lib/validation.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderError } from '../http/errors.js'
import { renderPage, renderPageOrFragment } from '../http/render.js'
import { formatTimestamp } from '../lib/format.js'
import { parseListParams, type ListParams } from '../lib/list-params.js'
import { fetchPage } from '../lists/list-query.js'
import { sourcesInTable, syncedCondition, syncedFilterOptions, syncedFilterValues, syncedStatusLabel } from '../lists/synced-status.js'
import { ListResults, type Column, type ListFilter } from '../../views/components/list-view.js'
import { emptyForm, FIELD_OVERRIDE_FORM, type FormState, type ManagedFields } from '../../views/components/form-fields.js'
import { RecordDetailPage, RecordForm, RecordFormPage, RecordListPage, type RecordNoun } from '../../views/records/record-pages.js'
import { publishLinksOf, type RecordTable, type Result } from './record-service.js'
import { columnLabel } from './core-modules.js'
import { keepFieldLocally, overridesOf, releaseField } from './field-overrides.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the core modules' tables are chosen at run time
type Dynamic = any
type AnyQuery = SelectQueryBuilder<Dynamic, Dynamic, Dynamic>
type SyncedRow = { id: number; source_integration: string | null; external_id: string | null; created_at: string; updated_at: string }

/** Everything that differs between the core modules' list, detail and form pages. */
export type RecordModule<Row extends SyncedRow, Input, Options> = {
  table: RecordTable
  basePath: string
  noun: RecordNoun
  permissions: { view: Permission; manage: Permission }
  schema: z.ZodType<Input, Dynamic>
  list: {
    query: (db: Db) => SelectQueryBuilder<Dynamic, Dynamic, Row>
    sorts: Record<string, string>
    defaultSort: string
    searchColumns: string[]
    /** Filters besides Synced status: name, label, options, and the condition each value adds. */
    filters?: { name: string; label: string; options: { value: string; label: string }[]; apply: (q: AnyQuery, value: string) => AnyQuery }[]
    columns: Column<Row>[]
  }
  get: (db: Db, id: number) => Promise<Row | undefined>
  title: (row: Row) => string
  detail: (row: Row) => [string, Child][]
  toValues: (row: Row) => FormValues
  defaults?: (c: Context<AppEnv>) => Promise<FormValues>
  formOptions: (db: Db) => Promise<Options>
  formFields: (form: FormState, options: Options) => Child
  /** Why creating by hand is refused right now, or null when it is allowed. */
  creationBlocked?: (c: Context<AppEnv>) => Promise<string | null>
  create: (db: Db, actor: Actor, input: Input) => Promise<Result<number>>
  update: (db: Db, actor: Actor, id: number, input: Input) => Promise<Result<number>>
}

/** A Status filter over a column: "Any status" plus one option per value. */
export function statusFilter(column: string, values: Record<string, string>) {
  return {
    name: 'status',
    label: 'Status',
    options: [{ value: '', label: 'Any status' }, ...Object.entries(values).map(([value, label]) => ({ value, label }))],
    apply: (q: AnyQuery, v: string) => q.where(column, '=', v),
  }
}

/** Synced status and external id, shown on every record that an integration can feed. */
export function syncedDetail(row: {
  source_integration: string | null
  external_id: string | null
  created_at: string
  updated_at: string
}): [string, Child][] {
  return [
    ['Synced status', syncedStatusLabel(row.source_integration)],
    ['External id', row.external_id],
    ['Created', formatTimestamp(row.created_at)],
    ['Last changed', formatTimestamp(row.updated_at)],
  ]
}

/** The record's ids at publish targets other than its source, as a detail line. */
async function publishLinksLine(db: Db, table: RecordTable, id: number): Promise<[string, Child][]> {
  const links = await publishLinksOf(db, table, id)
  if (links.length === 0) return []
  return [['Linked for publishing', links.map((l) => `${syncedStatusLabel(l.integration)}: ${l.external_id} (matched by ${l.matched_by})`).join('; ')]]
}

export const syncedColumn = <T extends { source_integration: string | null }>(): Column<T> => ({
  label: 'Synced status',
  sort: 'synced',
  cell: (r) => <span class={r.source_integration ? 'badge badge-synced' : 'badge'}>{syncedStatusLabel(r.source_integration)}</span>,
})

/** The owned fields a submitted form changes, each with its message, or null when it changes none. */
function changedOwnedFields(stored: FormValues, submitted: FormValues, managed: ManagedFields): Record<string, string> | null {
  const errors: Record<string, string> = {}
  for (const field of managed.fields) {
    if (managed.kept?.includes(field)) continue
    if (submitted[field] === undefined || (submitted[field] ?? '').trim() === (stored[field] ?? '').trim()) continue
    errors[field] = `Managed by ${managed.by}: change it there, then SYNC and IMPORT. Your change was not saved.`
  }
  if (Object.keys(errors).length === 0) return null
  errors._form = `This record is synced from ${managed.by}, which owns the fields it sends; nothing was saved.`
  return errors
}

/** List, detail, create and edit routes of one core module, each guarded by its permission. */
export function recordRoutes<Row extends SyncedRow, Input, Options>(m: RecordModule<Row, Input, Options>) {
  const app = new Hono<AppEnv>()
  const crumb = { href: m.basePath, label: m.noun.title }
  const parseId = (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'))
    return Number.isSafeInteger(id) && id > 0 ? id : null
  }

  async function listFilters(db: Db): Promise<{ ui: ListFilter[]; allowed: Record<string, string[]> }> {
    const sources = await sourcesInTable(db, m.table)
    const ui: ListFilter[] = [
      ...(m.list.filters ?? []).map((f) => ({ name: f.name, label: f.label, options: f.options })),
      { name: 'synced', label: 'Synced status', options: syncedFilterOptions(sources) },
    ]
    const allowed: Record<string, string[]> = { synced: syncedFilterValues(sources) }
    for (const f of m.list.filters ?? []) allowed[f.name] = f.options.map((o) => o.value).filter(Boolean)
    return { ui, allowed }
  }

  async function loadList(c: Context<AppEnv>) {
    const { ui, allowed } = await listFilters(c.var.db)
    const params: ListParams = parseListParams(c.req.query(), {
      sorts: [...Object.keys(m.list.sorts), 'synced'],
      defaultSort: m.list.defaultSort,
      filters: allowed,
    })
    let query = m.list.query(c.var.db) as AnyQuery
    for (const f of m.list.filters ?? []) {
      const value = params.filters[f.name]
      if (value) query = f.apply(query, value)
    }
    const synced = syncedCondition(`${m.table}.source_integration`, params.filters.synced)
    if (synced) query = query.where(synced)
    const page = await fetchPage(c.var.db as unknown as Kysely<Dynamic>, query as SelectQueryBuilder<Dynamic, Dynamic, Row>, params, {
      searchColumns: m.list.searchColumns,
      sortColumns: { ...m.list.sorts, synced: `${m.table}.source_integration` },
      idColumn: `${m.table}.id`,
    })
    return { params, page, filters: ui }
  }

  const renderForm = (c: Context<AppEnv>, form: FormState, options: Options, row: Row | null) => (
    <>
      <RecordForm
        id={`${m.table}-form`}
        action={row ? `${m.basePath}/${row.id}` : m.basePath}
        form={form}
        fields={m.formFields(form, options)}
        submitLabel={row ? 'Save changes' : `Create ${m.noun.one}`}
        cancelHref={row ? `${m.basePath}/${row.id}` : m.basePath}
      />
      {form.managed?.actions && <form id={FIELD_OVERRIDE_FORM} method='post' hidden></form>}
    </>
  )

  const formPage = (c: Context<AppEnv>, form: FormState, options: Options, row: Row | null, status: 200 | 422 = 200) =>
    renderPageOrFragment(
      c,
      row ? `Edit ${m.title(row)}` : `New ${m.noun.one}`,
      () => (
        <RecordFormPage title={row ? `Edit ${m.title(row)}` : `New ${m.noun.one}`} breadcrumb={crumb}>
          {renderForm(c, form, options, row)}
        </RecordFormPage>
      ),
      () => renderForm(c, form, options, row),
      status,
    )

  app.get('/', requires(m.permissions.view), async (c) => {
    const { params, page, filters } = await loadList(c)
    const user = c.var.user!
    const blocked = user.permissions.has(m.permissions.manage) ? ((await m.creationBlocked?.(c)) ?? null) : 'no-permission'
    return renderPageOrFragment(
      c,
      m.noun.title,
      () => (
        <RecordListPage
          basePath={m.basePath}
          noun={m.noun}
          params={params}
          page={page}
          columns={m.list.columns}
          filters={filters}
          createAllowed={blocked === null}
          createHint={blocked && blocked !== 'no-permission' ? blocked : undefined}
        />
      ),
      () => <ListResults basePath={m.basePath} params={params} page={page} columns={m.list.columns} noun={m.noun} />,
    )
  })

  app.get('/new', requires(m.permissions.manage), async (c) => {
    const blocked = await m.creationBlocked?.(c)
    if (blocked) return renderError(c, 403, blocked)
    return formPage(c, emptyForm(await m.defaults?.(c)), await m.formOptions(c.var.db), null)
  })

  app.post('/', requires(m.permissions.manage), async (c) => {
    const blocked = await m.creationBlocked?.(c)
    if (blocked) return renderError(c, 403, blocked)
    const result = await readForm(c, m.schema)
    const options = await m.formOptions(c.var.db)
    if (!result.ok) return formPage(c, result, options, null, 422)
    const saved = await m.create(c.var.db, actorOf(c), result.data)
    if (!saved.ok) return formPage(c, { values: result.values, errors: saved.errors }, options, null, 422)
    setFlash(c, `Created ${m.noun.one}.`)
    return redirectTo(c, `${m.basePath}/${saved.value}`)
  })

  app.get('/:id', requires(m.permissions.view), async (c) => {
    const id = parseId(c)
    const row = id ? await m.get(c.var.db, id) : undefined
    if (!row) return renderError(c, 404)
    const canEdit = c.var.user!.permissions.has(m.permissions.manage)
    const links = await publishLinksLine(c.var.db, m.table, row.id)
    const ownership = await ownershipLines(c, row)
    return renderPage(
      c,
      m.title(row),
      <RecordDetailPage
        title={m.title(row)}
        breadcrumb={crumb}
        items={[...m.detail(row), ...syncedDetail(row), ...ownership, ...links]}
        editHref={canEdit ? `${m.basePath}/${row.id}/edit` : null}
      />,
    )
  })

  /**
   * On a record synced from the current sync source, the fields it sends: its IMPORT writes them, so
   * they are edited there. One from an earlier source is nobody's now (nothing imports over it).
   */
  const managedOf = async (c: Context<AppEnv>, row: Row): Promise<ManagedFields | undefined> => {
    if (!row.source_integration) return undefined
    const source = await c.var.deps.ownership.managedBy(c.var.db, row.source_integration, m.table)
    if (!source) return undefined
    const fields = source.columns
    const kept = ((await overridesOf(c.var.db, m.table, [row.id])).get(row.id) ?? []).map((o) => o.field).filter((f) => fields.includes(f))
    const actions = c.var.user?.permissions.has(m.permissions.manage) ? `${m.basePath}/${row.id}/fields` : undefined
    return { by: source.name, href: `/integrations/${row.source_integration}`, fields, kept, actions }
  }

  /** Who owns the record's fields, as detail lines: the fields kept here, or that its source is no longer the sync source. */
  const ownershipLines = async (c: Context<AppEnv>, row: Row): Promise<[string, Child][]> => {
    if (!row.source_integration) return []
    const managed = await managedOf(c, row)
    const name = syncedStatusLabel(row.source_integration)
    if (!managed)
      return [['Ownership', `Synced from ${name}, which is no longer the sync source: every field is yours to edit here, and no IMPORT writes over it.`]]
    const lines: [string, Child][] = [
      [
        `Managed by ${managed.by}`,
        managed.fields
          .filter((f) => !managed.kept?.includes(f))
          .map(columnLabel)
          .join(', ') || 'none',
      ],
    ]
    if (managed.kept && managed.kept.length > 0)
      lines.push(['Kept here', `${managed.kept.map(columnLabel).join(', ')}: ${managed.by} does not change them until they are released`])
    return lines
  }

  for (const action of ['keep', 'release'] as const) {
    app.post(`/:id/fields/:field/${action}`, requires(m.permissions.manage), async (c) => {
      const id = parseId(c)
      const row = id ? await m.get(c.var.db, id) : undefined
      if (!row) return renderError(c, 404)
      const managed = await managedOf(c, row)
      const field = c.req.param('field')
      const labelOf = columnLabel(field)
      if (!managed || !managed.fields.includes(field)) {
        setFlash(c, `${labelOf} of ${m.title(row)} is not managed by a sync source, so there is nothing to ${action}: it is yours to edit.`, 'error')
        return redirectTo(c, `${m.basePath}/${row.id}/edit`)
      }
      const target = { table: m.table, id: row.id, label: m.title(row), field, fieldLabel: labelOf, source: managed.by }
      const done = action === 'keep' ? await keepFieldLocally(c.var.db, actorOf(c), target) : await releaseField(c.var.db, actorOf(c), target)
      if ('error' in done) setFlash(c, done.error, 'error')
      else
        setFlash(
          c,
          action === 'keep'
            ? `${labelOf} is kept here now: edit it, and ${managed.by} will not change it until you release it.`
            : `${labelOf} follows ${managed.by} again and has its value from there.`,
        )
      return redirectTo(c, `${m.basePath}/${row.id}/edit`)
    })
  }

  app.get('/:id/edit', requires(m.permissions.manage), async (c) => {
    const id = parseId(c)
    const row = id ? await m.get(c.var.db, id) : undefined
    if (!row) return renderError(c, 404)
    return formPage(c, { ...emptyForm(m.toValues(row)), managed: await managedOf(c, row) }, await m.formOptions(c.var.db), row)
  })

  app.post('/:id', requires(m.permissions.manage), async (c) => {
    const id = parseId(c)
    const row = id ? await m.get(c.var.db, id) : undefined
    if (!row) return renderError(c, 404)
    const result = await readForm(c, m.schema)
    const options = await m.formOptions(c.var.db)
    const managed = await managedOf(c, row)
    if (!result.ok) return formPage(c, { ...result, managed }, options, row, 422)
    // A field its source owns, changed all the same (an old form, a hand-made request): refused, nothing written.
    const owned = managed ? changedOwnedFields(m.toValues(row), result.values, managed) : null
    if (owned) {
      const stored = m.toValues(row)
      const values = { ...result.values, ...Object.fromEntries(managed!.fields.filter((f) => f in stored).map((f) => [f, stored[f]!])) }
      return formPage(c, { values, errors: owned, managed }, options, row, 422)
    }
    const saved = await m.update(c.var.db, actorOf(c), row.id, result.data)
    if (!saved.ok) return formPage(c, { values: result.values, errors: saved.errors, managed }, options, row, 422)
    setFlash(c, 'Saved.')
    return redirectTo(c, `${m.basePath}/${row.id}`)
  })

  return app
}
