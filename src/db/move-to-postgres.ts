import { createHash } from 'node:crypto'
import type SQLite from 'better-sqlite3'
import { sql, type Kysely } from 'kysely'
import { openPostgres, redactedUrl } from './database.js'
import type { Database } from './schema.js'
import { migrateToLatest } from './migrator.js'

// Moves a SQLite customer to PostgreSQL (clockbridge migrate --to postgres://…): the target, a new
// empty database, gets the same migrations, then every row of every table in one transaction, in
// the order the foreign keys need; its id counters continue after the copied ids. Each table's
// rows are then counted and checksummed on both sides. Nothing is written into a database that
// already holds tables. A failed copy writes no rows (one transaction), but the target keeps the
// schema the migrations built: it is dropped and created again before the next try, as the message says.

/** Not copied: SQLite's own full-text index (PostgreSQL indexes the same words itself) and the migrator's bookkeeping, which the target keeps for itself. */
const NOT_COPIED = /^(staged_search($|_(data|idx|content|docsize|config))|kysely_migration(_lock)?$)/

export class MoveRefusedError extends Error {}

export type MovedTable = { name: string; rows: number; checksum: string }

/** Copies every table of `source` (migrated to the latest schema) into the empty PostgreSQL database at `url`. */
export async function moveToPostgres(source: SQLite.Database, url: string, progress: (table: MovedTable) => void = () => {}): Promise<MovedTable[]> {
  const target = openPostgres(url, 2)
  try {
    await refuseUnlessEmpty(target, url)
    await migrateToLatest(target)
    const tables = copiedTables(source)
    const order = await foreignKeyOrder(target, tables)
    await target.transaction().execute(async (trx) => {
      // What the migrations seeded (roles, pay IDs, settings) is replaced by the source's rows.
      for (const table of [...order].reverse()) await sql`delete from ${sql.table(table)}`.execute(trx)
      for (const table of order) await copyTable(source, trx, table)
      for (const table of order) await continueIdentity(trx, table)
    })
    const moved: MovedTable[] = []
    for (const table of await compareTables(source, target, order)) {
      if (table.sqlite.rows !== table.postgres.rows || table.sqlite.checksum !== table.postgres.checksum) {
        throw new Error(
          `${table.name} differs after the copy: ${table.sqlite.rows} rows (checksum ${table.sqlite.checksum}) in SQLite, ${table.postgres.rows} (checksum ${table.postgres.checksum}) in PostgreSQL. Drop the target database, create it again and run the move once more.`,
        )
      }
      moved.push({ name: table.name, ...table.postgres })
      progress({ name: table.name, ...table.postgres })
    }
    return moved
  } finally {
    await target.destroy()
  }
}

type Counted = { rows: number; checksum: string }

/** Each table's rows counted and checksummed on both sides (every table the move copies, unless named). */
export async function compareTables(
  source: SQLite.Database,
  target: Kysely<Database>,
  tables: string[] = copiedTables(source),
): Promise<{ name: string; sqlite: Counted; postgres: Counted }[]> {
  const keys = await primaryKeys(target)
  const compared = []
  for (const name of tables) compared.push({ name, sqlite: sqliteChecksum(source, name), postgres: await postgresChecksum(target, name, keys.get(name) ?? []) })
  return compared
}

async function refuseUnlessEmpty(target: Kysely<Database>, url: string): Promise<void> {
  const tables = (
    await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema() order by table_name`.execute(
      target,
    )
  ).rows
  if (tables.length > 0) {
    throw new MoveRefusedError(
      `${redactedUrl(url)} is not empty: it has ${tables.length} table${tables.length === 1 ? '' : 's'} (${tables
        .slice(0, 3)
        .map((t) => t.table_name)
        .join(', ')}${tables.length > 3 ? ', …' : ''}). Nothing was written. Create a new, empty database for Clockbridge and name that one.`,
    )
  }
}

function copiedTables(source: SQLite.Database): string[] {
  const names = source.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).pluck().all() as string[]
  return names.filter((name) => !NOT_COPIED.test(name))
}

/** The tables in an order where every table comes after those its foreign keys name (read from the target). */
async function foreignKeyOrder(target: Kysely<Database>, tables: string[]): Promise<string[]> {
  const edges = (
    await sql<{ child: string; parent: string }>`
      select distinct tc.table_name as child, ccu.table_name as parent
      from information_schema.table_constraints tc
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(target)
  ).rows
  const ordered: string[] = []
  const placing = new Set<string>()
  const place = (table: string) => {
    if (ordered.includes(table)) return
    if (placing.has(table)) throw new Error(`The foreign keys of ${table} form a cycle; the move cannot order its tables.`)
    placing.add(table)
    for (const e of edges) if (e.child === table && e.parent !== table && tables.includes(e.parent)) place(e.parent)
    placing.delete(table)
    ordered.push(table)
  }
  for (const table of tables) place(table)
  return ordered
}

