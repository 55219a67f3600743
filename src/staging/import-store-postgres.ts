import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { caseFolding } from '../db/dialect.js'
import { checkedColumns, type CoreModule } from '../records/core-modules.js'
import { CountDelta, type Tally } from './staged-counts.js'
import { scopeIdOf, writeCounts } from './staging-store-postgres.js'
import type { CoreRow, StagedForImport } from './staging-store.js'
import type { Insertable } from 'kysely'
import type { ImportBatchItemsTable } from '../db/schema.js'

// IMPORT's reads and writes on PostgreSQL (see import-store.ts): a chunk's records are planned in
// memory as on SQLite, then written by a handful of statements whatever the chunk's size: its new
// rows by one INSERT, its rewritten rows by one UPDATE, its staged rows by one UPDATE and its batch
// lines by one INSERT, each over one JSON array that PostgreSQL types as the table's rows
// (json_populate_recordset). A new row's id is drawn from its identity sequence beforehand, so the
// planner can name it at once, as SQLite's insert does. (Typed as ImportStore where import-store.ts
// returns it, which keeps the two modules out of a circle.)

async function tally(db: Db, ids: readonly number[]): Promise<Tally> {
  return db
    .selectFrom('staged_records')
    .select(['status', 'removed', sql<string>`count(*)`.as('n')])
    .where('id', '=', sql<number>`any(${[...ids]}::int[])`)
    .groupBy(['status', 'removed'])
    .execute()
}

export function postgresImportStore(trx: Db) {
  return {
    fold: caseFolding(trx),
    scopeOf: (integration: string, module: string) => scopeIdOf(trx, integration, module, 'existing'),
    loadStaged: (scope: number, ids: number[]) =>
      trx
        .selectFrom('staged_records')
        .select(['id', 'external_id', 'label', 'payload', 'hash', 'status', 'core_id', 'imported_payload', 'imported_hash', 'imported_at'])
        .where('scope_id', '=', scope)
        .where('id', '=', sql<number>`any(${ids}::int[])`)
        .orderBy('id')
        .execute() as Promise<StagedForImport[]>,
    coreRowsByKey: async (table: string, column: string, values: string[]) =>
      (await sql<CoreRow>`select * from ${sql.table(table)} where lower(${sql.ref(column)}) = any(${values}::text[])`.execute(trx)).rows,
    existingCoreIds: async (table: string, ids: number[]) =>
      new Set((await sql<{ id: number }>`select id from ${sql.table(table)} where id = any(${ids}::int[])`.execute(trx)).rows.map((r) => r.id)),
    async keepingCounts<T>(scope: number, ids: readonly number[], write: () => T | Promise<T>): Promise<T> {
      const before = await tally(trx, ids)
      const result = await write()
      await writeCounts(trx, scope, CountDelta.between(before, await tally(trx, ids)))
      return result
    },
    chunkWriter: (module: CoreModule) => new PostgresChunkWriter(trx, module),
  }
}

class PostgresChunkWriter {
  #reserved: number[] = []
  #created: Record<string, unknown>[] = []
  #rewritten: Record<string, unknown>[] = []
  #imported: { id: number; core_id: number; hash: string; at: string }[] = []
  #failed: { id: number; message: string }[] = []
  #lines: Insertable<ImportBatchItemsTable>[] = []

  constructor(
    private readonly trx: Db,
    private readonly module: CoreModule,
  ) {}

  async reserve(creates: number): Promise<void> {
    if (creates <= 0) return
    const { rows } = await sql<{ id: number }>`
      select nextval(pg_get_serial_sequence(${this.module.table}, 'id'))::int as id from generate_series(1, ${creates})`.execute(this.trx)
    this.#reserved = rows.map((r) => r.id)
  }

  write(values: Record<string, unknown>, id?: number): number {
    checkedColumns(this.module, values)
    if (id !== undefined) {
      this.#rewritten.push({ ...values, id })
      return id
    }
    const reserved = this.#reserved.shift()
    if (reserved === undefined) throw new Error(`IMPORT reserved too few ids for new ${this.module.plural}`)
    this.#created.push({ ...values, id: reserved })
    return reserved
  }

  markImported(stagedId: number, coreId: number, hash: string, at: string): void {
    this.#imported.push({ id: stagedId, core_id: coreId, hash, at })
  }

  markFailed(stagedId: number, message: string): void {
    this.#failed.push({ id: stagedId, message: message.slice(0, 1000) })
  }

  batchLine(item: Insertable<ImportBatchItemsTable>): void {
    this.#lines.push(item)
  }

  async flush(): Promise<void> {
    const table = this.module.table
    await insertRows(this.trx, table, this.#created.splice(0))
    // One statement per set of columns: a record with a field kept locally leaves that column out, and a column left out must not be written as null.
    for (const rows of groupedByColumns(this.#rewritten.splice(0))) {
      const assignments = sql.join(
        Object.keys(rows[0]!)
          .filter((c) => c !== 'id')
          .map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`),
        sql`, `,
      )
      await sql`update ${sql.table(table)} as t set ${assignments}
        from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json) as v where t.id = v.id`.execute(this.trx)
    }
    const imported = this.#imported.splice(0)
    if (imported.length > 0) {
      // As markImported in staging-store.ts: the imported payload is the current one, so it is not copied.
      const column = <K extends keyof (typeof imported)[number]>(key: K) => imported.map((r) => r[key])
      await sql`update staged_records as s set core_id = v.core_id, imported_payload = null, imported_hash = v.hash, imported_at = v.at, status = 'imported', import_error = null
        from unnest(${column('id')}::int[], ${column('core_id')}::int[], ${column('hash')}::text[], ${column('at')}::text[]) as v(id, core_id, hash, at)
        where s.id = v.id`.execute(this.trx)
    }
    const failed = this.#failed.splice(0)
    if (failed.length > 0)
      await sql`update staged_records as s set import_error = v.message
        from unnest(${failed.map((f) => f.id)}::int[], ${failed.map((f) => f.message)}::text[]) as v(id, message) where s.id = v.id`.execute(this.trx)
    await insertRows(this.trx, 'import_batch_items', this.#lines.splice(0))
  }
}

/** Rows grouped by the columns they name, in order of first appearance. */
function groupedByColumns<T extends object>(rows: T[]): T[][] {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const key = Object.keys(row).join(',')
    const group = groups.get(key)
    if (group) group.push(row)
    else groups.set(key, [row])
  }
  return [...groups.values()]
}

/** Rows of one shape into `table` by one statement over a JSON array; a key a row leaves out is null. */
async function insertRows(trx: Db, table: string, rows: object[]): Promise<void> {
  if (rows.length === 0) return
  const columns = sql.join(
    Object.keys(rows[0]!).map((c) => sql.ref(c)),
    sql`, `,
  )
  await sql`insert into ${sql.table(table)} (${columns})
    select ${columns} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json)`.execute(trx)
}
