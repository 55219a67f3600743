import type SQLite from 'better-sqlite3'
import type { Insertable } from 'kysely'
import type { Db } from '../db/database.js'
import type { ImportBatchItemsTable } from '../db/schema.js'
import { caseFolding } from '../db/dialect.js'
import { writeSyncedRow, type CoreModule } from '../records/core-modules.js'
import { keepingCounts } from './staged-counts.js'
import {
  coreRowsByKey,
  existingCoreIds,
  insertBatchItem,
  loadStaged,
  markImported,
  markImportFailed,
  scopeOf,
  type CoreRow,
  type StagedForImport,
} from './staging-store.js'
import { postgresImportStore } from './import-store-postgres.js'

// What IMPORT, Undo and Archive read and write besides Kysely's own statements: SQLite's prepared
// statements, one per record on the connection of the open transaction (staging-store.ts), or
// PostgreSQL's set-based statements, one per chunk of records (import-store-postgres.ts). The one
// place in IMPORT that chooses; import-service.ts drives either the same way.

export type BatchItem = Insertable<ImportBatchItemsTable>

/**
 * The writes of one chunk of an IMPORT. `write` answers the core row's id at once (a new row's id
 * is reserved beforehand); what is written by then is up to the store, and all of it is by `flush`.
 */
export type ChunkWriter = {
  /** Room for up to `creates` new rows of the chunk's module. */
  reserve(creates: number): Promise<void>
  /** A core row of the chunk's module: created (no id) or written over `id`. Returns its id. */
  write(values: Record<string, unknown>, id?: number): number
  /** The staged record now matches what was imported (see markImported in staging-store.ts). */
  markImported(stagedId: number, coreId: number, hash: string, at: string): void
  /** The staged record could not be imported, for this reason (shown on it until an IMPORT succeeds). */
  markFailed(stagedId: number, message: string): void
  /** One line of the batch, for its result and its undo. */
  batchLine(item: BatchItem): void
  flush(): Promise<void>
}

export type ImportStore = {
  /** A natural-key value as the table's unique index on lower(column) compares it. */
  fold(value: string): string
  scopeOf(integration: string, module: string): Promise<number | undefined>
  /** The selected staged rows of a scope, in id order. */
  loadStaged(scope: number, ids: number[]): Promise<StagedForImport[]>
  /** The core rows whose natural-key column holds one of the folded values. */
  coreRowsByKey(table: string, column: string, values: string[]): Promise<CoreRow[]>
  existingCoreIds(table: string, ids: number[]): Promise<Set<number>>
  /** Runs a write that may change these staged rows' status or removal and keeps the scope's counts in step. */
  keepingCounts<T>(scope: number, ids: readonly number[], write: () => T | Promise<T>): Promise<T>
  chunkWriter(module: CoreModule): ChunkWriter
}

/**
 * The store of the transaction `trx`: on SQLite, `sqlite` is the same connection (see openDatabase),
 * so its statements are part of that transaction; with no SQLite connection, PostgreSQL's.
 */
export function importStoreOf(trx: Db, sqlite: SQLite.Database | null): ImportStore {
  if (!sqlite) return postgresImportStore(trx)
  const fold = caseFolding(trx)
  return {
    fold,
    scopeOf: async (integration, module) => scopeOf(sqlite, integration, module, 'existing'),
    loadStaged: async (scope, ids) => loadStaged(sqlite, scope, ids),
    coreRowsByKey: async (table, column, values) => coreRowsByKey(sqlite, table, column, values),
    existingCoreIds: async (table, ids) => existingCoreIds(sqlite, table, ids),
    keepingCounts: (scope, ids, write) => keepingCounts(sqlite, scope, ids, write),
    chunkWriter: (module) => sqliteChunkWriter(sqlite, module),
  }
}

/** SQLite writes each row at once (a prepared statement costs about what the row does); the batch lines at the flush. */
function sqliteChunkWriter(sqlite: SQLite.Database, module: CoreModule): ChunkWriter {
  const lines: BatchItem[] = []
  return {
    reserve: async () => {},
    write: (values, id) => writeSyncedRow(sqlite, module, values, id),
    markImported: (stagedId, coreId, hash, at) => markImported(sqlite, stagedId, coreId, hash, at),
    markFailed: (stagedId, message) => markImportFailed(sqlite, stagedId, message),
    batchLine: (item) => void lines.push(item),
    flush: async () => {
      for (const line of lines.splice(0)) insertBatchItem(sqlite, line)
    },
  }
}