async function primaryKeys(target: Kysely<Database>): Promise<Map<string, string[]>> {
  const rows = (
    await sql<{ table_name: string; column_name: string }>`
      select kcu.table_name, kcu.column_name
      from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
      where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()
      order by kcu.table_name, kcu.ordinal_position`.execute(target)
  ).rows
  const keys = new Map<string, string[]>()
  for (const r of rows) keys.set(r.table_name, [...(keys.get(r.table_name) ?? []), r.column_name])
  return keys
}

/** PostgreSQL takes at most 65,535 values a statement: rows go in batches under that. */
const VALUES_PER_STATEMENT = 30_000

async function copyTable(source: SQLite.Database, trx: Kysely<Database>, table: string): Promise<void> {
  const statement = source.prepare(`select * from "${table}"`)
  const columns = statement.columns().length
  const perBatch = Math.max(1, Math.floor(VALUES_PER_STATEMENT / columns))
  let batch: Record<string, unknown>[] = []
  const flush = async () => {
    if (batch.length === 0) return
    await trx
      .insertInto(table as keyof Database)
      .values(batch as never)
      .execute()
    batch = []
  }
  for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) {
    batch.push(row)
    if (batch.length === perBatch) await flush()
  }
  await flush()
}

/** An identity column continues after the largest copied id, so new rows never collide with moved ones. */
async function continueIdentity(trx: Kysely<Database>, table: string): Promise<void> {
  const identity = (
    await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} and is_identity = 'YES'`.execute(trx)
  ).rows[0]
  if (!identity) return
  const column = sql.ref(identity.column_name)
  await sql`select setval(pg_get_serial_sequence(${table}, ${identity.column_name}), coalesce((select max(${column}) from ${sql.table(table)}), 0) + 1, false)`.execute(
    trx,
  )
}

/**
 * A table's rows as a count and an order-free checksum: the sum of each row's hash, so that the two
 * databases may return rows in their own orders (their text collations differ).
 */
class RowChecksum {
  rows = 0
  private sum = 0n
  add(values: unknown[]): void {
    const line = JSON.stringify(values.map((v) => (Buffer.isBuffer(v) ? `bytes:${v.toString('hex')}` : v === null ? null : String(v))))
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(line).digest('hex').slice(0, 32)}`)) % 2n ** 128n
    this.rows++
  }
  get checksum(): string {
    return this.sum.toString(16).padStart(32, '0')
  }
}

function sqliteChecksum(source: SQLite.Database, table: string): Counted {
  const sum = new RowChecksum()
  const statement = source.prepare(`select * from "${table}"`)
  const names = statement.columns().map((c) => c.name)
  for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) sum.add(names.map((n) => row[n]))
  return { rows: sum.rows, checksum: sum.checksum }
}

/** Read back in pages along the primary key, so a million staged rows never sit in memory at once. */
async function postgresChecksum(target: Kysely<Database>, table: string, key: string[]): Promise<Counted> {
  if (key.length === 0) throw new Error(`${table} has no primary key on PostgreSQL; the move cannot read it back in pages.`)
  const names = (
    await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(
      target,
    )
  ).rows.map((r) => r.column_name)
  const sum = new RowChecksum()
  const keyList = sql.join(key.map((k) => sql.ref(k)))
  let after: unknown[] | null = null
  for (;;) {
    const page: Record<string, unknown>[] = (
      await sql<Record<string, unknown>>`
        select * from ${sql.table(table)}
        ${after ? sql`where (${keyList}) > (${sql.join(after)})` : sql``}
        order by ${keyList} limit 5000`.execute(target)
    ).rows
    for (const row of page) sum.add(names.map((n) => row[n]))
    if (page.length < 5000) break
    const last = page[page.length - 1]!
    after = key.map((k) => last[k])
  }
  return { rows: sum.rows, checksum: sum.checksum }
}
