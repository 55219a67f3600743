import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { readForm } from '../http/forms.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderError } from '../http/errors.js'
import { renderPage, renderPageOrFragment } from '../http/render.js'
import { emptyForm, type FormState } from '../../views/components/form-fields.js'
import { PayIdForm, PayIdsPage } from '../../views/pay-ids/pay-ids-page.js'
import { createLeavePayId, deleteLeavePayId, getPayId, leavePayIdSchema, listPayIds, updateLeavePayId } from './service.js'

export const payIdsRoutes = new Hono<AppEnv>()

const parseId = (c: Context<AppEnv>) => {
  const id = Number(c.req.param('id'))
  return Number.isSafeInteger(id) && id > 0 ? id : 0
}

async function page(c: Context<AppEnv>, form: FormState = emptyForm(), status: 200 | 422 = 200) {
  const payIds = await listPayIds(c.var.db)
  const canManage = c.var.user!.permissions.has('pay_ids.manage')
  return renderPageOrFragment(
    c,
    'Pay IDs',
    () => <PayIdsPage payIds={payIds} canManage={canManage} form={form} />,
    () => <PayIdForm form={form} action='/pay-ids' />,
    status,
  )
}

payIdsRoutes.get('/', requires('payroll.view'), (c) => page(c))

payIdsRoutes.post('/', requires('pay_ids.manage'), async (c) => {
  const result = await readForm(c, leavePayIdSchema)
  if (!result.ok) return page(c, result, 422)
  const saved = await createLeavePayId(c.var.db, actorOf(c), result.data)
  if (!saved.ok) return page(c, { values: result.values, errors: saved.errors }, 422)
  setFlash(c, `Added leave pay ID ${result.data.code}.`)
  return redirectTo(c, '/pay-ids')
})

payIdsRoutes.get('/:id/edit', requires('pay_ids.manage'), async (c) => {
  const payId = await getPayId(c.var.db, parseId(c))
  if (!payId || payId.kind !== 'leave') return renderError(c, 404)
  const form = emptyForm({ code: payId.code, name: payId.name })
  return renderPage(c, `Edit ${payId.code}`, <PayIdForm form={form} action={`/pay-ids/${payId.id}`} editing={payId.code} />)
})

payIdsRoutes.post('/:id', requires('pay_ids.manage'), async (c) => {
  const payId = await getPayId(c.var.db, parseId(c))
  if (!payId) return renderError(c, 404)
  const result = await readForm(c, leavePayIdSchema)
  const again = (form: FormState) =>
    renderPageOrFragment(
      c,
      `Edit ${payId.code}`,
      () => <PayIdForm form={form} action={`/pay-ids/${payId.id}`} editing={payId.code} />,
      () => <PayIdForm form={form} action={`/pay-ids/${payId.id}`} editing={payId.code} />,
      422,
    )
  if (!result.ok) return again(result)
  const saved = await updateLeavePayId(c.var.db, actorOf(c), payId.id, result.data)
  if (!saved.ok) return again({ values: result.values, errors: saved.errors })
  setFlash(c, `Saved ${result.data.code}.`)
  return redirectTo(c, '/pay-ids')
})

payIdsRoutes.post('/:id/delete', requires('pay_ids.manage'), async (c) => {
  const payId = await getPayId(c.var.db, parseId(c))
  if (!payId) return renderError(c, 404)
  const removed = await deleteLeavePayId(c.var.db, actorOf(c), payId.id)
  setFlash(c, removed.ok ? `Removed ${payId.code}.` : (removed.errors._form ?? 'Not removed.'), removed.ok ? 'success' : 'error')
  return redirectTo(c, '/pay-ids')
})
