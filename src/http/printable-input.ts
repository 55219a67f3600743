import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.js'
import { renderError } from './errors.js'
import { hasUnprintable } from '../lib/text.js'

type Body = Record<string, string | File | (string | File)[]>

/** The refusal for a parsed form whose field (or file name) holds such a character, or null when all is printable. */
export function unprintableFormField(c: Context<AppEnv>, body: Body): Response | Promise<Response> | null {
  for (const [name, value] of Object.entries(body)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const text = typeof v === 'string' ? v : v.name
      if (!hasUnprintable(name) && !hasUnprintable(text)) continue
      c.var.log.warn({ event: 'unprintable_input', path: c.req.path, field: name }, 'form value with control characters refused')
      return renderError(
        c,
        400,
        `The field "${name.slice(0, 60)}" holds a control character or broken text (such as NUL) that Clockbridge cannot store or send on. Retype the value (or rename the file) and send it again; nothing was saved.`,
      )
    }
  }
  return null
}

/**
 * Every form field is refused when it holds a NUL, another control character (tab and line breaks
 * pass) or a lone surrogate: nothing is stored that a payroll file, qbXML or Intacct XML could not
 * carry. Forms are parsed once here (handlers read Hono's cached copy); uploads (multipart, with
 * their own size limit) check their fields and file name with unprintableFormField.
 */
export function printableFormsOnly(): MiddlewareHandler<AppEnv> {
  return async function printableFormsOnly(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
    if (!/^application\/x-www-form-urlencoded/i.test(c.req.header('content-type') ?? '')) return next()
    return (await unprintableFormField(c, await c.req.parseBody({ all: true }))) ?? next()
  }
}
