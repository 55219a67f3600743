import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, vendorsFor } from '../src/config.js'
import { CONNECTORS } from '../src/connectors/registry.js'
import type { AnyConnector } from '../src/connectors/kit/types.js'

const tempDir = () => mkdtempSync(join(tmpdir(), 'cb-config-'))

describe('loadConfig', () => {
  it("reads each connector's own server settings (its platforms' addresses), with their defaults, and refuses a bad one by its variable", () => {
    const dir = tempDir()
    const defaults = loadConfig({ DATA_DIR: dir })
    expect(vendorsFor(defaults, 'quickbooks-online').addresses).toEqual({
      authUrl: 'https://appcenter.intuit.com/connect/oauth2',
      tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      revokeUrl: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
      apiBaseUrl: null,
    })
    expect(vendorsFor(defaults, 'sage-intacct').addresses.endpointUrl).toBe('https://api.intacct.com/ia/xml/xmlgw.phtml')
    expect(vendorsFor(defaults, 'spreadsheet')).toEqual({ addresses: {}, requestTimeoutMs: 60_000, retryBaseMs: 1000 })
    const pointed = loadConfig({ DATA_DIR: dir, QBO_API_BASE_URL: 'http://127.0.0.1:9999/' })
    expect(vendorsFor(pointed, 'quickbooks-online').addresses.apiBaseUrl).toBe('http://127.0.0.1:9999')
    // A connector added by a test declares its own setting; the hub reads it the same way.
    const extra = {
      ...CONNECTORS[0]!,
      id: 'acme',
      serverSettings: { apiUrl: { env: 'ACME_API_URL', default: null, description: 'Acme', kind: 'url' } },
    } as AnyConnector
    expect(vendorsFor(loadConfig({ DATA_DIR: dir, ACME_API_URL: 'https://acme.test/api' }, [extra]), 'acme').addresses).toEqual({
      apiUrl: 'https://acme.test/api',
    })
    expect(() => loadConfig({ DATA_DIR: dir, INTACCT_ENDPOINT_URL: 'ftp://intacct', PORT: 'x' })).toThrow(
      /PORT: [^\n]+\n {2}INTACCT_ENDPOINT_URL: must be an http:\/\/ or https:\/\/ URL/,
    )
    expect(() => loadConfig({ DATA_DIR: dir, ACME_API_URL: 'not a url' }, [extra])).toThrow(ConfigError)
  })

  it("documents every connector's server setting in the README's configuration table", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')
    const settings = CONNECTORS.flatMap((c) => Object.values(c.serverSettings ?? {}).map((s) => s.env))
    expect(settings.length).toBeGreaterThan(0)
    expect(settings.filter((env) => !readme.includes(`| \`${env}\` |`))).toEqual([])
  })

  it('uses documented defaults', () => {
    const dir = tempDir()
    const config = loadConfig({ DATA_DIR: dir })
    expect(config.port).toBe(3000)
    expect(config.host).toBe('127.0.0.1')
    expect(config.databasePath).toBe(join(dir, 'clockbridge.db'))
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:3000')
    expect(config.timeZone).toBe('UTC')
    expect(config.secureCookies).toBe(false)
  })

  it('generates a secret key file with mode 0600 once and reuses it', () => {
    const dir = tempDir()
    const first = loadConfig({ DATA_DIR: dir })
    const file = join(dir, 'secret.key')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/)
    expect(loadConfig({ DATA_DIR: dir }).secretKey.equals(first.secretKey)).toBe(true)
  })

  it('takes SECRET_KEY from the environment without writing a file', () => {
    const dir = tempDir()
    const config = loadConfig({ DATA_DIR: dir, SECRET_KEY: 'cd'.repeat(32) })
    expect(config.secretKey.toString('hex')).toBe('cd'.repeat(32))
    expect(() => statSync(join(dir, 'secret.key'))).toThrow()
  })

  it('names every invalid variable in one error', () => {
    const run = () => loadConfig({ DATA_DIR: tempDir(), PORT: 'eighty', TZ: 'Mars/Olympus', SECRET_KEY: 'short', LOG_LEVEL: 'loud' })
    expect(run).toThrow(ConfigError)
    try {
      run()
    } catch (err) {
      const message = (err as Error).message
      for (const name of ['PORT', 'TZ', 'SECRET_KEY', 'LOG_LEVEL']) expect(message).toContain(name)
    }
  })

  it('marks cookies Secure when the public URL is https', () => {
    const config = loadConfig({ DATA_DIR: tempDir(), PUBLIC_BASE_URL: 'https://clock.example.com/' })
    expect(config.publicBaseUrl).toBe('https://clock.example.com')
    expect(config.secureCookies).toBe(true)
  })
})
