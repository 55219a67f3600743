import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.js'
import { readForm, readFormValues } from '../http/forms.js'
import { field, validateForm } from '../lib/validation.js'
import { redirectTo, wantsFragment } from '../http/htmx.js'
import { renderPage } from '../http/render.js'
import { setFlash } from '../http/flash.js'
import { recordAudit } from '../audit/audit-log.js'
import { actorOf } from '../http/actor.js'
import { AuthLayout } from '../../views/layouts/auth-layout.js'
import { LoginForm, LoginPage, SetupForm, SetupPage } from '../../views/auth/auth-pages.js'
import { AccountPage, PasswordForm } from '../../views/auth/account-page.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { anyone, safeNext, signedIn } from './access.js'
import { verifyAgainstDummy, verifyPassword } from './passwords.js'
import { createSession, generateSessionToken, invalidateSession } from './sessions.js'
import { clearSessionCookie, setSessionCookie } from './session-cookie.js'
import { lockedFor, recordFailure, recordSuccess, throttleKeys } from './login-throttle.js'
import { SUPER_ADMIN_ROLE } from './permissions.js'
import { createApiToken, listApiTokens, revokeApiToken } from '../api/tokens.js'
import { changePassword, countUsers, createUser, findUserByEmail, passwordField, roleByKey } from '../users/service.js'

