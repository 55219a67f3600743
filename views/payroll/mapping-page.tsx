/** Where payroll goes: a publishing integration or a payroll file format. */
type PayrollTarget = { key: string; label: string }
import { PageHeader } from '../components/list-view.js'

export type MappingView = {
  targets: PayrollTarget[]
  target: PayrollTarget
  groups: { id: number; name: string; is_default: number }[]
  group: { id: number; name: string; is_default: number }
  payIds: { code: string; name: string }[]
  items: { id: number; name: string }[]
  mapping: Map<string, number>
  /** One page of the employees (found by `q`), with how many match. */
  employees: { employees: { id: number; name: string; group: string }[]; total: number; page: number; pages: number }
  q: string
  canEdit: boolean
  error?: string
}

/** Payroll item mapping of one target: its groups, one group's pay ID to payroll item table, and who is in which group. */
export function MappingPage(v: MappingView) {
  const url = (target: string, group?: number) => `/payroll/mapping?${new URLSearchParams({ target, ...(group ? { group: String(group) } : {}) })}`
  const unmapped = v.payIds.filter((p) => !v.mapping.has(p.code)).length
  return (
    <>
      <PageHeader title='Payroll item mapping' breadcrumb={{ href: '/payroll', label: 'Payroll' }} />
      <nav aria-label='Targets' class='tabs'>
        <ul>
          {v.targets.map((t) => (
            <li>
              <a href={url(t.key)} aria-current={t.key === v.target.key ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {v.error && (
        <p class='flash flash-error' role='alert'>
          {v.error}
        </p>
      )}
      <p>
        Groups of {v.target.label}:{' '}
        {v.groups.map((g, i) => (
          <>
            {i > 0 && ' · '}
            {g.id === v.group.id ? <strong>{g.name}</strong> : <a href={url(v.target.key, g.id)}>{g.name}</a>}
            {g.is_default === 1 && ' (default)'}
          </>
        ))}
      </p>
      <form method='post' action={`/payroll/mapping/save?${new URLSearchParams({ target: v.target.key, group: String(v.group.id) })}`} id='mapping-form'>
        <h2>
          {v.group.name}: pay ID to payroll item {unmapped > 0 && <small class='muted'>({unmapped} not mapped)</small>}
        </h2>
        <table class='striped'>
          <thead>
            <tr>
              <th scope='col'>Pay ID</th>
              <th scope='col'>Payroll item at {v.target.label}</th>
            </tr>
          </thead>
          <tbody>
            {v.payIds.map((p) => (
              <tr>
                <th scope='row'>
                  <code>{p.code}</code> {p.name}
                </th>
                <td>
                  <select name={`pay_${p.code}`} aria-label={`Payroll item for ${p.code}`} disabled={!v.canEdit}>
                    <option value=''>Not mapped</option>
                    {v.items.map((it) => (
                      <option value={String(it.id)} selected={v.mapping.get(p.code) === it.id}>
                        {it.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {v.items.length === 0 && <p class='muted'>There are no payroll items yet: SYNC them from the integration, or add them under Payroll items.</p>}
        {v.canEdit && <button type='submit'>Save mapping</button>}
      </form>
      {v.canEdit && (
        <form method='post' action={`/payroll/mapping/groups?target=${encodeURIComponent(v.target.key)}`} class='inline-form'>
          <label for='new-group'>New group</label>
          <input id='new-group' name='name' maxlength={100} required />
          <button type='submit' class='secondary'>
            Add group
          </button>
        </form>
      )}
      <h2>Employees</h2>
      <form method='get' action='/payroll/mapping' class='list-toolbar' role='search'>
        <input type='hidden' name='target' value={v.target.key} />
        <input type='hidden' name='group' value={String(v.group.id)} />
        <input type='search' name='q' value={v.q} placeholder='Find by name or number' aria-label='Find employees by name or number' />
        <button type='submit' class='secondary'>
          Find
        </button>
      </form>
      <p class='muted'>
        {v.employees.total.toLocaleString('en-US')} employee{v.employees.total === 1 ? '' : 's'}
        {v.q ? ` matching "${v.q}"` : ''} · page {v.employees.page} of {v.employees.pages}
      </p>
      <form method='post' action={`/payroll/mapping/employees?target=${encodeURIComponent(v.target.key)}`} id='employee-groups'>
        <table class='striped'>
          <thead>
            <tr>
              {v.canEdit && (
                <th scope='col'>
                  <input type='checkbox' aria-label='Select all employees' data-check-all='employee_id' />
                </th>
              )}
              <th scope='col'>Employee</th>
              <th scope='col'>Payroll item group</th>
            </tr>
          </thead>
          <tbody>
            {v.employees.employees.map((e) => (
              <tr>
                {v.canEdit && (
                  <td>
                    <input type='checkbox' name='employee_id' value={String(e.id)} aria-label={`Select ${e.name}`} />
                  </td>
                )}
                <td>{e.name}</td>
                <td>{e.group}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {v.canEdit && (
          <div class='inline-form'>
            <label for='set-group'>Set payroll item group</label>
            <select id='set-group' name='group'>
              {v.groups.map((g) => (
                <option value={String(g.id)}>{g.name}</option>
              ))}
            </select>
            <button type='submit'>Set group</button>
          </div>
        )}
      </form>
      {v.employees.pages > 1 && (
        <nav aria-label='Employee pages' class='pager'>
          {v.employees.page > 1 && <a href={pageUrl(v, v.employees.page - 1)}>← Previous</a>} Page {v.employees.page} of {v.employees.pages}{' '}
          {v.employees.page < v.employees.pages && <a href={pageUrl(v, v.employees.page + 1)}>Next →</a>}
        </nav>
      )}
    </>
  )
}

const pageUrl = (v: MappingView, page: number) =>
  `/payroll/mapping?${new URLSearchParams({ target: v.target.key, group: String(v.group.id), ...(v.q ? { q: v.q } : {}), page: String(page) })}`
