import { createHash } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { apiRequires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { deleteTimeEntry, saveTimeEntry } from '../time-entries/service.js'
import { isCalendarDate } from '../lib/dates.js'
import { hasUnprintable } from '../lib/text.js'

// /api/v1/time-entries: list, create, update and delete time entries with a personal API token.
// A create may carry an Idempotency-Key: the same key with the same body answers what the first
// answered (nothing is created twice); the same key with another body is refused (409).
// Keys are kept per user.

export const apiRoutes = new Hono<AppEnv>()

type Json = Record<string, unknown>
const apiError = (c: Context<AppEnv>, status: 400 | 404 | 409 | 422, message: string, fields?: Record<string, string>) =>
  c.json({ error: { message, ...(fields ? { fields } : {}) } }, status)

const FIELDS = ['employee_id', 'date', 'start_time', 'end_time', 'hours', 'job_site_id', 'cost_code_id', 'department_id', 'pay_id', 'note'] as const

/** The JSON body as the form's values (the same checks apply to both). */
function asFormValues(body: Json): Record<string, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, body[f] === null || body[f] === undefined ? '' : String(body[f])]))
}

async function readJson(c: Context<AppEnv>): Promise<Json | null> {
  try {
    const body = await c.req.json()
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : null
  } catch {
    return null
  }
}

/** The first field whose text holds a control character or a lone surrogate (nothing such is stored). */
const unprintableField = (body: Json) => Object.keys(body).find((k) => hasUnprintable(k) || (typeof body[k] === 'string' && hasUnprintable(body[k] as string)))

async function entryJson(c: Context<AppEnv>, id: number) {
  const e = await c.var.db.selectFrom('time_entries').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  return { ...e, hours: e.minutes / 60 }
}

apiRoutes.get('/time-entries', apiRequires('payroll.view'), async (c) => {
  const from = c.req.query('from') ?? ''
  const to = c.req.query('to') ?? ''
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to) return apiError(c, 400, 'Give from and to as dates (YYYY-MM-DD), from on or before to')
  let q = c.var.db.selectFrom('time_entries').selectAll().where('date', '>=', from).where('date', '<=', to)
  const employee = c.req.query('employee_id')
  if (employee !== undefined) {
    if (!/^\d+$/.test(employee)) return apiError(c, 400, 'employee_id must be a number')
    q = q.where('employee_id', '=', Number(employee))
  }
  const rows = await q.orderBy('date').orderBy('employee_id').orderBy('id').limit(10_001).execute()
  if (rows.length > 10_000) return apiError(c, 400, 'More than 10,000 entries in that range; ask for a shorter one')
  return c.json({ data: rows.map((e) => ({ ...e, hours: e.minutes / 60 })) })
})

apiRoutes.post('/time-entries', apiRequires('time_entries.manage'), async (c) => {
  const body = await readJson(c)
  if (!body) return apiError(c, 400, 'The body must be a JSON object')
  const bad = unprintableField(body)
  if (bad !== undefined)
    return apiError(
      c,
      400,
      `The field "${bad.slice(0, 60)}" holds a control character or broken text (such as NUL) that Clockbridge cannot store; nothing was saved`,
    )
  const key = c.req.header('idempotency-key')?.trim()
  if (key !== undefined && (key.length === 0 || key.length > 200)) return apiError(c, 400, 'Idempotency-Key must be 1 to 200 characters')
  const userId = c.var.user!.id
  const requestHash = createHash('sha256')
    .update(JSON.stringify(asFormValues(body)))
    .digest('hex')
  if (key) {
    const seen = await c.var.db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', userId).where('key', '=', key).executeTakeFirst()
    if (seen && seen.request_hash !== requestHash)
      return apiError(c, 409, 'This Idempotency-Key was already used with a different request; use a new key for a new entry')
    if (seen && seen.status === 0) return apiError(c, 409, 'A request with this Idempotency-Key is still being processed; retry in a moment')
    if (seen) return c.json(JSON.parse(seen.body), 201)
    // Reserve the key first, so two requests racing with it cannot both create.
    const reserved = await c.var.db
      .insertInto('idempotency_keys')
      .values({ user_id: userId, key, request_hash: requestHash, status: 0, body: '', created_at: new Date().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst()
    if (Number(reserved.numInsertedOrUpdatedRows ?? 0) === 0)
      return apiError(c, 409, 'A request with this Idempotency-Key is still being processed; retry in a moment')
  }
  const saved = await saveTimeEntry(c.var.db, actorOf(c), asFormValues(body), { source: 'api' })
  const [status, answer] = saved.ok
    ? ([201, { data: await entryJson(c, saved.id) }] as const)
    : ([422, { error: { message: 'The time entry was not saved', fields: saved.errors } }] as const)
  // A created entry is remembered under its key; a refused one frees the key, so the same request
  // can succeed once what was missing (an employee, an open period) is there.
  if (key && saved.ok)
    await c.var.db
      .updateTable('idempotency_keys')
      .set({ status, body: JSON.stringify(answer) })
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .execute()
  if (key && !saved.ok) await c.var.db.deleteFrom('idempotency_keys').where('user_id', '=', userId).where('key', '=', key).execute()
  return c.json(answer, status)
})

const idOf = (c: Context<AppEnv>) => (/^\d+$/.test(c.req.param('id') ?? '') ? Number(c.req.param('id')) : 0)

apiRoutes.put('/time-entries/:id', apiRequires('time_entries.manage'), async (c) => {
  const id = idOf(c)
  if (!(await c.var.db.selectFrom('time_entries').select('id').where('id', '=', id).executeTakeFirst()))
    return apiError(c, 404, `There is no time entry ${c.req.param('id')}`)
  const body = await readJson(c)
  if (!body) return apiError(c, 400, 'The body must be a JSON object')
  const bad = unprintableField(body)
  if (bad !== undefined)
    return apiError(
      c,
      400,
      `The field "${bad.slice(0, 60)}" holds a control character or broken text (such as NUL) that Clockbridge cannot store; nothing was saved`,
    )
  const saved = await saveTimeEntry(c.var.db, actorOf(c), asFormValues(body), { id, source: 'api' })
  if (!saved.ok) return apiError(c, 422, 'The time entry was not saved', saved.errors)
  return c.json({ data: await entryJson(c, id) })
})

apiRoutes.delete('/time-entries/:id', apiRequires('time_entries.manage'), async (c) => {
  const id = idOf(c)
  if (!(await c.var.db.selectFrom('time_entries').select('id').where('id', '=', id).executeTakeFirst()))
    return apiError(c, 404, `There is no time entry ${c.req.param('id')}`)
  const result = await deleteTimeEntry(c.var.db, actorOf(c), id)
  if (!result.ok) return apiError(c, 422, result.error)
  return c.body(null, 204)
})
