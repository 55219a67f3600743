import { randomBytes } from 'node:crypto'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Db } from '../../src/db/database.js'

/** The PostgreSQL server the tests may use (scripts/postgres-test-cluster.sh starts one); unset means those tests are skipped. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? ''
export const postgresAvailable = TEST_DATABASE_URL !== ''
/** TEST_ON_POSTGRES=1: every test app runs on a fresh PostgreSQL database of that server instead of SQLite. */
export const testsOnPostgres = postgresAvailable && process.env.TEST_ON_POSTGRES === '1'

/** A new, empty database on the test server, dropped by `drop()`: each test its own. */
export async function freshPostgres(): Promise<{ db: Db; url: string; drop: () => Promise<void> }> {
  const name = `cb_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  // Small pools that let idle connections go at once: a test process makes hundreds of databases.
  const pool = new pg.Pool({ connectionString: url.href, max: 4, idleTimeoutMillis: 500, allowExitOnIdle: true })
  const db = new Kysely<never>({ dialect: new PostgresDialect({ pool }) }) as unknown as Db
  return {
    db,
    url: url.href,
    drop: async () => {
      await db.destroy()
      const again = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await again.connect()
      await again.query(`drop database if exists ${name} with (force)`)
      await again.end()
    },
  }
}
