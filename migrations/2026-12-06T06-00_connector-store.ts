import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// A connector keeps what it needs between calls in the hub's store (connector_state), with an
// expiry per value: the QuickBooks Web Connector's sessions move there from a table of their own.
// Sessions open during the upgrade are forgotten: the Web Connector signs in again on its next
// visit, and hours whose answer was lost stay unconfirmed in publish_lines, settled on that visit.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connector_state').addColumn('expires_at', 'text').execute()
  await db.schema.dropTable('qbwc_sessions').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('connector_state').where('expires_at', 'is not', null).execute()
  await db.schema.alterTable('connector_state').dropColumn('expires_at').execute()
  await db.schema
    .createTable('qbwc_sessions')
    .addColumn('ticket_hash', 'text', (c) => c.primaryKey())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('company_file', 'text')
    .addColumn('pending', 'text')
    .addColumn('last_error', 'text')
    .addColumn('runs_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('runs_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('client_address', 'text')
    .execute()
  await db.schema.createIndex('qbwc_sessions_recent').on('qbwc_sessions').columns(['integration', 'created_at']).execute()
}
