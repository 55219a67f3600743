import type { Db } from '../db/database.js'
import { recordAudit, systemActor } from '../audit/audit-log.js'
import { keyIdOf, open, seal, sealedWith, type Keyring } from '../lib/secret-box.js'

/**
 * Re-seals every stored credential under `newKey`, in one transaction: afterwards only the new key
 * is needed. Blobs the keyring cannot open stop the rotation before anything changes.
 */
export async function reencryptSecrets(db: Db, keyring: Keyring, newKey: Buffer): Promise<{ count: number; keyId: string }> {
  const next: Keyring = { current: newKey, previous: [keyring.current, ...keyring.previous] }
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('integrations').select(['id', 'secrets_blob']).where('secrets_blob', 'is not', null).execute()
    let count = 0
    for (const row of rows) {
      if (sealedWith(row.secrets_blob!) === keyIdOf(newKey)) continue
      const plain = open(keyring, row.secrets_blob!)
      await trx
        .updateTable('integrations')
        .set({ secrets_blob: seal(next, plain) })
        .where('id', '=', row.id)
        .execute()
      count++
    }
    await recordAudit(trx, systemActor('keys:rotate'), {
      action: 'keys.rotate',
      entityType: 'settings',
      summary: `Re-encrypted ${count} integration credential(s) under key ${keyIdOf(newKey)}`,
    })
    return { count, keyId: keyIdOf(newKey) }
  })
}
