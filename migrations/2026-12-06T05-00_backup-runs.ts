import type { Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Every backup Clockbridge takes by itself (on its schedule, or "Back up now"): when, where to, and
// how it ended, so a failed one is shown to the admins whichever instance took it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('backup_runs')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('bytes', 'integer')
    .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('backup_runs').execute()
}
