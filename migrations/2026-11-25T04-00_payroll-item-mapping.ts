import { sql, type Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Payroll item mapping: per target (a publishing integration, or a payroll file format), groups
// that map each pay ID to a payroll item; each employee is in one group per target (else the
// target's default group).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payroll_item_groups')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('payroll_item_groups_name')
    .on('payroll_item_groups')
    .expression(sql`target, lower(name)`)
    .unique()
    .execute()
  await db.schema
    .createIndex('payroll_item_groups_one_default')
    .on('payroll_item_groups')
    .column('target')
    .unique()
    .where(sql.ref('is_default'), '=', 1)
    .execute()

  await db.schema
    .createTable('payroll_item_mappings')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('payroll_item_groups.id').onDelete('cascade'))
    .addColumn('pay_id', 'text', (c) => c.notNull().references('pay_ids.code').onUpdate('cascade').onDelete('cascade'))
    .addColumn('payroll_item_id', 'integer', (c) => c.notNull().references('payroll_items.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('payroll_item_mappings_pk', ['group_id', 'pay_id'])
    .execute()

  await db.schema
    .createTable('employee_payroll_groups')
    .addColumn('employee_id', 'integer', (c) => c.notNull().references('employees.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('group_id', 'integer', (c) => c.notNull().references('payroll_item_groups.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('employee_payroll_groups_pk', ['employee_id', 'target'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('employee_payroll_groups').execute()
  await db.schema.dropTable('payroll_item_mappings').execute()
  await db.schema.dropTable('payroll_item_groups').execute()
}
