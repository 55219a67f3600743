import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx')

/** A command of the command line, as npm's scripts run it (`admin-create` is `admin create`), in this process. */
const script = (name: string, args: string[], dataDir: string) => runCli([...name.split('-'), ...args], { DATA_DIR: dataDir })

/** The same through npm's own entry (tsx src/cli/clockbridge.ts), in a process of its own, for its exit code. */
async function scriptProcess(name: string, args: string[], dataDir: string) {
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, ['src/cli/clockbridge.ts', ...name.split('-'), ...args], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('npm run admin:create', () => {
  it('creates a Super Admin on a new database, then refuses the same email and bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-admin-'))
    const ok = await script('admin-create', ['--email', 'Boss@Example.com', '--password', 'long enough password', '--name', 'The Boss'], dir)
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('Created Super Admin boss@example.com')
    const db = new SQLite(join(dir, 'clockbridge.db'), { readonly: true })
    expect(db.prepare('select u.email, r.key from users u join roles r on r.id = u.role_id').all()).toEqual([{ email: 'boss@example.com', key: 'super_admin' }])
    db.close()
    const again = await script('admin-create', ['--email', 'boss@example.com', '--password', 'long enough password'], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already exists')
    const bad = await scriptProcess('admin-create', ['--email', 'nope', '--password', 'short'], dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--email')
    expect(bad.stderr).toContain('--password')
  })
})

describe('npm run backup', () => {
  it('copies a live WAL database consistently, and never overwrites a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-backup-'))
    const live = new SQLite(join(dir, 'clockbridge.db'))
    live.pragma('journal_mode = WAL')
    live.exec('create table t (n integer)')
    const insert = live.prepare('insert into t values (?)')
    for (let i = 0; i < 1000; i++) insert.run(i) // still in the WAL, not yet checkpointed
    const target = join(dir, 'copy.db')
    const res = await script('backup', [target], dir)
    expect(res.code).toBe(0)
    expect(res.stdout).toContain('integrity ok')
    const copy = new SQLite(target, { readonly: true })
    expect(copy.prepare('select count(*) as n from t').get()).toEqual({ n: 1000 })
    copy.close()
    const again = await script('backup', [target], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already exists')
    live.close()
  })

  it('explains its usage and a missing database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-backup-'))
    const usage = await script('backup', [], dir)
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('backup takes 1 argument')
    expect(usage.stderr).toContain('backup <file>')
    const missing = await script('backup', [join(dir, 'x.db')], dir)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('No database at')
    expect(existsSync(join(dir, 'x.db'))).toBe(false)
  })
})

describe('npm run migrate', () => {
  it('migrates a new database and says so, then finds nothing to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-migrate-'))
    expect((await script('migrate', [], dir)).stdout).toContain('integrations-hub: Success')
    expect((await script('migrate', [], dir)).stdout).toContain('already up to date')
  })
})
