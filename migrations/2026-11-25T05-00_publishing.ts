import type { Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Publishing payroll: each line a target receives (one employee, day, pay ID, job site, cost code
// and department), by a key that never changes for that line, in revisions: an edited line is a
// new revision and its sent predecessor is deleted at the target.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('publish_lines')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('line_key', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('employee_id', 'integer', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('pay_id', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('external_ref', 'text')
    .addColumn('message', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('publish_lines_key', ['target', 'line_key', 'revision', 'action'])
    .execute()
  await db.schema.createIndex('publish_lines_work').on('publish_lines').columns(['target', 'status', 'id']).execute()
  await db.schema.createIndex('publish_lines_period').on('publish_lines').columns(['target', 'period_start']).execute()

  await db.schema
    .createTable('publish_runs')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('added', 'integer', (c) => c.notNull())
    .addColumn('corrected', 'integer', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('unchanged', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('publish_runs').execute()
  await db.schema.dropTable('publish_lines').execute()
}
