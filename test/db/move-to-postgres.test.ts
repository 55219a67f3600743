import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { createTestApp } from '../helpers/test-app.js'
import { freshPostgres, postgresAvailable } from '../helpers/postgres.js'
import { runCli } from '../helpers/cli.js'
import { seedDemo } from '../../src/demo/demo.js'
import { requestSync } from '../../src/staging/sync-runs.js'
import { compareTables, moveToPostgres, MoveRefusedError } from '../../src/db/move-to-postgres.js'

// clockbridge migrate --to postgres://…: a SQLite customer's whole database, demo-sized (users,
// uploads with their bytes, staged records, counts, the connectors' store, audit), copied and checked.

async function countsOf(url: string, tables: string[]): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const counts: Record<string, number> = {}
    for (const t of tables) counts[t] = Number((await client.query(`select count(*) as n from "${t}"`)).rows[0].n)
    return counts
  } finally {
    await client.end()
  }
}

describe.skipIf(!postgresAvailable)('moving a SQLite database to PostgreSQL', () => {
  it('copies every table, checks each, continues the ids after the copied ones, and refuses a target that is not empty', async () => {
    const t = await createTestApp()
    await seedDemo(t.deps)
    const sync = await requestSync(t.deps, { integration: 'spreadsheet', module: 'employees', trigger: 'manual', userId: null })
    if (!sync.ok) throw new Error(sync.message)
    await sync.done
    const target = await freshPostgres()
    onTestFinished(target.drop)

    const moved = await moveToPostgres(t.deps.sqlite!, target.url)
    const byName = Object.fromEntries(moved.map((m) => [m.name, m.rows]))
    const sqliteCount = (table: string) => (t.deps.sqlite!.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n
    for (const table of [
      'users',
      'employees',
      'time_entries',
      'integration_uploads',
      'staged_records',
      'staging_counts',
      'connector_state',
      'audit_log',
      'roles',
    ])
      expect({ table, rows: byName[table] }).toEqual({ table, rows: sqliteCount(table) })
    expect(byName.staged_records).toBe(20)
    // SQLite's full-text index and the migrator's bookkeeping stay behind; the search progress mark moves.
    const names = moved.map((m) => m.name)
    for (const sqliteOnly of ['staged_search', 'staged_search_data', 'staged_search_idx', 'kysely_migration', 'kysely_migration_lock'])
      expect(names).not.toContain(sqliteOnly)
    expect(names).toContain('staged_search_progress')
    const upload = await target.db
      .selectFrom('integration_uploads')
      .select(['filename', 'content'])
      .where('integration', '=', 'spreadsheet')
      .where('module', '=', 'employees')
      .executeTakeFirstOrThrow()
    const original = t.deps.sqlite!.prepare(`select content from integration_uploads where integration = 'spreadsheet' and module = 'employees'`).get() as {
      content: Buffer
    }
    expect(Buffer.compare(Buffer.from(upload.content), original.content)).toBe(0)
    const now = new Date().toISOString()
    const created = await target.db
      .insertInto('departments')
      .values({ code: 'NEW', name: 'New after the move', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(created.id).toBe((t.deps.sqlite!.prepare('select max(id) as id from departments').get() as { id: number }).id + 1)

    // The check sees a changed value, a missing row and a changed byte of a file, table by table.
    await target.db.updateTable('employees').set({ last_name: 'Changed' }).where('employee_number', '=', '1001').execute()
    await target.db.deleteFrom('audit_log').where('id', '=', 1).execute()
    await target.db
      .updateTable('integration_uploads')
      .set({ content: Buffer.from('x') })
      .where('module', '=', 'departments')
      .execute()
    const differing = (await compareTables(t.deps.sqlite!, target.db)).filter(
      (c) => c.sqlite.checksum !== c.postgres.checksum || c.sqlite.rows !== c.postgres.rows,
    )
    expect(differing.map((d) => d.name).sort()).toEqual(['audit_log', 'departments', 'employees', 'integration_uploads'])

    const before = await countsOf(target.url, ['users', 'employees', 'departments'])
    await expect(moveToPostgres(t.deps.sqlite!, target.url)).rejects.toThrow(MoveRefusedError)
    await expect(moveToPostgres(t.deps.sqlite!, target.url)).rejects.toThrow(/is not empty: it has \d+ tables .*Nothing was written/)
    expect(await countsOf(target.url, ['users', 'employees', 'departments'])).toEqual(before)
  })

  it('from the command line: moves the data folder it is given, says what it copied, hides the password, and refuses a bad address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-move-'))
    expect((await runCli(['admin', 'create', '--email', 'boss@example.com', '--password', 'long enough password'], { DATA_DIR: dir })).code).toBe(0)
    const target = await freshPostgres()
    onTestFinished(target.drop)
    const withPassword = target.url.replace('clockbridge@', 'clockbridge:secret-word@')
    const moved = await runCli(['migrate', '--to', withPassword], { DATA_DIR: dir })
    expect(moved.stderr).toBe('')
    expect(moved.code).toBe(0)
    expect(moved.stdout).toMatch(/^users: 1 rows, checksum [0-9a-f]{32} on both sides$/m)
    expect(moved.stdout).toMatch(/Copied [\d,]+ rows in \d+ tables from .*clockbridge\.db to postgres:\/\/clockbridge:\*\*\*@/)
    expect(moved.stdout).not.toContain('secret-word')
    expect(await countsOf(target.url, ['users'])).toEqual({ users: 1 })

    const again = await runCli(['migrate', '--to', withPassword], { DATA_DIR: dir })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('is not empty')
    expect(again.stderr).not.toContain('secret-word')
    const bad = await runCli(['migrate', '--to', 'mysql://db/x'], { DATA_DIR: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--to needs a PostgreSQL address')
    const source = new SQLite(join(dir, 'clockbridge.db'), { readonly: true })
    expect(source.prepare('select count(*) as n from users').get()).toEqual({ n: 1 })
    source.close()
  })
})
