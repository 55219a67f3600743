import type { Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Every IMPORT is recorded (committed) before it starts and closed when it ends. Its writes are one
// transaction, so an IMPORT cut short by a stopped server leaves nothing behind but this row, which
// the next start marks interrupted: History can then say so.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_attempts')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'integer', (c) => c.references('import_batches.id').onDelete('set null'))
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute()
  await db.schema.createIndex('import_attempts_recent').on('import_attempts').columns(['integration', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_attempts').execute()
}
