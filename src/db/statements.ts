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

// IMPORT writes one core row and one staged row per record; through Kysely each costs about ten
// times the statement itself, so they go through cached prepared statements too. Callers hold
// the Kysely transaction on the same connection, so these run inside it.

/** A table or column name checked to be one (names come from code, never from input). */
export const identifier = (name: string) => {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`Not a column name: ${name}`)
  return name
}

type ColumnStatement = { table: string; columns: string[]; statement: SQLite.Statement }
const columnCache = new WeakMap<SQLite.Database, { insert: ColumnStatement[]; update: ColumnStatement[] }>()

/**
 * The statement writing these columns of a table, found by comparing the column names (interned
 * strings, so a pointer compare each) instead of building the SQL text again for every row.
 */
function columnStatement(sqlite: SQLite.Database, kind: 'insert' | 'update', table: string, columns: string[]): SQLite.Statement {
  let cache = columnCache.get(sqlite)
  if (!cache) columnCache.set(sqlite, (cache = { insert: [], update: [] }))
  const found = cache[kind].find((c) => c.table === table && c.columns.length === columns.length && c.columns.every((name, i) => name === columns[i]))
  if (found) return found.statement
  const names = columns.map(identifier)
  const sql =
    kind === 'insert'
      ? `insert into ${identifier(table)} (${names.join(', ')}) values (${names.map(() => '?').join(', ')})`
      : `update ${identifier(table)} set ${names.map((c) => `${c} = ?`).join(', ')} where id = ?`
  const statement = sqlite.prepare(sql)
  cache[kind].push({ table, columns, statement })
  return statement
}

/** Inserts a row; column names come from code, never from input. */
export function insertRow(sqlite: SQLite.Database, table: string, values: Record<string, unknown>): number {
  return Number(columnStatement(sqlite, 'insert', table, Object.keys(values)).run(Object.values(values)).lastInsertRowid)
}

export function updateRow(sqlite: SQLite.Database, table: string, id: number, values: Record<string, unknown>): void {
  const bound = Object.values(values)
  bound.push(id)
  columnStatement(sqlite, 'update', table, Object.keys(values)).run(bound)
}
