import { Writable } from 'node:stream'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, openPostgres, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { createLogger } from '../../src/lib/logger.js'
import { createApp, createDeps, type App } from '../../src/app.js'
import type { AppDeps } from '../../src/http/app-env.js'
import type { AnyConnector } from '../../src/connectors/kit/types.js'
import { generateSessionToken, createSession } from '../../src/auth/sessions.js'
import { SESSION_COOKIE } from '../../src/auth/session-cookie.js'
import { hashPassword } from '../../src/auth/passwords.js'
import { freshPostgres, testsOnPostgres } from './postgres.js'

export const TEST_PASSWORD = 'correct horse battery'
let passwordHash: Promise<string> | undefined
/** Hashing is deliberately slow; tests share one hash of TEST_PASSWORD. */
export const testPasswordHash = () => (passwordHash ??= hashPassword(TEST_PASSWORD))

export type TestApp = { app: App; db: Db; config: Config; logs: string[]; deps: AppDeps }

/**
 * A fresh in-memory database (or the file DATABASE_PATH names; or, with TEST_ON_POSTGRES=1, a new
 * PostgreSQL database) with the real migrations, and the real app over it.
 */
export async function createTestApp(env: Record<string, string> = {}, connectors?: readonly AnyConnector[]): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_PATH: ':memory:',
    SECRET_KEY: 'ab'.repeat(32),
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: 'http://localhost',
    PASSWORD_COST: process.env.PASSWORD_COST ?? '15',
    ...env,
  })
  const { db, sqlite } = config.databaseUrl
    ? { db: openPostgres(config.databaseUrl, 4), sqlite: null }
    : testsOnPostgres
      ? { db: (await freshPostgres()).db, sqlite: null }
      : openDatabase(config.databasePath)
  await migrateToLatest(db)
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk))
      done()
    },
  })
  const logger = createLogger(config.logLevel, sink)
  const deps = createDeps({ db, sqlite, config, logger, connectors })
  return { app: createApp(deps), db, config, logs, deps }
}

export type RoleKey = 'super_admin' | 'admin' | 'pm' | 'employee'

/** Inserts a user of the role and a session for it; returns the Cookie header to send. */
export async function signInAs(db: Db, role: RoleKey, email = `${role}@example.com`): Promise<{ cookie: string; userId: number }> {
  const { id: roleId } = await db.selectFrom('roles').select('id').where('key', '=', role).executeTakeFirstOrThrow()
  const now = new Date().toISOString()
  const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  const userId =
    existing?.id ??
    (
      await db
        .insertInto('users')
        .values({ email, name: `${role} user`, password_hash: await testPasswordHash(), role_id: roleId, status: 'active', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const token = generateSessionToken()
  await createSession(db, token, userId, 30, { ip: null, userAgent: 'vitest' })
  return { cookie: `${SESSION_COOKIE}=${token}`, userId }
}
