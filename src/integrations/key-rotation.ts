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
    const reseal = (blob: string) => (sealedWith(blob) === keyIdOf(newKey) ? blob : (count++, seal(next, open(keyring, blob))))
    // OAuth tokens of cloud connections.
    for (const row of await trx.selectFrom('integration_connections').select(['integration', 'tokens_blob']).where('tokens_blob', 'is not', null).execute())
      await trx
        .updateTable('integration_connections')
        .set({ tokens_blob: reseal(row.tokens_blob!) })
        .where('integration', '=', row.integration)
        .execute()
    // The SMTP password and the webhook's signing secret (src/notifications/notification-settings.ts).
    const notifications = await trx.selectFrom('settings').select('value').where('key', '=', 'notifications').executeTakeFirst()
    if (notifications) {
      const value = JSON.parse(notifications.value) as { smtp?: { passwordSealed?: string | null }; webhook?: { secretSealed?: string | null } }
      if (value.smtp?.passwordSealed) value.smtp.passwordSealed = reseal(value.smtp.passwordSealed)
      if (value.webhook?.secretSealed) value.webhook.secretSealed = reseal(value.webhook.secretSealed)
      await trx
        .updateTable('settings')
        .set({ value: JSON.stringify(value) })
        .where('key', '=', 'notifications')
        .execute()
    }
    await recordAudit(trx, systemActor('keys:rotate'), {
      action: 'keys.rotate',
      entityType: 'settings',
      summary: `Re-encrypted ${count} stored secret(s) (integration credentials, OAuth tokens, notification secrets) under key ${keyIdOf(newKey)}`,
    })
    return { count, keyId: keyIdOf(newKey) }
  })
}
