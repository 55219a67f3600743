import type { Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// A cloud integration's connection: its tokens (sealed like every secret), the account they open
// (a QuickBooks realm, an Intacct company), its health, and a lease so that one refresh runs at a
// time across processes. oauth_states holds each Connect click's single-use state, hashed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('integration_connections')
    .addColumn('integration', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull()) // connected | reconnect_needed | disconnected
    .addColumn('account', 'text')
    .addColumn('tokens_blob', 'text')
    .addColumn('access_expires_at', 'text')
    .addColumn('refresh_expires_at', 'text')
    .addColumn('refresh_lease_until', 'text')
    .addColumn('refresh_lease_owner', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('last_ok_at', 'text')
    .addColumn('connected_at', 'text')
    .addColumn('connected_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('oauth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_states').execute()
  await db.schema.dropTable('integration_connections').execute()
}
