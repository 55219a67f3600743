import { formatTimestamp } from '../../src/lib/format.js'
import type { Child } from 'hono/jsx'
import type { ListParams } from '../../src/lib/list-params.js'
import type { Page } from '../../src/lib/list-params.js'
import { Field, FormError, HtmxForm, SelectField, type FormState } from '../components/form-fields.js'
import { DetailList, ListResults, ListToolbar, PageHeader, type Column } from '../components/list-view.js'

type UserRow = { id: number; name: string; email: string; status: string; role_name: string }

const columns: Column<UserRow>[] = [
  { label: 'Name', sort: 'name', cell: (u) => <a href={`/users/${u.id}`}>{u.name}</a> },
  { label: 'Email', sort: 'email', cell: (u) => u.email },
  { label: 'Role', sort: 'role', cell: (u) => u.role_name },
  { label: 'Status', sort: 'status', cell: (u) => (u.status === 'active' ? 'Active' : <mark>Disabled</mark>) },
]

export function UsersResults(props: { params: ListParams; page: Page<UserRow> }) {
  return <ListResults basePath='/users' params={props.params} page={props.page} columns={columns} noun={{ one: 'user', many: 'users' }} />
}

export function UsersPage(props: { params: ListParams; page: Page<UserRow> }) {
  return (
    <>
      <PageHeader title='Users'>
        <a href='/users/new' role='button'>
          New user
        </a>
      </PageHeader>
      <ListToolbar
        basePath='/users'
        params={props.params}
        searchLabel='Search users'
        filters={[
          {
            name: 'status',
            label: 'Status',
            options: [
              { value: '', label: 'Any status' },
              { value: 'active', label: 'Active' },
              { value: 'disabled', label: 'Disabled' },
            ],
          },
        ]}
      />
      <UsersResults params={props.params} page={props.page} />
    </>
  )
}

export function UserForm(props: { form: FormState; roles: { id: number; name: string }[]; userId: number | null }) {
  const f = props.form
  const action = props.userId ? `/users/${props.userId}` : '/users'
  return (
    <HtmxForm action={action} id='user-form'>
      <FormError form={f} />
      <div class='grid'>
        <Field form={f} name='name' label='Name' required maxlength={100} />
        <Field form={f} name='email' label='Email' type='email' required maxlength={254} />
      </div>
      <SelectField
        form={f}
        name='roleId'
        label='Role'
        required
        options={[{ value: '', label: '— Choose a role —' }, ...props.roles.map((r) => ({ value: String(r.id), label: r.name }))]}
      />
      {!props.userId && (
        <Field form={f} name='password' label='Initial password' type='password' required autocomplete='new-password' hint='At least 10 characters.' />
      )}
      <button type='submit'>{props.userId ? 'Save changes' : 'Create user'}</button>
    </HtmxForm>
  )
}

export function UserDetailPage(props: {
  title: string
  user?: { id: number; email: string; status: string; role_name: string; created_at: string }
  isSelf?: boolean
  children?: Child
}) {
  const u = props.user
  return (
    <>
      <PageHeader title={props.title} breadcrumb={{ href: '/users', label: 'Users' }}>
        {u && !props.isSelf && (
          <form method='post' action={`/users/${u.id}/${u.status === 'active' ? 'disable' : 'enable'}`} class='inline'>
            <button type='submit' class={u.status === 'active' ? 'secondary' : ''}>
              {u.status === 'active' ? 'Disable' : 'Enable'}
            </button>
          </form>
        )}
      </PageHeader>
      {u && (
        <DetailList
          items={[
            ['Status', u.status === 'active' ? 'Active' : 'Disabled'],
            ['Role', u.role_name],
            ['Created', formatTimestamp(u.created_at)],
          ]}
        />
      )}
      {props.children}
    </>
  )
}
