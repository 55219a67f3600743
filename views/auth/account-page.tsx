import type { SignedInUser } from '../layouts/app-layout.js'
import { Field, FormError, HtmxForm, type FormState } from '../components/form-fields.js'
import { DetailList, PageHeader } from '../components/list-view.js'

export function PasswordForm(props: { form: FormState }) {
  return (
    <HtmxForm action='/account/password' id='password-form'>
      <FormError form={props.form} />
      <Field form={props.form} name='current' label='Current password' type='password' required autocomplete='current-password' />
      <Field
        form={props.form}
        name='password'
        label='New password'
        type='password'
        required
        autocomplete='new-password'
        hint='At least 10 characters. Every other signed-in browser is signed out.'
      />
      <Field form={props.form} name='confirm' label='Repeat the new password' type='password' required autocomplete='new-password' />
      <button type='submit'>Change password</button>
    </HtmxForm>
  )
}

export type ApiTokenRow = { id: number; name: string; hint: string; created_at: string; last_used_at: string | null; revoked_at: string | null }

export function AccountPage(props: { user: SignedInUser; form: FormState; tokens: ApiTokenRow[]; tokenForm?: FormState; newToken?: string }) {
  return (
    <>
      <PageHeader title='Your account' />
      <DetailList
        items={[
          ['Name', props.user.name],
          ['Email', props.user.email],
          ['Role', props.user.roleName],
        ]}
      />
      <h2>Change password</h2>
      <PasswordForm form={props.form} />
      <ApiTokens tokens={props.tokens} form={props.tokenForm ?? { values: {}, errors: {} }} newToken={props.newToken} />
    </>
  )
}

/** Personal API tokens for /api/v1: created here, shown once, revocable. */
function ApiTokens(props: { tokens: ApiTokenRow[]; form: FormState; newToken?: string }) {
  return (
    <section id='api-tokens'>
      <h2>API tokens</h2>
      <p class='muted'>
        A token lets a program use the JSON API (<code>/api/v1/time-entries</code>) as you, with your role. Send it as <code>Authorization: Bearer cb_…</code>.
      </p>
      {props.newToken && (
        <div class='flash flash-success' role='status'>
          <p>Copy this token now: it is not shown again.</p>
          <code id='new-api-token'>{props.newToken}</code>
        </div>
      )}
      {props.tokens.length > 0 && (
        <table class='striped'>
          <thead>
            <tr>
              <th scope='col'>Name</th>
              <th scope='col'>Ends in</th>
              <th scope='col'>Created</th>
              <th scope='col'>Last used</th>
              <th scope='col'>Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.tokens.map((t) => (
              <tr>
                <td>{t.name}</td>
                <td>
                  <code>…{t.hint}</code>
                </td>
                <td>{t.created_at.slice(0, 10)}</td>
                <td>{t.last_used_at ? t.last_used_at.slice(0, 16).replace('T', ' ') : 'Never'}</td>
                <td>
                  {t.revoked_at ? (
                    'Revoked'
                  ) : (
                    <form method='post' action={`/account/tokens/${t.id}/revoke`} class='inline'>
                      <button type='submit' class='secondary outline small'>
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method='post' action='/account/tokens' id='api-token-form'>
        <FormError form={props.form} />
        <Field form={props.form} name='name' label='New token name' required maxlength={100} hint='What will use it, such as "Time clock import".' />
        <button type='submit'>Create token</button>
      </form>
    </section>
  )
}
