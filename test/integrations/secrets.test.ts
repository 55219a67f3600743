import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { keyIdOf, open, seal, SecretBoxError } from '../../src/lib/secret-box.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { saveSettings, keyringOf } from '../../src/integrations/integration-service.js'
import { connectorContext } from '../../src/integrations/connector-context.js'
import { createTestApp } from '../helpers/test-app.js'
import { actor } from '../helpers/hub.js'
import { scriptedConnector } from '../helpers/scripted-connector.js'
import { createLogger } from '../../src/lib/logger.js'

const run = promisify(execFile)

describe('secret box', () => {
  it('seals with AES-256-GCM and the key id, opens with the current or a previous key', () => {
    const a = randomBytes(32)
    const b = randomBytes(32)
    const blob = seal({ current: a, previous: [] }, 'hunter2')
    expect(blob.split('.')[0]).toBe('v1')
    expect(blob.split('.')[1]).toBe(keyIdOf(a))
    expect(blob).not.toContain('hunter2')
    expect(seal({ current: a, previous: [] }, 'hunter2')).not.toBe(blob)
    expect(open({ current: b, previous: [a] }, blob)).toBe('hunter2')
    expect(() => open({ current: b, previous: [] }, blob)).toThrow(SecretBoxError)
    const tampered = blob.slice(0, -2) + (blob.endsWith('A') ? 'BB' : 'AA')
    expect(() => open({ current: a, previous: [] }, tampered)).toThrow(/integrity check/)
  })

  it('stores secret settings sealed, keeps a secret left blank, and hands the connector the plain value', async () => {
    const connector = {
      ...scriptedConnector([]),
      settingsSchema: z.object({ account: z.string() }) as never,
      settingFields: [
        { key: 'account', label: 'Account' },
        { key: 'password', label: 'Password', secret: true },
      ],
    }
    const t = await createTestApp({}, [connector])
    await saveSettings(t.deps, actor, connector, { account: 'acme', password: 's3cret' })
    await saveSettings(t.deps, actor, connector, { account: 'acme2', password: '' })
    const row = await t.db.selectFrom('integrations').selectAll().executeTakeFirstOrThrow()
    expect(JSON.parse(row.settings)).toEqual({ account: 'acme2' })
    expect(row.secrets_blob).not.toContain('s3cret')
    const ctx = await connectorContext(t.deps, connector, new AbortController().signal, createLogger('silent'))
    expect(ctx.settings).toEqual({ account: 'acme2' })
    expect(ctx.secrets).toEqual({ password: 's3cret' })
    const audit = await t.db.selectFrom('audit_log').select('after').where('action', '=', 'integration.settings').execute()
    expect(audit.map((a) => a.after).join()).not.toContain('s3cret')
  })
})

describe('npm run keys:rotate', () => {
  it('re-encrypts credentials and notification secrets under a new key file and keeps the old key readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-keys-'))
    const config = loadConfig({ DATA_DIR: dir })
    const { db } = openDatabase(config.databasePath)
    await migrateToLatest(db)
    const blob = seal(keyringOf(config), JSON.stringify({ password: 'p' }))
    await db
      .insertInto('integrations')
      .values({ id: 'x', activated: 1, is_sync_source: 0, settings: '{}', secrets_blob: blob, updated_at: new Date().toISOString() })
      .execute()
    const smtp = { host: 'smtp.example.com', passwordSealed: seal(keyringOf(config), 'smtp-pass') }
    await db
      .insertInto('settings')
      .values({ key: 'notifications', value: JSON.stringify({ smtp, webhook: { secretSealed: null } }), updated_at: new Date().toISOString() })
      .execute()
    await db.destroy()
    const { stdout } = await run(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['src/cli/clockbridge.ts', 'keys', 'rotate'], {
      env: { ...process.env, DATA_DIR: dir, SECRET_KEY: '' },
    })
    expect(stdout).toContain('Re-encrypted 2 stored secret(s)')
    const after = loadConfig({ DATA_DIR: dir })
    expect(after.secretKey.equals(config.secretKey)).toBe(false)
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, 'secret.key.previous'), 'utf8')).toContain(config.secretKey.toString('hex'))
    const reopened = openDatabase(after.databasePath)
    const row = await reopened.db.selectFrom('integrations').select('secrets_blob').executeTakeFirstOrThrow()
    expect(row.secrets_blob!.split('.')[1]).toBe(keyIdOf(after.secretKey))
    expect(open({ current: after.secretKey, previous: [] }, row.secrets_blob!)).toBe('{"password":"p"}')
    const notifications = await reopened.db.selectFrom('settings').select('value').where('key', '=', 'notifications').executeTakeFirstOrThrow()
    expect(open({ current: after.secretKey, previous: [] }, (JSON.parse(notifications.value) as typeof smtp & { smtp: typeof smtp }).smtp.passwordSealed)).toBe(
      'smtp-pass',
    )
    await reopened.db.destroy()
  })

  it('asks for --new-key when SECRET_KEY comes from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-keys-'))
    const result = await run(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['src/cli/clockbridge.ts', 'keys', 'rotate'], {
      env: { ...process.env, DATA_DIR: dir, SECRET_KEY: 'ab'.repeat(32) },
    }).catch((e) => e)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--new-key')
  })
})

describe('the Setup tab settings form', () => {
  it('saves settings with the secret sealed, and refuses invalid ones with 422', async () => {
    const { signInAs } = await import('../helpers/test-app.js')
    const { post } = await import('../helpers/requests.js')
    const connector = {
      ...scriptedConnector([]),
      settingsSchema: z.object({ account: z.string().min(3, 'Account must be at least 3 characters') }) as never,
      settingFields: [
        { key: 'account', label: 'Account' },
        { key: 'password', label: 'Password', secret: true },
      ],
    }
    const t = await createTestApp({}, [connector])
    const { cookie } = await signInAs(t.db, 'admin')
    const bad = await post(t.app, '/integrations/scripted/settings', { account: 'x', password: 'pw' }, { cookie, htmx: true })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Account must be at least 3 characters')
    expect(await t.db.selectFrom('integrations').selectAll().execute()).toEqual([])
    expect((await post(t.app, '/integrations/scripted/settings', { account: 'acme', password: 'pw' }, { cookie })).status).toBe(303)
    const row = await t.db.selectFrom('integrations').selectAll().executeTakeFirstOrThrow()
    expect(open(keyringOf(t.config), row.secrets_blob!)).toBe('{"password":"pw"}')
  })
})
