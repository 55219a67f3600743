import type { Child } from 'hono/jsx'
import type { ModuleView } from '../integrations/connector-view.js'
import { formatTimestamp } from '../../src/lib/format.js'
import { RunPanel, type RowErrorView, type RunRow } from './run-panel.js'
import { ListLink, PageNav } from '../components/list-view.js'

export type StagedStatus = 'new' | 'updated' | 'imported' | 'archived'
export type StagingFilter = { status: StagedStatus | ''; removed: '' | 'yes' | 'no'; q: string; failed?: boolean; conflicts?: number[] }
export type StagingSort = { sort: 'label' | 'external_id' | 'changed' | 'status'; dir: 'asc' | 'desc' }
/** One staged record as its row shows it; `removed`: 1 when the source no longer has it. */
export type StagingRow = {
  id: number
  external_id: string
  label: string
  status: StagedStatus
  removed: number
  core_id: number | null
  last_changed_at: string
  /** Why its last IMPORT failed, until one succeeds. */
  import_error: string | null
}
export type StatusCounts = Record<StagedStatus | 'removed' | 'failed', number> & { conflicts?: number }
/** Which column of the file holds the external id, and which each field. */
export type ColumnMapping = { externalId: string | null; fields: Record<string, string | null> }

const STATUS_LABELS: Record<StagedStatus, string> = { new: 'New', updated: 'Updated', imported: 'Imported', archived: 'Archived' }

export type StagingView = {
  integrationPath: string
  modulePath: string
  module: ModuleView
  filter: StagingFilter
  sort: StagingSort
  page: { rows: StagingRow[]; total: number; page: number; pageCount: number }
  counts: StatusCounts
  canAct: boolean
  message?: { kind: 'success' | 'error'; text: Child }
}

export function stagingUrl(
  v: Pick<StagingView, 'modulePath' | 'filter' | 'sort'>,
  change: Partial<StagingFilter & StagingSort & { page: number }> = {},
): string {
  const p = { ...v.filter, ...v.sort, page: 1, ...change }
  const search = new URLSearchParams()
  if (p.q) search.set('q', p.q)
  const status = statusParam(p)
  if (status) search.set('status', status)
  if (p.removed) search.set('removed', p.removed)
  if (p.sort !== 'label') search.set('sort', p.sort)
  if (p.dir !== 'asc') search.set('dir', p.dir)
  if (p.page > 1) search.set('page', String(p.page))
  const s = search.toString()
  return s ? `${v.modulePath}?${s}` : v.modulePath
}

/** The Status filter's value: a status, or one of the two lists that are not one (failed, conflicts). */
const statusParam = (f: StagingFilter): string => (f.failed ? 'failed' : f.conflicts ? 'conflicts' : f.status)

function StatusCell(props: { row: StagingRow; modulePath: string }) {
  return (
    <>
      <StatusBadge row={props.row} modulePath={props.modulePath} />
      {props.row.import_error && <span class='import-failed'>Failed: {props.row.import_error}</span>}
    </>
  )
}

function StatusBadge(props: { row: StagingRow; modulePath: string }) {
  const label = STATUS_LABELS[props.row.status]
  if (props.row.status !== 'updated') return <span class={`status status-${props.row.status}`}>{label}</span>
  return (
    <button
      type='button'
      class={`status status-updated linklike`}
      hx-get={`${props.modulePath}/records/${props.row.id}/changes`}
      hx-target='#dialog'
      title='Show what changed'
    >
      {label}
    </button>
  )
}

