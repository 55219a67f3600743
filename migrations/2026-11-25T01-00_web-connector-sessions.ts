import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// One row per QuickBooks Web Connector session (a ticket from authenticate to closeConnection).
// The ticket is stored as its SHA-256 only; `pending` is the request QuickBooks is working on.
export async function up(db: Kysely<any>): Promise<void> {
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
    .execute()
  await db.schema.createIndex('qbwc_sessions_recent').on('qbwc_sessions').columns(['integration', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('qbwc_sessions').execute()
}
