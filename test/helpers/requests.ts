import type { App } from '../../src/app.js'

type Options = { cookie?: string; htmx?: boolean; headers?: Record<string, string> }

function headers(opts: Options): Record<string, string> {
  const h: Record<string, string> = { ...opts.headers }
  if (opts.cookie) h.cookie = opts.cookie
  if (opts.htmx) {
    h['HX-Request'] = 'true'
    h['HX-Request-Type'] = 'partial'
  }
  return h
}

export function get(app: App, path: string, opts: Options = {}) {
  return app.request(`http://localhost${path}`, { headers: headers(opts) })
}

/** A form post as a same-origin browser sends it (hono/csrf checks Sec-Fetch-Site). */
export function post(app: App, path: string, form: Record<string, string | string[]> = {}, opts: Options = {}) {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item)
  return app.request(`http://localhost${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers(opts) },
  })
}

/** The Set-Cookie value for a cookie name, as `name=value` ready to send back. */
export function cookieFrom(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';')
    if (pair?.startsWith(`${name}=`)) return pair
  }
  return undefined
}

/** A file upload (multipart, field "file") as a same-origin browser sends it. */
export function postFile(app: App, path: string, name: string, content: Buffer | string, opts: Options = {}) {
  const form = new FormData()
  form.append('file', new File([typeof content === 'string' ? Buffer.from(content) : new Uint8Array(content)], name))
  return app.request(`http://localhost${path}`, { method: 'POST', body: form, headers: { 'sec-fetch-site': 'same-origin', ...headers(opts) } })
}
