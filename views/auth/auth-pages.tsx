import { FlashMessage, type Flash } from '../components/flash-message.js'
import { Field, FormError, HtmxForm, type FormState } from '../components/form-fields.js'

export function SetupForm(props: { form: FormState }) {
  return (
    <HtmxForm action='/setup' id='setup-form'>
      <FormError form={props.form} />
      <Field form={props.form} name='name' label='Your name' required autocomplete='name' />
      <Field form={props.form} name='email' label='Email' type='email' required autocomplete='email' />
      <Field form={props.form} name='password' label='Password' type='password' required autocomplete='new-password' hint='At least 10 characters.' />
      <Field form={props.form} name='confirm' label='Repeat the password' type='password' required autocomplete='new-password' />
      <button type='submit'>Create the first administrator</button>
    </HtmxForm>
  )
}

export function SetupPage(props: { form: FormState }) {
  return (
    <>
      <h1>Create the first administrator</h1>
      <p>Nobody has an account on this server yet. The account you create now is a Super Admin and can invite everyone else.</p>
      <SetupForm form={props.form} />
    </>
  )
}

export function LoginForm(props: { form: FormState; next: string }) {
  return (
    <HtmxForm action={`/login${props.next !== '/' ? `?next=${encodeURIComponent(props.next)}` : ''}`} id='login-form'>
      <FormError form={props.form} />
      <Field form={props.form} name='email' label='Email' type='email' required autocomplete='username' />
      <Field form={props.form} name='password' label='Password' type='password' required autocomplete='current-password' />
      <button type='submit'>Sign in</button>
    </HtmxForm>
  )
}

export function LoginPage(props: { form: FormState; next: string; flash: Flash | null }) {
  return (
    <>
      <h1>Sign in</h1>
      {props.flash && <FlashMessage flash={props.flash} />}
      <LoginForm form={props.form} next={props.next} />
    </>
  )
}
