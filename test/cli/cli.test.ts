import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { MIGRATIONS } from '../../src/db/migration-list.js'
import { openDatabase } from '../../src/db/database.js'
import { exited, startServerProcess } from '../helpers/server-process.js'

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { DATA_DIR: dir, ...env })

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-cli-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('the command line', () => {
  it('answers --help and --version, and refuses what it does not know with exit code 2', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    for (const command of ['serve', 'migrate', 'admin create', 'backup <file>', 'keys rotate', 'demo', 'healthcheck', 'service print'])
      expect(help.stdout).toContain(command)
    expect((await cli(['admin', 'create', '--help'])).stdout).toContain('--email <address>')
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    const cases: [string[], string][] = [
      [['frobnicate'], 'Unknown command "frobnicate"'],
      [['--colour'], "Unknown option '--colour'"],
      [['migrate', '--email', 'a@b.c'], '--email is not an option of migrate'],
      [['serve', '--port', '70000'], '--port must be a whole number from 0 to 65535'],
      [['serve', '--port', '-1'], "Option '--port' argument is ambiguous"],
      [['serve', '--host', ' '], '--host needs an address'],
      [['backup'], 'backup takes 1 argument'],
      [['migrate', 'now'], 'migrate takes no arguments, not "now"'],
      [['migrate', '--config', join(dir, 'missing.env')], '--config: no file at'],
      [['serve', '--tls-cert', join(dir, 'missing.pem')], 'TLS_CERT_FILE and TLS_KEY_FILE go together'],
      [['migrate'], 'TZ: must be an IANA time zone'],
    ]
    for (const [args, message] of cases) {
      const result = await cli(args, args[0] === 'migrate' && args.length === 1 ? { TZ: 'Mars/Olympus' } : {})
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 2])
      expect(result.stderr).toContain(message)
    }
    // Nothing was created by a refused command.
    expect(existsSync(join(dir, 'clockbridge.db'))).toBe(false)
  })

  it('reads a settings file under the environment, under the flags', async () => {
    const file = join(dir, 'clockbridge.env')
    writeFileSync(file, `# settings\nDATA_DIR=${join(dir, 'from-file')}\nPORT=4100\n`)
    const fromFile = await cli(['migrate', '--config', file], { DATA_DIR: '' })
    expect(fromFile.code).toBe(0)
    expect(existsSync(join(dir, 'from-file', 'clockbridge.db'))).toBe(true)
    await cli(['migrate', '--config', file], { DATA_DIR: join(dir, 'from-env') })
    expect(existsSync(join(dir, 'from-env', 'clockbridge.db'))).toBe(true)
    await cli(['migrate', '--config', file, '--data-dir', join(dir, 'from-flag')], { DATA_DIR: join(dir, 'from-env') })
    expect(existsSync(join(dir, 'from-flag', 'clockbridge.db'))).toBe(true)
    const unit = await cli(['service', 'print', '--config', file, '--user', 'cb'], { DATA_DIR: '' })
    expect(unit.stdout).toContain('Environment=PORT=4100')
    expect(unit.stdout).toContain('User=cb')
    expect(unit.stdout).toContain('Type=notify')
    expect(unit.stdout).toContain('ProtectSystem=strict')
    expect(unit.stdout).toContain(`ReadWritePaths=${join(dir, 'from-file')}`)
  })

  it('backs the database up before migrating one that holds data, and refuses one from a newer version untouched', async () => {
    expect((await cli(['migrate'])).code).toBe(0)
    expect(existsSync(join(dir, 'backups'))).toBe(false)
    // As if the last migration had not run yet (undone by its own down()): the next start migrates, and backs up first.
    const last = Object.keys(MIGRATIONS).at(-1)!
    const opened = openDatabase(join(dir, 'clockbridge.db'))
    await MIGRATIONS[last]!.down!(opened.db)
    await opened.db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', last as never)
      .execute()
    await opened.db.destroy()
    const upgraded = await cli(['migrate'])
    expect(upgraded.stdout).toContain(`${last}: Success`)
    const backups = readdirSync(join(dir, 'backups'))
    expect(backups).toHaveLength(1)
    const copy = new SQLite(join(dir, 'backups', backups[0]!), { readonly: true })
    expect(copy.prepare(`select count(*) from kysely_migration where name = ?`).pluck().get(last)).toBe(0)
    copy.close()

    const newer = new SQLite(join(dir, 'clockbridge.db'))
    newer.exec(
      `insert into kysely_migration (name, timestamp) values ('2099-01-01T00-00_from-the-future', '2099-01-01'); update app_meta set value = '9.0.0' where key = 'schema_by'`,
    )
    newer.close()
    const refused = await cli(['migrate'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('This database was migrated by Clockbridge 9.0.0')
    expect(refused.stderr).toContain('Run Clockbridge 9.0.0 or newer')
    expect(readdirSync(join(dir, 'backups'))).toHaveLength(1)
  })

  it('runs one server per database: a second one refuses to start, and so does migrate', async () => {
    const { child } = await startServerProcess({ DATA_DIR: dir })
    try {
      expect(existsSync(join(dir, 'clockbridge.db.lock'))).toBe(true)
      const second = await startServerProcess({ DATA_DIR: dir }).catch((err: Error) => err)
      expect(second).toBeInstanceOf(Error)
      expect((second as Error).message).toContain(`Another Clockbridge (process ${child.pid}`)
      const migrate = await cli(['migrate'])
      expect(migrate.code).toBe(1)
      expect(migrate.stderr).toContain('Another Clockbridge')
    } finally {
      child.kill('SIGTERM')
      await exited(child)
    }
    expect(existsSync(join(dir, 'clockbridge.db.lock'))).toBe(false)
    // A lock left by a process that died is taken over.
    writeFileSync(join(dir, 'clockbridge.db.lock'), JSON.stringify({ pid: 2 ** 22 + 17, host: (await import('node:os')).hostname(), startedAt: 'then' }))
    expect((await cli(['migrate'])).code).toBe(0)
  })

  it('healthcheck: exit 0 when the server answers, 1 when none does', async () => {
    const { child, port } = await startServerProcess({ DATA_DIR: dir })
    try {
      const ok = await cli(['healthcheck', '--port', String(port)])
      expect([ok.code, ok.stdout]).toEqual([0, `ok: http://127.0.0.1:${port}/healthz\n`])
    } finally {
      child.kill('SIGTERM')
      await exited(child)
    }
    const none = await cli(['healthcheck', '--port', String(port)])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('ECONNREFUSED')
  })
})
