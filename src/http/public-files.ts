import { createHash } from 'node:crypto'
import { extname } from 'node:path'
import type { MiddlewareHandler } from 'hono'
import { asset, assetsUnder } from '../runtime/assets.js'

// public/ (our CSS and script, Pico and htmx vendored) is served from memory: read once from the
// source tree, or from the binary's assets, which is the only place it is there.

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

type PublicFile = { body: Uint8Array<ArrayBuffer>; type: string; etag: string }

let files: Map<string, PublicFile> | null = null

function publicFileMap(): Map<string, PublicFile> {
  if (files) return files
  files = new Map()
  for (const path of assetsUnder('public/')) {
    const body = new Uint8Array(asset(path))
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
    files.set(`/${path}`, { body, type: TYPES[extname(path)] ?? 'application/octet-stream', etag })
  }
  return files
}

/** Answers GET and HEAD for /public/*; anything else under it is a 404. */
export const publicFiles = (): MiddlewareHandler => async (c, next) => {
  const file = publicFileMap().get(c.req.path)
  if (!file || (c.req.method !== 'GET' && c.req.method !== 'HEAD')) return next()
  const headers = { 'content-type': file.type, etag: file.etag, 'cache-control': 'no-cache' }
  if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers)
  return c.req.method === 'HEAD' ? c.body(null, 200, headers) : c.body(file.body, 200, headers)
}
