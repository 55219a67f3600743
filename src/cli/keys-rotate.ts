import { appendFileSync, chmodSync, renameSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { keyFile, previousKeyFile, type Config } from '../config.js'
import { openConfiguredDatabase } from '../db/database.js'
import { upgradeDatabase } from '../db/upgrade.js'
import { keyringOf } from '../integrations/integration-service.js'
import { reencryptSecrets } from '../integrations/key-rotation.js'
import { keyIdOf } from '../lib/secret-box.js'
import { commandName } from '../runtime/assets.js'
import { complain, EXIT, say } from './output.js'

/**
 * clockbridge keys rotate [--new-key <64 hex>]: re-encrypts every stored integration credential
 * under a new key (AES-256-GCM, key id in each blob). With the generated key file, a new secret.key
 * is written first and the old key kept in secret.key.previous, so a crash at any point leaves every
 * credential readable. With SECRET_KEY in the environment the new key must be given.
 */
export async function keysRotateCommand(config: Config, given: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const fromEnv = Boolean(env.SECRET_KEY)
  if (given !== undefined && !/^[0-9a-fA-F]{64}$/.test(given)) {
    complain('--new-key must be 64 hexadecimal characters (32 bytes), e.g. from: openssl rand -hex 32')
    return EXIT.usage
  }
  if (fromEnv && !given) {
    complain(`SECRET_KEY is set in the environment, so the new key must come from you: ${commandName()} keys rotate --new-key <64 hex>`)
    return EXIT.usage
  }
  const newKey = given ? Buffer.from(given, 'hex') : randomBytes(32)
  if (newKey.equals(config.secretKey)) {
    complain('The new key is the key in use; choose a different one.')
    return EXIT.usage
  }
  const opened = openConfiguredDatabase(config)
  const { db } = opened
  try {
    await upgradeDatabase(opened, config.dataDir)
    if (!fromEnv) {
      // Keep the old key readable first, then switch the file, then re-seal.
      appendFileSync(previousKeyFile(config.dataDir), config.secretKey.toString('hex') + '\n', { mode: 0o600 })
      const tmp = keyFile(config.dataDir) + '.new'
      writeFileSync(tmp, newKey.toString('hex') + '\n', { mode: 0o600 })
      chmodSync(tmp, 0o600)
      renameSync(tmp, keyFile(config.dataDir))
    }
    const result = await reencryptSecrets(db, keyringOf(config), newKey)
    say(`Re-encrypted ${result.count} stored secret(s) under key ${result.keyId} (was ${keyIdOf(config.secretKey)}).`)
    if (fromEnv) say(`Now set SECRET_KEY=${newKey.toString('hex')} and restart the server; the old key is no longer needed.`)
    else say(`The new key is in ${keyFile(config.dataDir)}; the old one stays in ${previousKeyFile(config.dataDir)}. Restart the server.`)
    return EXIT.ok
  } catch (err) {
    complain(`Key rotation failed, nothing was re-encrypted: ${err instanceof Error ? err.message : String(err)}`)
    return EXIT.failed
  } finally {
    await db.destroy()
  }
}
