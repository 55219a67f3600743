import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { freshPostgres, testsOnPostgres } from '../helpers/postgres.js'
import { runCli } from '../helpers/cli.js'
import { exited, signInOverHttp, startServerProcess } from '../helpers/server-process.js'

// DATABASE_URL: the command line and the server on PostgreSQL, two instances on one database at
// once (no file lock between them), a session begun on one answered by the other.

// In the PostgreSQL run of the suite (TEST_ON_POSTGRES=1): it makes its own databases either way.
describe.skipIf(!testsOnPostgres)('Clockbridge on PostgreSQL (DATABASE_URL)', () => {
  it('migrates and creates the first admin from the command line, serves two instances, and one signs in where the other answers', async () => {
    const postgres = await freshPostgres()
    onTestFinished(postgres.drop)
    const settings = { DATABASE_URL: postgres.url, SECRET_KEY: 'cd'.repeat(32) }
    const dirA = mkdtempSync(join(tmpdir(), 'cb-pg-a-'))
    const dirB = mkdtempSync(join(tmpdir(), 'cb-pg-b-'))
    const migrated = await runCli(['migrate'], { DATA_DIR: dirA, ...settings })
    expect(migrated.stderr).toBe('')
    expect(migrated.stdout).toContain('connector-store: Success')
    const admin = await runCli(['admin', 'create', '--email', 'boss@example.com', '--password', 'long enough password'], { DATA_DIR: dirA, ...settings })
    expect(admin.code).toBe(0)

    const a = await startServerProcess({ DATA_DIR: dirA, ...settings })
    const b = await startServerProcess({ DATA_DIR: dirB, ...settings })
    onTestFinished(async () => {
      a.child.kill('SIGTERM')
      b.child.kill('SIGTERM')
      await Promise.all([exited(a.child), exited(b.child)])
    })
    const base = (port: number) => `http://127.0.0.1:${port}`
    expect((await fetch(`${base(a.port)}/healthz`)).status).toBe(200)
    expect((await fetch(`${base(b.port)}/healthz`)).status).toBe(200)
    const cookie = await signInOverHttp(base(a.port), 'boss@example.com', 'long enough password')
    const onB = await fetch(`${base(b.port)}/employees`, { headers: { cookie }, redirect: 'manual' })
    expect(onB.status).toBe(200)
    const page = await onB.text()
    expect(page).toContain('Sign out')
    expect(page).toContain('<h1>Employees</h1>')
  }, 60_000)
})
