import type { ExpressionBuilder } from 'kysely'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import type { ConnectorStore } from '../connectors/kit/hub.js'

// The store a connector keeps its values in between calls (connector_state), one per connector.
// Every instance on the database sees the same values; compare-and-set is one conditional
// statement, so of two instances racing for the same key exactly one wins.

const expiry = (ttlMs: number | undefined) => (ttlMs === undefined ? null : new Date(Date.now() + ttlMs).toISOString())

/** A value with no expiry, or one not reached yet. */
const notExpired = (now: string) => (eb: ExpressionBuilder<Database, 'connector_state'>) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])

/** Expired values read as absent; this removes them (the scheduler runs it daily). */
export async function forgetExpiredValues(db: Db): Promise<number> {
  const result = await db.deleteFrom('connector_state').where('expires_at', '<=', new Date().toISOString()).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export function connectorStore(db: Db, integration: string): ConnectorStore {
  const live = () => {
    const now = new Date().toISOString()
    return db.selectFrom('connector_state').select(['key', 'value']).where('integration', '=', integration).where(notExpired(now))
  }
  const store: ConnectorStore = {
    async get(key) {
      return (await live().where('key', '=', key).executeTakeFirst())?.value ?? null
    },
    async all(prefix) {
      const rows = prefix ? await live().where('key', '>=', prefix).where('key', '<', `${prefix}\uffff`).execute() : await live().execute()
      return Object.fromEntries(rows.map((r) => [r.key, r.value]))
    },
    async set(key, value, opts = {}) {
      const now = new Date().toISOString()
      const expires_at = expiry(opts.ttlMs)
      await db
        .insertInto('connector_state')
        .values({ integration, key, value, updated_at: now, expires_at })
        .onConflict((oc) => oc.columns(['integration', 'key']).doUpdateSet({ value, updated_at: now, expires_at }))
        .execute()
    },
    async compareAndSet(key, expected, next, opts = {}) {
      const now = new Date().toISOString()
      const expires_at = expiry(opts.ttlMs)
      if (expected === null) {
        if (next === null) return (await store.get(key)) === null
        // Absent, or present but expired: only then is the value written.
        const result = await db
          .insertInto('connector_state')
          .values({ integration, key, value: next, updated_at: now, expires_at })
          .onConflict((oc) =>
            oc
              .columns(['integration', 'key'])
              .doUpdateSet({ value: next, updated_at: now, expires_at })
              .where((eb) => eb.and([eb('connector_state.expires_at', 'is not', null), eb('connector_state.expires_at', '<=', now)])),
          )
          .executeTakeFirst()
        return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
      }
      if (next === null) {
        const result = await db
          .deleteFrom('connector_state')
          .where('integration', '=', integration)
          .where('key', '=', key)
          .where('value', '=', expected)
          .where(notExpired(now))
          .executeTakeFirst()
        return Number(result.numDeletedRows) > 0
      }
      const result = await db
        .updateTable('connector_state')
        .set({ value: next, updated_at: now, expires_at })
        .where('integration', '=', integration)
        .where('key', '=', key)
        .where('value', '=', expected)
        .where(notExpired(now))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async delete(key) {
      await db.deleteFrom('connector_state').where('integration', '=', integration).where('key', '=', key).execute()
    },
  }
  return store
}
