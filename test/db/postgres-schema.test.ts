import { describe, expect, it, onTestFinished } from 'vitest'
import { sql } from 'kysely'
import type SQLite from 'better-sqlite3'
import { openDatabase, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { freshPostgres, postgresAvailable } from '../helpers/postgres.js'

// The migrations build one schema on either database: the same tables, the same columns (type,
// nullability), the same indexes and unique keys. What SQLite alone has is named here, with the reason.

/** SQLite only: the full-text index of staged records (FTS5) and its shadow tables; PostgreSQL's search is its own. */
const SQLITE_ONLY = /^staged_search($|_(data|idx|content|docsize|config))/

type Shape = { columns: Record<string, string[]>; indexes: Record<string, string> }

const normalised = (expression: string) => expression.toLowerCase().replace(/["\s]/g, '')
const typeName = (type: string) =>
  ({ blob: 'bytes', bytea: 'bytes', 'varchar(255)': 'varchar', 'character varying': 'varchar' })[type.toLowerCase()] ?? type.toLowerCase()

/**
 * An index as "[unique ]table(its columns) where its condition", from either database's definition.
 * PostgreSQL writes a condition its own way (parenthesised, `= ANY (ARRAY[...])`, casts): said as SQLite says it.
 */
function indexKey(table: string, definition: string): string {
  const open = definition.indexOf('(')
  let depth = 0
  let close = open
  for (let i = open; i < definition.length; i++) {
    if (definition[i] === '(') depth++
    if (definition[i] === ')' && --depth === 0) {
      close = i
      break
    }
  }
  const condition = normalised(definition.slice(close + 1).replace(/^\s*where\s*/i, ''))
    .replace(/::text/g, '')
    .replace(/=any\(array\[(.*?)\]\)/g, 'in($1)')
    .replace(/^\((.*)\)$/, '$1')
  const unique = /^create unique/i.test(definition) ? 'unique ' : ''
  return `${unique}${table}(${normalised(definition.slice(open + 1, close))})${condition ? ` where ${condition}` : ''}`
}

function sqliteShape(sqlite: SQLite.Database): Shape {
  const tables = sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).pluck().all() as string[]
  const columns: Shape['columns'] = {}
  for (const table of tables.filter((t) => !SQLITE_ONLY.test(t))) {
    const info = sqlite.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[]
    columns[table] = info.map((c) => `${c.name} ${typeName(c.type)}${c.notnull || c.pk ? ' not null' : ''}`).sort()
  }
  const created = sqlite.prepare(`select name, tbl_name as tableName, sql from sqlite_master where type = 'index' and sql is not null`).all() as {
    name: string
    tableName: string
    sql: string
  }[]
  const indexes = Object.fromEntries(created.map((i) => [i.name, indexKey(i.tableName, i.sql)]))
  return { columns, indexes }
}

async function postgresShape(db: Db, names: string[]): Promise<Shape> {
  const rows = (
    await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
      select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = 'public' order by table_name`.execute(db)
  ).rows
  const columns: Shape['columns'] = {}
  for (const r of rows) (columns[r.table_name] ??= []).push(`${r.column_name} ${typeName(r.data_type)}${r.is_nullable === 'NO' ? ' not null' : ''}`)
  for (const list of Object.values(columns)) list.sort()
  const created = (
    await sql<{ indexname: string; tablename: string; indexdef: string }>`
      select indexname, tablename, indexdef from pg_indexes where schemaname = 'public'`.execute(db)
  ).rows.filter((i) => names.includes(i.indexname))
  const indexes = Object.fromEntries(created.map((i) => [i.indexname, indexKey(i.tablename, i.indexdef)]))
  return { columns: Object.fromEntries(Object.entries(columns).sort(([a], [b]) => a.localeCompare(b))), indexes }
}

describe.skipIf(!postgresAvailable)('the migrations on PostgreSQL', () => {
  it('build the tables, columns, indexes and unique keys they build on SQLite', async () => {
    const postgres = await freshPostgres()
    onTestFinished(postgres.drop)
    const results = await migrateToLatest(postgres.db)
    expect(results.filter((r) => r.status !== 'Success')).toEqual([])
    const { db: lite, sqlite } = openDatabase(':memory:')
    onTestFinished(() => lite.destroy())
    await migrateToLatest(lite)
    const expected = sqliteShape(sqlite)
    const actual = await postgresShape(postgres.db, Object.keys(expected.indexes))
    expect(Object.values(expected.indexes).filter((i) => i.startsWith('unique ')).length).toBeGreaterThan(8)
    expect(actual).toEqual(expected)
    expect(await migrateToLatest(postgres.db)).toEqual([])
  })

  it('number new rows themselves, and refuse a key that differs only in case', async () => {
    const postgres = await freshPostgres()
    onTestFinished(postgres.drop)
    await migrateToLatest(postgres.db)
    const { db } = postgres
    const now = new Date().toISOString()
    const role = await db.selectFrom('roles').select('id').where('key', '=', 'admin').executeTakeFirstOrThrow()
    const user = { name: 'A', password_hash: 'x', role_id: role.id, status: 'active' as const, created_at: now, updated_at: now }
    const first = await db
      .insertInto('users')
      .values({ ...user, email: 'Boss@Example.com' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const second = await db
      .insertInto('users')
      .values({ ...user, email: 'other@example.com' })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(second.id).toBe(first.id + 1)
    await expect(
      db
        .insertInto('users')
        .values({ ...user, email: 'boss@example.com' })
        .execute(),
    ).rejects.toThrow(/unique/)
    expect(await db.selectFrom('users').select('email').orderBy('id').execute()).toEqual([{ email: 'Boss@Example.com' }, { email: 'other@example.com' }])
  })
})
