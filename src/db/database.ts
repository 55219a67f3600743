import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { sqliteOptions } from '../runtime/native-sqlite.js'
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely'
import pg from 'pg'
import type { Database } from './schema.js'
import { AUTOCHECKPOINT_PAGES, stopCheckpoints } from './wal-checkpointer.js'

export type Db = Kysely<Database>

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its Migrator would
 * apply a migration without one and a failing file would leave half a schema. This adapter tells the
 * truth; every dialect-specific choice lives in this module.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

/**
 * Transactions that take the write lock when they begin. In WAL mode a deferred transaction that
 * reads, then writes after another connection committed, fails at once with "database is locked"
 * (its snapshot is stale; the busy timeout does not apply), where this one waits its turn. For the
 * worker thread's long IMPORT and Undo: a wait there never holds the server's event loop.
 */
class WriteLockingSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class ClockbridgeSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly writeLocking: boolean,
  ) {
    super(settings)
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter()
  }

  override createDriver(): Driver {
    return this.writeLocking ? new WriteLockingSqliteDriver(this.settings) : super.createDriver()
  }
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a small
 * query. The same SQL text gets the same prepared statement here (bounded, least recently used out).
 * Kysely runs one query at a time on the connection, so a statement is never in use twice.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => {
      void stopCheckpoints(sqlite)
      sqlite.close()
    },
    prepare(sql: string) {
      let statement = cache.get(sql)
      if (statement) {
        cache.delete(sql)
      } else {
        statement = sqlite.prepare(sql)
        if (cache.size >= size) cache.delete(cache.keys().next().value!)
      }
      cache.set(sql, statement)
      return statement
    },
  }
}

export type OpenedDatabase = { db: Db; sqlite: SQLite.Database }

/**
 * Each connection of the pool asks for no parallel workers: Clockbridge's queries are short, and a
 * search the planner takes for large (a GIN prefix query it cannot estimate) spent 10 ms starting
 * workers to read one row. A server-wide setting is left as the server has it otherwise.
 */
const POSTGRES_SESSION = '-c max_parallel_workers_per_gather=0'

/** A PostgreSQL database through Kysely's dialect and a pool of `pg` connections. */
export function openPostgres(url: string, connections = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: connections, options: POSTGRES_SESSION })
  // An idle connection the server ends (a restart, a failover, an administrator) leaves the pool and
  // a new one is made on next use; unheard, its error would end the process.
  pool.on('error', () => {})
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** The configured database: PostgreSQL when DATABASE_URL is set (no SQLite connection then), else the SQLite file. */
export function openConfiguredDatabase(config: { databasePath: string; databaseUrl: string | null }): { db: Db; sqlite: SQLite.Database | null } {
  return config.databaseUrl ? { db: openPostgres(config.databaseUrl), sqlite: null } : openDatabase(config.databasePath)
}

/** The address without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.href
  } catch {
    return '(an address that is not a URL)'
  }
}

/** Where the data is, for messages and logs (never a password). */
export const databaseName = (config: { databasePath: string; databaseUrl: string | null }): string =>
  config.databaseUrl ? redactedUrl(config.databaseUrl) : config.databasePath

/** Opens (creating if needed) the SQLite file with WAL, foreign keys and a busy timeout. */
export function openDatabase(path: string, opts: { writeLockingTransactions?: boolean } = {}): OpenedDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path, sqliteOptions())
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
  const dialect = new ClockbridgeSqliteDialect({ database: withStatementCache(sqlite) as unknown as SQLite.Database }, !!opts.writeLockingTransactions)
  const db = new Kysely<Database>({ dialect })
  return { db, sqlite }
}
