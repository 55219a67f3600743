import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import SQLite from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { binaryBuildable } from '../helpers/binary.js'
import { exited, signInOverHttp } from '../helpers/server-process.js'

// The executable as a customer gets it: built, copied alone into an empty folder, and run there with
// no node on PATH and no node_modules anywhere above it.

const run = promisify(execFile)
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

let dir = ''
let exe = ''
let env: NodeJS.ProcessEnv = {}

async function clockbridge(...args: string[]) {
  try {
    const { stdout, stderr } = await run(exe, args, { cwd: dir, env })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function serve(): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const child = spawn(exe, ['serve', '--port', '0'], { cwd: dir, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => l.includes('"event":"listening"'))
      if (line) resolve({ child, port: JSON.parse(line).port as number, log: () => out })
    })
    child.on('exit', (code) => reject(new Error(`the binary exited with ${code}: ${out}`)))
  })
}

describe.skipIf(!binaryBuildable)('the one-file binary', () => {
  beforeAll(async () => {
    await run(process.execPath, ['--import', 'tsx', 'scripts/build-binary.ts'], { maxBuffer: 16 * 1024 * 1024 })
    dir = mkdtempSync(join(tmpdir(), 'cb-binary-'))
    exe = join(dir, 'clockbridge')
    copyFileSync('dist/clockbridge', exe)
    // Nothing but the executable: an empty PATH, a home of its own (the addon cache goes there).
    env = { PATH: join(dir, 'no-tools'), HOME: dir }
  }, 120_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('runs alone: version, admin create, serve, sign in, SYNC and IMPORT a spreadsheet, backup, SIGTERM', async () => {
    expect(existsSync('dist/clockbridge.sha256')).toBe(true)
    expect((await clockbridge('--version')).stdout.trim()).toBe(VERSION)
    const bad = await clockbridge('serve', '--port', 'eighty')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--port must be a whole number')

    const admin = await clockbridge('admin', 'create', '--email', 'boss@example.com', '--password', 'long enough password')
    expect(admin.code).toBe(0)
    expect(admin.stdout).toContain('Created Super Admin boss@example.com')
    // The addon was written once to the cache, private to this user.
    expect(existsSync(join(dir, '.cache', 'clockbridge'))).toBe(true)

    const server = await serve()
    const base = `http://127.0.0.1:${server.port}`
    const headers = { 'sec-fetch-site': 'same-origin' }
    const cookie = await signInOverHttp(base, 'boss@example.com', 'long enough password')
    const authed = { ...headers, cookie, 'hx-request': 'true' }
    expect((await fetch(`${base}/public/vendor/htmx.min.js`)).status).toBe(200)

    await fetch(`${base}/integrations/spreadsheet/activate`, { method: 'POST', redirect: 'manual', headers: authed })
    await fetch(`${base}/integrations/spreadsheet/sync-source`, { method: 'POST', redirect: 'manual', headers: authed })
    const form = new FormData()
    form.set(
      'file',
      new Blob(['External ID,Employee number,First name,Last name,Email\nE1,1001,Maria,Lopez,maria@example.com\nE2,1002,Ken,Ito,\nE3,1003,Ann,Lee,\n']),
      'staff.csv',
    )
    expect((await fetch(`${base}/integrations/spreadsheet/employees/upload`, { method: 'POST', headers: authed, body: form })).status).toBe(200)
    expect((await fetch(`${base}/integrations/spreadsheet/employees/sync`, { method: 'POST', headers: authed })).status).toBe(202)
    const database = new SQLite(join(dir, 'data', 'clockbridge.db'), { readonly: true })
    const runStatus = () => (database.prepare('select status from sync_runs order by id desc limit 1').get() as { status: string } | undefined)?.status
    for (let i = 0; i < 100 && runStatus() !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100))
    expect(runStatus()).toBe('succeeded')
    const imported = await fetch(`${base}/integrations/spreadsheet/employees/import`, {
      method: 'POST',
      headers: { ...authed, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'all=1&status=new',
    })
    expect(await imported.text()).toContain('IMPORT finished: 3 created')
    expect(database.prepare('select employee_number from employees order by employee_number').pluck().all()).toEqual(['1001', '1002', '1003'])
    database.close()

    const copy = join(dir, 'backup.db')
    const backup = await clockbridge('backup', copy)
    expect(backup.stdout).toContain('integrity ok')
    const restored = new SQLite(copy, { readonly: true })
    expect(restored.prepare('select count(*) from employees').pluck().get()).toBe(3)
    restored.close()

    server.child.kill('SIGTERM')
    await exited(server.child)
    expect(server.child.exitCode).toBe(0)
    expect(server.log()).toContain('"event":"shutdown"')
  }, 60_000)
})
