import type { Child } from 'hono/jsx'
import { listUrl, type ListParams } from '../../src/lib/list-params.js'
import type { Page } from '../../src/lib/list-params.js'

export type Column<T> = { label: string; sort?: string; cell: (row: T) => Child; class?: string }
export type ListFilter = { name: string; label: string; options: { value: string; label: string }[] }

type ListProps<T> = {
  basePath: string
  params: ListParams
  page: Page<T>
  columns: Column<T>[]
  noun: { one: string; many: string }
}

/**
 * The search box and filters of a list. As plain HTML it is a GET form; with htmx each keystroke
 * (debounced) or filter change fetches only the results and pushes the URL, so back and reload work.
 */
export function ListToolbar(props: { basePath: string; params: ListParams; filters: ListFilter[]; searchLabel: string }) {
  return (
    <form
      method='get'
      action={props.basePath}
      class='list-toolbar'
      role='search'
      hx-get={props.basePath}
      hx-trigger='input changed delay:250ms target:input[name=q], change target:select, submit'
      hx-target='#list-results'
      hx-swap='outerHTML'
      hx-push-url='true'
    >
      <input type='search' name='q' value={props.params.q} placeholder={props.searchLabel} aria-label={props.searchLabel} autocomplete='off' />
      {props.filters.map((f) => (
        <select name={f.name} aria-label={f.label}>
          {f.options.map((o) => (
            <option value={o.value} selected={o.value === (props.params.filters[f.name] ?? '')}>
              {o.label}
            </option>
          ))}
        </select>
      ))}
      <input type='hidden' name='sort' value={props.params.sort} />
      <input type='hidden' name='dir' value={props.params.dir} />
      <noscript>
        <button type='submit'>Search</button>
      </noscript>
    </form>
  )
}

/** The results: a sortable table and its pagination. This is the fragment htmx swaps. */
export function ListResults<T>(props: ListProps<T>) {
  const { page, params } = props
  return (
    <div id='list-results' aria-live='polite'>
      <p class='list-count'>
        {page.total === 0
          ? params.q || Object.values(params.filters).some(Boolean)
            ? `No ${props.noun.many} match.`
            : `No ${props.noun.many} yet.`
          : `${page.total.toLocaleString('en-US')} ${page.total === 1 ? props.noun.one : props.noun.many}` +
            (page.pageCount > 1 ? ` · page ${page.page} of ${page.pageCount}` : '')}
      </p>
      {page.rows.length > 0 && (
        <div class='table-scroll'>
          <table class='striped'>
            <thead>
              <tr>
                {props.columns.map((col) => (
                  <th
                    scope='col'
                    class={col.class}
                    aria-sort={col.sort && col.sort === params.sort ? (params.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {col.sort ? <SortLink basePath={props.basePath} params={params} column={col.sort} label={col.label} /> : col.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((row) => (
                <tr>
                  {props.columns.map((col) => (
                    <td class={col.class}>{col.cell(row)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination basePath={props.basePath} params={params} page={page} />
    </div>
  )
}

/** A link that works as a plain link and, with htmx, swaps only the results and keeps the URL. */
/** `id`: a link the swap brings back (a sort heading) keeps its id, so the keyboard's focus returns to it (app.js). */
export function ListLink(props: { href: string; children?: Child; rel?: string; 'aria-label'?: string; target?: string; id?: string }) {
  return (
    <a
      id={props.id}
      href={props.href}
      hx-get={props.href}
      hx-target={props.target ?? '#list-results'}
      hx-swap='outerHTML'
      hx-push-url='true'
      rel={props.rel}
      aria-label={props['aria-label']}
    >
      {props.children}
    </a>
  )
}

function SortLink(props: { basePath: string; params: ListParams; column: string; label: string }) {
  const active = props.params.sort === props.column
  const dir = active && props.params.dir === 'asc' ? 'desc' : 'asc'
  return (
    <ListLink href={listUrl(props.basePath, props.params, { sort: props.column, dir, page: 1 })} id={`sort-${props.column}`}>
      {props.label}
      {active ? (props.params.dir === 'asc' ? ' ▲' : ' ▼') : ''}
    </ListLink>
  )
}

function Pagination<T>(props: { basePath: string; params: ListParams; page: Page<T> }) {
  return <PageNav page={props.page.page} pageCount={props.page.pageCount} urlFor={(page) => listUrl(props.basePath, props.params, { page })} />
}

/** Previous / Page N of M / Next, for any list whose URL can be built for a page. */
export function PageNav(props: { page: number; pageCount: number; urlFor: (page: number) => string; target?: string }) {
  const { page, pageCount } = props
  if (pageCount <= 1) return null
  return (
    <nav class='pagination' aria-label='Pages'>
      <ul>
        <li>
          {page > 1 ? (
            <ListLink href={props.urlFor(page - 1)} target={props.target} rel='prev'>
              ← Previous
            </ListLink>
          ) : (
            <span aria-disabled='true'>← Previous</span>
          )}
        </li>
        <li>
          Page {page} of {pageCount}
        </li>
        <li>
          {page < pageCount ? (
            <ListLink href={props.urlFor(page + 1)} target={props.target} rel='next'>
              Next →
            </ListLink>
          ) : (
            <span aria-disabled='true'>Next →</span>
          )}
        </li>
      </ul>
    </nav>
  )
}

/** A page heading with an optional action (such as a create button) on its right. */
export function PageHeader(props: { title: string; children?: Child; breadcrumb?: { href: string; label: string } }) {
  return (
    <header class='page-header'>
      <div>
        {props.breadcrumb && (
          <nav aria-label='breadcrumb'>
            <ul>
              <li>
                <a href={props.breadcrumb.href}>{props.breadcrumb.label}</a>
              </li>
              <li>{props.title}</li>
            </ul>
          </nav>
        )}
        <h1>{props.title}</h1>
      </div>
      <div class='page-actions'>{props.children}</div>
    </header>
  )
}

/** Label/value pairs of a detail page. */
export function DetailList(props: { items: [string, Child][] }) {
  return (
    <dl class='detail-list'>
      {props.items.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === '' ? <span class='muted'>—</span> : value}</dd>
        </>
      ))}
    </dl>
  )
}