function SortLink(props: { v: StagingView; sort: StagingSort['sort']; label: string }) {
  const active = props.v.sort.sort === props.sort
  const dir = active && props.v.sort.dir === 'asc' ? 'desc' : 'asc'
  return (
    <ListLink href={stagingUrl(props.v, { sort: props.sort, dir })} target='#staging-results' id={`sort-${props.sort}`}>
      {props.label}
      {active ? (props.v.sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
    </ListLink>
  )
}

/** The table, its selection and actions: what SYNC, IMPORT, Archive and filters swap. */
export function StagingResults(props: { v: StagingView }) {
  const v = props.v
  const { rows, total, page, pageCount } = v.page
  const matching = total.toLocaleString('en-US')
  const self = stagingUrl(v, { page })
  return (
    <div id='staging-results' hx-get={self} hx-trigger='staging-changed from:body' hx-swap='outerHTML'>
      {v.message && (
        // Where the keyboard's focus goes when the action that answered with it is gone (app.js).
        <p class={`flash flash-${v.message.kind}`} role='status' tabindex={-1} data-focus-here>
          {v.message.text}
        </p>
      )}
      <p class='status-summary'>
        {(['new', 'updated', 'imported', 'archived'] as const).map((s) => (
          <span class={`status status-${s}`}>
            {STATUS_LABELS[s]} {v.counts[s].toLocaleString('en-US')}
          </span>
        ))}
        <span class='badge badge-removed'>Removed at source {v.counts.removed.toLocaleString('en-US')}</span>
        {(v.counts.conflicts ?? 0) > 0 && (
          <a href={stagingUrl(v, { status: '', failed: false, conflicts: [] })} class='badge badge-conflict'>
            Conflicts {v.counts.conflicts!.toLocaleString('en-US')}
          </a>
        )}
        {v.counts.failed > 0 && (
          // A whole page, so the filter's own select says "Failed at IMPORT" too.
          <a href={stagingUrl(v, { status: '', failed: true, conflicts: undefined })} class='badge badge-failed'>
            Failed at IMPORT {v.counts.failed.toLocaleString('en-US')}
          </a>
        )}
      </p>
      <p class='list-count'>
        {total > 0
          ? `${matching} staged record${total === 1 ? '' : 's'}${pageCount > 1 ? ` · page ${page} of ${pageCount.toLocaleString('en-US')}` : ''}`
          : v.filter.q
            ? 'No staged records match. Search finds the start of any word of a name or external id.'
            : 'No staged records match.'}
      </p>
      <form id='staging-form' method='post' action={`${v.modulePath}/import/preview`}>
        <input type='hidden' name='q' value={v.filter.q} />
        <input type='hidden' name='status' value={statusParam(v.filter)} />
        <input type='hidden' name='removed' value={v.filter.removed} />
        {rows.length > 0 && (
          <div class='table-scroll'>
            <table class='striped staging'>
              <thead>
                <tr>
                  {v.canAct && (
                    <th scope='col'>
                      <input type='checkbox' data-check-all='ids' aria-label='Select every record on this page' />
                    </th>
                  )}
                  <th scope='col'>
                    <SortLink v={v} sort='external_id' label='External id' />
                  </th>
                  <th scope='col'>
                    <SortLink v={v} sort='label' label={v.module.one} />
                  </th>
                  <th scope='col'>
                    <SortLink v={v} sort='status' label='Status' />
                  </th>
                  <th scope='col'>
                    <SortLink v={v} sort='changed' label='Last changed' />
                  </th>
                  <th scope='col'>Record</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    {v.canAct && (
                      <td>
                        <input type='checkbox' name='ids' value={String(r.id)} aria-label={`Select ${r.label}`} />
                      </td>
                    )}
                    <td>
                      <code>{r.external_id}</code>
                    </td>
                    <td>
                      {r.label}{' '}
                      <button
                        type='button'
                        class='linklike source-link'
                        hx-get={`${v.modulePath}/records/${r.id}/source`}
                        hx-target='#dialog'
                        aria-label={`View source of ${r.label}`}
                      >
                        source
                      </button>
                      {r.removed ? (
                        <>
                          {' '}
                          <span class='badge badge-removed' title='Not in the last complete sync'>
                            Removed at source
                          </span>
                        </>
                      ) : null}
                    </td>
                    <td>
                      <StatusCell row={r} modulePath={v.modulePath} />
                    </td>
                    <td>{formatTimestamp(r.last_changed_at)}</td>
                    <td>{r.core_id ? <a href={`${v.module.corePath}/${r.core_id}`}>#{r.core_id}</a> : <span class='muted'>—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {v.canAct && rows.length > 0 && (
          <div class='selection-bar'>
            <label class='select-all'>
              <input type='checkbox' name='all' value='1' data-select-all />
              Select all {matching} matching
            </label>
            <button type='submit' hx-post={`${v.modulePath}/import/preview`} hx-target='#dialog' hx-swap='innerHTML'>
              IMPORT
            </button>
            <button
              type='submit'
              class='secondary'
              formaction={`${v.modulePath}/archive`}
              hx-post={`${v.modulePath}/archive`}
              hx-target='#staging-results'
              hx-swap='outerHTML'
            >
              Archive
            </button>
            <button
              type='submit'
              class='secondary outline'
              formaction={`${v.modulePath}/unarchive`}
              hx-post={`${v.modulePath}/unarchive`}
              hx-target='#staging-results'
              hx-swap='outerHTML'
            >
              Unarchive
            </button>
          </div>
        )}
      </form>
      <PageNav page={page} pageCount={pageCount} urlFor={(p) => stagingUrl(v, { page: p })} target='#staging-results' />
      <div id='dialog'></div>
    </div>
  )
}

function StagingToolbar(props: { v: StagingView }) {
  const v = props.v
  return (
    <form
      method='get'
      action={v.modulePath}
      class='list-toolbar'
      role='search'
      hx-get={v.modulePath}
      hx-trigger='input changed delay:250ms target:input[name=q], change target:select, submit'
      hx-target='#staging-results'
      hx-swap='outerHTML'
      hx-push-url='true'
    >
      <input
        type='search'
        name='q'
        value={v.filter.q}
        placeholder='Search: start of a name or external id'
        aria-label='Search staged records'
        autocomplete='off'
      />
      <select name='status' aria-label='Status'>
        <option value=''>Every status</option>
        {(['new', 'updated', 'imported', 'archived'] as const).map((s) => (
          <option value={s} selected={!v.filter.failed && !v.filter.conflicts && v.filter.status === s}>
            {STATUS_LABELS[s]}
          </option>
        ))}
        <option value='failed' selected={!!v.filter.failed}>
          Failed at IMPORT
        </option>
        <option value='conflicts' selected={!!v.filter.conflicts}>
          Conflicts to settle
        </option>
      </select>
      <select name='removed' aria-label='Removed at source'>
        <option value=''>At source or removed</option>
        <option value='yes' selected={v.filter.removed === 'yes'}>
          Removed at source
        </option>
        <option value='no' selected={v.filter.removed === 'no'}>
          Still at source
        </option>
      </select>
      <input type='hidden' name='sort' value={v.sort.sort} />
      <input type='hidden' name='dir' value={v.sort.dir} />
      <noscript>
        <button type='submit'>Filter</button>
      </noscript>
    </form>
  )
}

export type UploadView = {
  accept: string
  maxBytes: number
  /** What was read of the file when it arrived; `encoding` says how a CSV's bytes were read. */
  file: { filename: string; size: number; uploadedAt: string; headers: string[]; rows: number; encoding: string | null; sample: string[][] } | null
  /** What the file's columns are mapped onto. */
  columns: { key: string; label: string; required?: boolean }[]
  idFromColumns: boolean
  mapping: ColumnMapping | null
  problems: string[]
  error?: string
  /** What a successful upload or mapping says. */
  notice?: string
}

/** Upload a file and map its columns, for file-based connectors. */
export function UploadSection(props: { v: Pick<StagingView, 'modulePath' | 'module'>; upload: UploadView }) {
  const { v, upload } = props
  const file = upload.file
  return (
    <section id='upload-section' class='upload-section'>
      <form
        method='post'
        action={`${v.modulePath}/upload`}
        enctype='multipart/form-data'
        class='upload-form'
        hx-post={`${v.modulePath}/upload`}
        hx-encoding='multipart/form-data'
        hx-target='#upload-section'
        hx-swap='outerHTML'
        hx-disable='find button'
      >
        <label for='upload-file'>
          {file ? 'Replace the file' : 'Upload a file'} ({upload.accept}, up to {Math.round(upload.maxBytes / 1024 / 1024)} MB)
        </label>
        <div class='upload-row'>
          <input id='upload-file' type='file' name='file' accept={upload.accept} required />
          <button type='submit'>Upload</button>
        </div>
        {upload.error && (
          <p class='flash flash-error' role='alert'>
            {upload.error}
          </p>
        )}
        {upload.notice && !upload.error && (
          <p class='flash flash-success' role='status'>
            {upload.notice}
          </p>
        )}
      </form>
      {file && (
        <form
          method='post'
          action={`${v.modulePath}/mapping`}
          class='mapping-form'
          hx-post={`${v.modulePath}/mapping`}
          hx-target='#upload-section'
          hx-swap='outerHTML'
        >
          <p>
            <strong>{file.filename}</strong> · {file.rows.toLocaleString('en-US')} rows{file.encoding ? ` · read as ${file.encoding}` : ''} · uploaded{' '}
            {formatTimestamp(file.uploadedAt)}
          </p>
          {file.encoding === 'Windows-1252' && (
            <p class='flash flash-warning' role='status'>
              This file is not UTF-8, so it was read as Windows-1252 (Excel's usual CSV on Windows). Check the first rows below; if letters look wrong, save the
              sheet as "CSV UTF-8" and upload it again.
            </p>
          )}
          {file.sample.length > 0 && (
            <div class='table-scroll' tabindex={0} aria-label='First rows of the file'>
              <table class='striped sample-rows'>
                <caption>First rows of the file</caption>
                <thead>
                  <tr>
                    {file.headers.map((h) => (
                      <th scope='col'>{h}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {file.sample.map((row) => (
                    <tr>
                      {row.map((cell) => (
                        <td>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <details open={!upload.mapping || upload.problems.length > 0}>
            <summary>Columns: which column of the file feeds each field</summary>
            {upload.problems.length > 0 && (
              <ul class='flash flash-error'>
                {upload.problems.map((p) => (
                  <li>{p}</li>
                ))}
              </ul>
            )}
            <div class='mapping-grid'>
              {!upload.idFromColumns && (
                <MappingSelect name='externalId' label='External id *' headers={file.headers} value={upload.mapping?.externalId ?? null} />
              )}
              {upload.columns.map((f) => (
                <MappingSelect
                  name={`field:${f.key}`}
                  label={`${f.label}${f.required ? ' *' : ''}`}
                  headers={file.headers}
                  value={upload.mapping?.fields[f.key] ?? null}
                />
              ))}
            </div>
            <button type='submit' class='secondary'>
              Save columns
            </button>
          </details>
        </form>
      )}
    </section>
  )
}

function MappingSelect(props: { name: string; label: string; headers: string[]; value: string | null }) {
  const id = `map-${props.name.replace(':', '-')}`
  return (
    <div class='field'>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        <option value=''>— not in the file —</option>
        {props.headers.map((h) => (
          <option value={h} selected={h === props.value}>
            {h}
          </option>
        ))}
      </select>
    </div>
  )
}

export function StagingTab(props: {
  v: StagingView
  run: RunRow | undefined
  runErrors: RowErrorView[]
  agentName?: string
  canSync: boolean
  syncBlocked: string | null
  upload: UploadView | null
}) {
  const v = props.v
  return (
    <section class='staging-tab'>
      {props.upload && <UploadSection v={v} upload={props.upload} />}
      <div class='sync-bar'>
        {props.canSync && (
          <button
            type='button'
            id='sync-button'
            hx-post={`${v.modulePath}/sync`}
            hx-target='#run-panel'
            hx-swap='outerHTML'
            hx-disable='this'
            disabled={props.syncBlocked !== null}
          >
            SYNC
          </button>
        )}
        {props.syncBlocked && <small class='muted'>{props.syncBlocked}</small>}
      </div>
      <RunPanel
        run={props.run}
        integrationPath={v.integrationPath}
        modulePath={v.modulePath}
        canAct={v.canAct}
        errors={props.runErrors}
        agentName={props.agentName}
      />
      <StagingToolbar v={v} />
      <StagingResults v={v} />
    </section>
  )
}
