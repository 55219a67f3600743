import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { asset, inBinary } from './assets.js'

// Node loads a native addon only from a file (dlopen), never from memory or from inside the
// executable, so the binary carries better-sqlite3's addon as an asset and writes it out once to a
// cache folder named by its content hash; later starts (and other versions) reuse or add their own.
// Worker threads find it through the environment variable, set before any of them starts.

export const ADDON_ASSET = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'
const ADDON_ENV = 'CLOCKBRIDGE_SQLITE_ADDON'

/** Where the addon is written: CLOCKBRIDGE_CACHE_DIR, else the user's cache folder. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLOCKBRIDGE_CACHE_DIR) return env.CLOCKBRIDGE_CACHE_DIR
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? tmpdir(), 'Clockbridge', 'cache')
  return join(env.XDG_CACHE_HOME ?? join(homedir() || tmpdir(), '.cache'), 'clockbridge')
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * In the binary: the addon written out (once; atomically; private to this user) and announced to
 * every thread. A file found there with other content is replaced. Returns its path, or null when
 * running from the source tree (better-sqlite3 finds its own build).
 */
export function prepareNativeSqlite(): string | null {
  if (!inBinary()) return null
  const bytes = asset(ADDON_ASSET)
  const hash = sha256(bytes)
  const dir = join(cacheRoot(), `sqlite-${hash.slice(0, 16)}`)
  const file = join(dir, 'better_sqlite3.node')
  if (!existsSync(file) || sha256(readFileSync(file)) !== hash) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`
    try {
      writeFileSync(partial, bytes, { mode: 0o500, flag: 'wx' })
      renameSync(partial, file)
    } finally {
      rmSync(partial, { force: true })
    }
  }
  process.env[ADDON_ENV] = file
  return file
}

let loaded: unknown

/** The options every better-sqlite3 connection is opened with: the binary's addon, when there is one. */
export function sqliteOptions(): { nativeBinding?: string } {
  const file = process.env[ADDON_ENV]
  if (!file) return {}
  // Loaded by hand: the binary's own require() reaches only Node's built-in modules.
  if (!loaded) {
    const addon = { exports: {} }
    process.dlopen(addon, file)
    loaded = addon.exports
  }
  return { nativeBinding: loaded as string }
}
