import type { SessionUser } from '../../src/auth/sessions.js'
import { Field, FormError, HtmxForm, type FormState } from '../components/form-fields.js'
import { DetailList, PageHeader } from '../components/list-view.js'

export function PasswordForm(props: { form: FormState }) {
  return (
    <HtmxForm action='/account/password' id='password-form'>
      <FormError form={props.form} />
      <Field form={props.form} name='current' label='Current password' type='password' required autocomplete='current-password' />
      <Field form={props.form} name='password' label='New password' type='password' required autocomplete='new-password' hint='At least 10 characters. Every other signed-in browser is signed out.' />
      <Field form={props.form} name='confirm' label='Repeat the new password' type='password' required autocomplete='new-password' />
      <button type='submit'>Change password</button>
    </HtmxForm>
  )
}

export function AccountPage(props: { user: SessionUser; form: FormState }) {
  return (
    <>
      <PageHeader title='Your account' />
      <DetailList items={[['Name', props.user.name], ['Email', props.user.email], ['Role', props.user.roleName]]} />
      <h2>Change password</h2>
      <PasswordForm form={props.form} />
    </>
  )
}
