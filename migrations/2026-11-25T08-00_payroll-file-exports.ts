import type { Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Each payroll file handed to a target by hand (Sage 300 CRE's Import Time file): who, when, how
// many lines and the file's checksum, so a second export of a period is noticed before it happens.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payroll_file_exports')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('period_end', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('exported_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('exported_by_name', 'text', (c) => c.notNull())
    .addColumn('exported_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('payroll_file_exports_period').on('payroll_file_exports').columns(['target', 'period_start']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payroll_file_exports').execute()
}
