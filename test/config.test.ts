import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'

const tempDir = () => mkdtempSync(join(tmpdir(), 'cb-config-'))

describe('loadConfig', () => {
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
