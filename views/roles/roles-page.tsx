/** Each role and the permissions it holds; the super admin's are locked. */
type RoleMatrix = { id: number; name: string; permissions: ReadonlySet<string>; locked: boolean }[]
/** Every permission a role can hold, grouped as the matrix shows them. */
type PermissionGroups = readonly { name: string; permissions: readonly { key: string; label: string }[] }[]
import { PageHeader } from '../components/list-view.js'

export function RoleMatrixForm(props: { matrix: RoleMatrix; groups: PermissionGroups; error?: string }) {
  return (
    <form id='role-matrix' method='post' action='/roles' hx-post='/roles' hx-target='this' hx-swap='outerHTML' hx-disable='find button[type=submit]'>
      {props.error && (
        <p class='flash flash-error' role='alert'>
          {props.error}
        </p>
      )}
      <div class='table-scroll'>
        <table class='matrix'>
          <thead>
            <tr>
              <th scope='col'>Permission</th>
              {props.matrix.map((r) => (
                <th scope='col'>{r.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.groups.map((group) => (
              <>
                <tr class='group-row'>
                  <th scope='rowgroup' colspan={props.matrix.length + 1}>
                    {group.name}
                  </th>
                </tr>
                {group.permissions.map((p) => (
                  <tr>
                    <th scope='row'>{p.label}</th>
                    {props.matrix.map((r) => (
                      <td>
                        <input
                          type='checkbox'
                          name='grant'
                          value={`${r.id}:${p.key}`}
                          checked={r.locked || r.permissions.has(p.key)}
                          disabled={r.locked}
                          aria-label={`${r.name}: ${p.label}`}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </>
            ))}
          </tbody>
        </table>
      </div>
      <button type='submit'>SAVE CHANGES</button>
    </form>
  )
}

export function RolesPage(props: { matrix: RoleMatrix; groups: PermissionGroups; error?: string }) {
  return (
    <>
      <PageHeader title='Role permissions' />
      <p>
        Tick what each role may do. Super Admin always holds every permission so the server can never be locked out. Changes apply on the next click of every
        signed-in user.
      </p>
      <RoleMatrixForm matrix={props.matrix} groups={props.groups} error={props.error} />
    </>
  )
}
