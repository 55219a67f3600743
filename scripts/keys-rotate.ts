// npm run keys:rotate [-- --new-key <64 hex>]
// Re-encrypts every stored integration credential under a new key (AES-256-GCM, key id in each blob).
// With the generated key file: a new secret.key is written first and the old key is kept in
// secret.key.previous, so a crash at any point leaves every credential readable.
// With SECRET_KEY in the environment: pass --new-key, then set SECRET_KEY to it and restart.
import { appendFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { keyFile, loadConfig, previousKeyFile } from '../src/config.js'
import { openDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { keyringOf } from '../src/integrations/integration-service.js'
import { reencryptSecrets } from '../src/integrations/key-rotation.js'
import { keyIdOf } from '../src/lib/secret-box.js'

const { values } = parseArgs({ options: { 'new-key': { type: 'string' } } })
const fromEnv = Boolean(process.env.SECRET_KEY)
const given = values['new-key']
if (given !== undefined && !/^[0-9a-fA-F]{64}$/.test(given)) {
  console.error('--new-key must be 64 hexadecimal characters (32 bytes), e.g. from: openssl rand -hex 32')
  process.exit(2)
}
if (fromEnv && !given) {
  console.error('SECRET_KEY is set in the environment, so the new key must come from you: npm run keys:rotate -- --new-key <64 hex>')
  process.exit(2)
}

const config = loadConfig()
const newKey = given ? Buffer.from(given, 'hex') : randomBytes(32)
if (newKey.equals(config.secretKey)) {
  console.error('The new key is the key in use; choose a different one.')
  process.exit(2)
}
const { db } = openDatabase(config.databasePath)
try {
  await migrateToLatest(db)
  if (!fromEnv) {
    // Keep the old key readable first, then switch the file, then re-seal.
    appendFileSync(previousKeyFile(config.dataDir), config.secretKey.toString('hex') + '\n', { mode: 0o600 })
    const tmp = keyFile(config.dataDir) + '.new'
    writeFileSync(tmp, newKey.toString('hex') + '\n', { mode: 0o600 })
    chmodSync(tmp, 0o600)
    renameSync(tmp, keyFile(config.dataDir))
  }
  const result = await reencryptSecrets(db, keyringOf(config), newKey)
  console.log(`Re-encrypted ${result.count} integration credential(s) under key ${result.keyId} (was ${keyIdOf(config.secretKey)}).`)
  if (fromEnv) console.log(`Now set SECRET_KEY=${newKey.toString('hex')} and restart the server; the old key is no longer needed.`)
  else console.log(`The new key is in ${keyFile(config.dataDir)}; the old one stays in ${previousKeyFile(config.dataDir)}. Restart the server.`)
} catch (err) {
  console.error(`Key rotation failed, nothing was re-encrypted: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  await db.destroy()
}
