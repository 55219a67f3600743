import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { readForm } from '../http/forms.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderError } from '../http/errors.js'
import { renderPage, renderPageOrFragment } from '../http/render.js'
import { parseListParams } from '../lib/list-params.js'
import { fetchPage } from '../lists/list-query.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { UserDetailPage, UserForm, UsersPage, UsersResults } from '../../views/users/users-page.js'
import { createUser, editUserSchema, getUser, listRoles, newUserSchema, setUserStatus, updateUser, usersQuery } from './service.js'

export const usersRoutes = new Hono<AppEnv>()

const SORTS = { name: 'users.name', email: 'users.email', role: { numbers: 'roles.position' }, status: 'users.status' }

const parseId = (c: Context<AppEnv>) => {
  const id = Number(c.req.param('id'))
  return Number.isSafeInteger(id) && id > 0 ? id : 0
}

const actorWithRole = (c: Context<AppEnv>) => ({ ...actorOf(c), roleKey: c.var.user!.roleKey })

usersRoutes.get('/', requires('users.manage'), async (c) => {
  const params = parseListParams(c.req.query(), { sorts: Object.keys(SORTS), defaultSort: 'name', filters: { status: ['active', 'disabled'] } })
  const page = await fetchPage(c.var.db, usersQuery(c.var.db, params.filters.status), params, {
    searchColumns: ['users.name', 'users.email'],
    sortColumns: SORTS,
    idColumn: 'users.id',
  })
  return renderPageOrFragment(
    c,
    'Users',
    () => <UsersPage params={params} page={page} />,
    () => <UsersResults params={params} page={page} />,
  )
})

async function formPage(c: Context<AppEnv>, form: FormState, userId: number | null, status: 200 | 422 = 200) {
  const roles = await listRoles(c.var.db)
  const title = userId ? 'Edit user' : 'New user'
  const body = () => <UserForm form={form} roles={roles} userId={userId} />
  return renderPageOrFragment(c, title, () => <UserDetailPage title={title}>{body()}</UserDetailPage>, body, status)
}

usersRoutes.get('/new', requires('users.manage'), (c) => formPage(c, emptyForm(), null))

usersRoutes.post('/', requires('users.manage'), async (c) => {
  const result = await readForm(c, newUserSchema)
  if (!result.ok) return formPage(c, { values: { ...result.values, password: '' }, errors: result.errors }, null, 422)
  const saved = await createUser(c.var.db, actorWithRole(c), result.data)
  if (!saved.ok) return formPage(c, { values: result.values, errors: saved.errors }, null, 422)
  setFlash(c, `Created user ${result.data.email}. Give them their password by a safe channel; they can change it under Your account.`)
  return redirectTo(c, `/users/${saved.value}`)
})

usersRoutes.get('/:id', requires('users.manage'), async (c) => {
  const user = await getUser(c.var.db, parseId(c))
  if (!user) return renderError(c, 404)
  const form = emptyForm({ name: user.name, email: user.email, roleId: String(user.role_id) })
  const roles = await listRoles(c.var.db)
  return renderPage(
    c,
    user.name,
    <UserDetailPage title={user.name} user={user} isSelf={user.id === c.var.user!.id}>
      <UserForm form={form} roles={roles} userId={user.id} />
    </UserDetailPage>,
  )
})

usersRoutes.post('/:id', requires('users.manage'), async (c) => {
  const id = parseId(c)
  if (!(await getUser(c.var.db, id))) return renderError(c, 404)
  const result = await readForm(c, editUserSchema)
  if (!result.ok) return formPage(c, result, id, 422)
  const saved = await updateUser(c.var.db, actorWithRole(c), id, result.data)
  if (!saved.ok) return formPage(c, { values: result.values, errors: saved.errors }, id, 422)
  setFlash(c, 'Saved.')
  return redirectTo(c, `/users/${id}`)
})

for (const [action, status] of [
  ['disable', 'disabled'],
  ['enable', 'active'],
] as const) {
  usersRoutes.post(`/:id/${action}`, requires('users.manage'), async (c) => {
    const id = parseId(c)
    if (!(await getUser(c.var.db, id))) return renderError(c, 404)
    const result = await setUserStatus(c.var.db, actorWithRole(c), id, status)
    if (result.ok) setFlash(c, action === 'disable' ? 'User disabled and signed out everywhere.' : 'User enabled.')
    else setFlash(c, result.errors._form ?? 'Not changed.', 'error')
    return redirectTo(c, `/users/${id}`)
  })
}
