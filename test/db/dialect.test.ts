import { describe, expect, it, onTestFinished } from 'vitest'
import { sql } from 'kysely'
import { openDatabase, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { isUniqueViolation } from '../../src/db/dialect.js'
import { fetchPage } from '../../src/lists/list-query.js'
import { usersQuery } from '../../src/users/service.js'
import { employeeChoices } from '../../src/employees/choices.js'
import { freshPostgres, postgresAvailable } from '../helpers/postgres.js'

// The list pages, pickers and unique keys behave the same on both databases: search and sort
// ignore case, and a repeated key is told apart from any other refusal.

async function withPeople(db: Db) {
  await migrateToLatest(db)
  const now = new Date().toISOString()
  const role = await db.selectFrom('roles').select('id').where('key', '=', 'pm').executeTakeFirstOrThrow()
  const user = { password_hash: 'x', role_id: role.id, status: 'active' as const, created_at: now, updated_at: now }
  await db
    .insertInto('users')
    .values([
      { ...user, name: 'bea Quinn', email: 'Bea@Example.com' },
      { ...user, name: 'Al Stone', email: 'al@example.com' },
      { ...user, name: 'carl 100%_done', email: 'carl@example.com' },
    ])
    .execute()
  const employee = { pay_group: 'HOURLY' as const, status: 'active' as const, created_at: now, updated_at: now }
  await db
    .insertInto('employees')
    .values([
      { ...employee, first_name: 'Maria', last_name: 'lopez', employee_number: 'A-1' },
      { ...employee, first_name: 'ken', last_name: 'Ito', employee_number: 'a-2' },
      { ...employee, first_name: 'Zoe', last_name: 'Zed', employee_number: 'B-3' },
    ])
    .execute()
}

const params = (q: string, sort = 'name') => ({ q, sort, dir: 'asc' as const, page: 1, filters: {} })
const spec = { searchColumns: ['users.name', 'users.email'], sortColumns: { name: 'users.name' }, idColumn: 'users.id' }

async function behaviour(db: Db) {
  const names = async (q: string) => (await fetchPage(db, usersQuery(db), params(q), spec)).rows.map((r) => r.name)
  return {
    sortedIgnoringCase: await names(''),
    searchedIgnoringCase: await names('EXAMPLE.COM'),
    wildcardsLiteral: await names('%_'),
    picker: (await employeeChoices(db, { q: 'A-' })).map((e) => e.label),
    uniqueRefusal: await db
      .insertInto('users')
      .values({ name: 'x', email: 'AL@EXAMPLE.COM', password_hash: 'x', role_id: 1, status: 'active', created_at: '', updated_at: '' })
      .execute()
      .then(
        () => 'accepted',
        (err: unknown) => (isUniqueViolation(err) ? 'unique' : 'other'),
      ),
    otherRefusal: await sql`insert into users (name) values ('no email')`.execute(db).then(
      () => 'accepted',
      (err: unknown) => (isUniqueViolation(err) ? 'unique' : 'other'),
    ),
  }
}

const expected = {
  sortedIgnoringCase: ['Al Stone', 'bea Quinn', 'carl 100%_done'],
  searchedIgnoringCase: ['Al Stone', 'bea Quinn', 'carl 100%_done'],
  wildcardsLiteral: ['carl 100%_done'],
  picker: ['Ito, ken (a-2)', 'lopez, Maria (A-1)'],
  uniqueRefusal: 'unique',
  otherRefusal: 'other',
}

describe('what differs between the databases (src/db/dialect.ts)', () => {
  it('on SQLite: search and sort ignore case, wildcards are literal, a repeated key is a unique violation', async () => {
    const { db } = openDatabase(':memory:')
    onTestFinished(() => db.destroy())
    await withPeople(db)
    expect(await behaviour(db)).toEqual(expected)
  })

  it.skipIf(!postgresAvailable)('on PostgreSQL: the same', async () => {
    const postgres = await freshPostgres()
    onTestFinished(postgres.drop)
    await withPeople(postgres.db)
    expect(await behaviour(postgres.db)).toEqual(expected)
  })
})
