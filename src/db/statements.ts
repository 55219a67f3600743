import type SQLite from 'better-sqlite3'

const cache = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>()

/** One prepared statement per SQL text, prepared once per connection (for the hot paths that bypass Kysely). */
export function cachedStatement(sqlite: SQLite.Database, sql: string): SQLite.Statement {
  let map = cache.get(sqlite)
  if (!map) cache.set(sqlite, (map = new Map()))
  let statement = map.get(sql)
  if (!statement) map.set(sql, (statement = sqlite.prepare(sql)))
  return statement
}