const setupSchema = z
  .object({ name: field.required('Name', 100), email: field.email(), password: passwordField(), confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords differ' })

const loginSchema = z.object({
  email: field.required('Email', 254),
  password: z.string().min(1, 'Password is required').max(1024),
})

const passwordChangeSchema = z
  .object({ current: z.string().min(1, 'Enter your current password'), password: passwordField('New password'), confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords differ' })

export const BAD_CREDENTIALS = 'Email or password is incorrect.'

export const authRoutes = new Hono<AppEnv>()

function authPage(c: Context<AppEnv>, title: string, body: unknown, status: 200 | 422 | 429 = 200) {
  return c.html(<AuthLayout title={title}>{body as string}</AuthLayout>, status)
}

function form(c: Context<AppEnv>, full: () => unknown, fragment: () => unknown, status: 200 | 422 | 429 = 422) {
  return wantsFragment(c) ? c.html(fragment() as string, status) : authPage(c, 'Clockbridge', full(), status)
}

async function startSession(c: Context<AppEnv>, userId: number) {
  const token = generateSessionToken()
  const session = await createSession(c.var.db, token, userId, c.var.config.sessionDays, {
    ip: c.var.clientIp,
    userAgent: c.req.header('User-Agent') ?? null,
  })
  setSessionCookie(c, token, session.expiresAt)
}

authRoutes.get('/setup', anyone(), async (c) => {
  if ((await countUsers(c.var.db)) > 0) return c.redirect('/login', 303)
  return authPage(c, 'Create the first administrator', <SetupPage form={emptyForm()} />)
})

authRoutes.post('/setup', anyone(), async (c) => {
  if ((await countUsers(c.var.db)) > 0) {
    setFlash(c, 'An administrator already exists. Sign in instead.', 'error')
    return redirectTo(c, '/login')
  }
  const result = await readForm(c, setupSchema)
  if (!result.ok)
    return form(
      c,
      () => <SetupPage form={result} />,
      () => <SetupForm form={result} />,
    )
  const role = await roleByKey(c.var.db, SUPER_ADMIN_ROLE)
  const created = await createUser(c.var.db, { ...actorOf(c), actor: result.data.email, roleKey: null }, { ...result.data, roleId: role.id })
  if (!created.ok) {
    const state = { values: result.values, errors: created.errors }
    return form(
      c,
      () => <SetupPage form={state} />,
      () => <SetupForm form={state} />,
    )
  }
  await startSession(c, created.value)
  c.var.log.info({ event: 'first_admin_created', userId: created.value }, 'first administrator created')
  setFlash(c, 'Welcome to Clockbridge. Your administrator account is ready.')
  return redirectTo(c, '/')
})

authRoutes.get('/login', anyone(), async (c) => {
  const next = safeNext(c.req.query('next'))
  if (c.var.user) return c.redirect(next, 303)
  return authPage(c, 'Sign in', <LoginPage form={emptyForm()} next={next} flash={c.var.flash} />)
})

authRoutes.post('/login', anyone(), async (c) => {
  const next = safeNext(c.req.query('next'))
  const values = await readFormValues(c)
  const fail = (message: string, status: 422 | 429 = 422) => {
    const state = { values: { email: values.email ?? '' }, errors: { _form: message } }
    return form(
      c,
      () => <LoginPage form={state} next={next} flash={null} />,
      () => <LoginForm form={state} next={next} />,
      status,
    )
  }
  const result = validateForm(loginSchema, values)
  if (!result.ok) {
    const state = { values: { email: values.email ?? '' }, errors: result.errors }
    return form(
      c,
      () => <LoginPage form={state} next={next} flash={null} />,
      () => <LoginForm form={state} next={next} />,
    )
  }
  const { email, password } = result.data
  const keys = throttleKeys(email, c.var.clientIp)
  const waitMs = await lockedFor(c.var.db, keys)
  if (waitMs > 0) {
    c.var.log.warn({ event: 'login_throttled', email }, 'sign-in throttled')
    return fail(`Too many failed sign-ins. Try again in ${Math.ceil(waitMs / 60000)} minute(s).`, 429)
  }
  const user = await findUserByEmail(c.var.db, email)
  const valid = user ? await verifyPassword(user.password_hash, password) : await verifyAgainstDummy(password)
  if (!user || !valid) {
    await recordFailure(c.var.db, keys)
    c.var.log.info({ event: 'login_failed', email }, 'sign-in failed')
    return fail(BAD_CREDENTIALS)
  }
  if (user.status !== 'active') return fail('This account is disabled. Ask an administrator to enable it.')
  await recordSuccess(c.var.db, email, c.var.clientIp)
  await startSession(c, user.id)
  await recordAudit(
    c.var.db,
    { ...actorOf(c), userId: user.id, actor: user.email },
    {
      action: 'user.sign_in',
      entityType: 'user',
      entityId: user.id,
      summary: 'Signed in',
    },
  )
  return redirectTo(c, next)
})

authRoutes.post('/logout', anyone(), async (c) => {
  if (c.var.sessionId) {
    await invalidateSession(c.var.db, c.var.sessionId)
    await recordAudit(c.var.db, actorOf(c), { action: 'user.sign_out', entityType: 'user', entityId: c.var.user?.id, summary: 'Signed out' })
  }
  clearSessionCookie(c)
  setFlash(c, 'You are signed out.')
  return redirectTo(c, '/login')
})

const accountPage = async (c: Context<AppEnv>, extra: { form?: FormState; tokenForm?: FormState; newToken?: string } = {}, status: 200 | 422 = 200) =>
  renderPage(
    c,
    'Your account',
    <AccountPage
      user={c.var.user!}
      form={extra.form ?? emptyForm()}
      tokens={await listApiTokens(c.var.db, c.var.user!.id)}
      tokenForm={extra.tokenForm}
      newToken={extra.newToken}
    />,
    status,
  )

authRoutes.get('/account', signedIn(), (c) => accountPage(c))

authRoutes.post('/account/tokens', signedIn(), async (c) => {
  const { name = '' } = await readFormValues(c)
  const created = await createApiToken(c.var.db, actorOf(c), c.var.user!.id, name)
  if ('error' in created) return accountPage(c, { tokenForm: { values: { name }, errors: { name: created.error } } }, 422)
  return accountPage(c, { newToken: created.token })
})

authRoutes.post('/account/tokens/:id/revoke', signedIn(), async (c) => {
  const revoked = await revokeApiToken(c.var.db, actorOf(c), c.var.user!.id, Number(c.req.param('id')) || 0)
  setFlash(
    c,
    revoked ? 'Token revoked: programs using it are refused from now on.' : 'That token was already revoked or is not yours.',
    revoked ? 'success' : 'error',
  )
  return redirectTo(c, '/account')
})

authRoutes.post('/account/password', signedIn(), async (c) => {
  const user = c.var.user!
  const result = await readForm(c, passwordChangeSchema)
  const again = (state: FormState) => (wantsFragment(c) ? c.html(<PasswordForm form={state} />, 422) : accountPage(c, { form: state }, 422))
  if (!result.ok) return again({ values: {}, errors: result.errors })
  const row = await findUserByEmail(c.var.db, user.email)
  if (!row || !(await verifyPassword(row.password_hash, result.data.current))) {
    return again({ values: {}, errors: { current: 'The current password is not correct' } })
  }
  await changePassword(c.var.db, actorOf(c), user.id, result.data.password)
  await startSession(c, user.id)
  setFlash(c, 'Password changed. Every other browser signed in to your account was signed out.')
  return redirectTo(c, '/account')
})
