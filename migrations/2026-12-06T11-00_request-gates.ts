import type { Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// The request limits of a company at a platform, kept where every instance sees them: a pause the
// platform asked for (Retry-After), the places of the requests in flight (each with a lease, in
// case its process dies) and the requests sent in the last minute.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('request_gates')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('paused_until', 'text')
    .execute()
  await db.schema
    .createTable('request_gate_holds')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('request_gate_holds_key').on('request_gate_holds').columns(['key', 'expires_at']).execute()
  await db.schema
    .createTable('request_gate_sends')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('request_gate_sends_key').on('request_gate_sends').columns(['key', 'sent_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('request_gate_sends').execute()
  await db.schema.dropTable('request_gate_holds').execute()
  await db.schema.dropTable('request_gates').execute()
}
