import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { FULL_PASSWORD_COST, hashPassword, setPasswordCost, verifyPassword } from '../../src/auth/passwords.js'

afterEach(() => setPasswordCost(Number(process.env.PASSWORD_COST ?? FULL_PASSWORD_COST)))

describe('the cost of password hashes', () => {
  it('is the full cost (N = 2^15, 32 MiB) unless PASSWORD_COST lowers it, as the tests do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-cost-'))
    try {
      const production = loadConfig({ DATA_DIR: dir })
      expect(production.passwordCost).toBe(15)
      setPasswordCost(production.passwordCost)
      const hash = await hashPassword('correct horse battery')
      expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/)
      expect(() => loadConfig({ DATA_DIR: dir, PASSWORD_COST: '9' })).toThrow(/PASSWORD_COST/)
      // A hash keeps its own parameters: one made at another cost still verifies.
      setPasswordCost(10)
      expect(await verifyPassword(hash, 'correct horse battery')).toBe(true)
      expect(await hashPassword('correct horse battery')).toMatch(/^scrypt\$1024\$8\$1\$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
