import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// A write to a vendor whose outcome is unknown is never re-sent blindly. Each publish line keeps
// the id of the write that carried it (a qbXML message set, a QuickBooks Online requestid, an
// Intacct control id), how many times it was tried, and when it is checked next; its status may be
// `unconfirmed` (it left, and the vendor has not answered for it yet).
// A connection keeps the company's name apart from its account (the QuickBooks realm id).
// A Web Connector session remembers the address it came from: the same Web Connector signing in
// again takes over its own dead session at once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('publish_lines').addColumn('attempt_id', 'text').execute()
  await db.schema
    .alterTable('publish_lines')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('publish_lines').addColumn('next_check_at', 'text').execute()
  await db.schema.alterTable('integration_connections').addColumn('account_name', 'text').execute()
  await db.schema.alterTable('qbwc_sessions').addColumn('client_address', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('publish_lines').set({ status: 'pending' }).where('status', '=', 'unconfirmed').execute()
  await db.schema.alterTable('qbwc_sessions').dropColumn('client_address').execute()
  await db.schema.alterTable('integration_connections').dropColumn('account_name').execute()
  await db.schema.alterTable('publish_lines').dropColumn('next_check_at').execute()
  await db.schema.alterTable('publish_lines').dropColumn('attempts').execute()
  await db.schema.alterTable('publish_lines').dropColumn('attempt_id').execute()
}
