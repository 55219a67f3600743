import { sql, type Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Time entries (the hours payroll is made of), the approval state of pay periods, and the
// permission to enter time, given to the roles that approve it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('time_entries')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('employee_id', 'integer', (c) => c.notNull().references('employees.id').onDelete('restrict'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('minutes', 'integer', (c) => c.notNull().check(sql`minutes > 0 and minutes <= 1440`))
    .addColumn('job_site_id', 'integer', (c) => c.references('job_sites.id').onDelete('restrict'))
    .addColumn('cost_code_id', 'integer', (c) => c.references('cost_codes.id').onDelete('restrict'))
    .addColumn('department_id', 'integer', (c) => c.references('departments.id').onDelete('restrict'))
    .addColumn('pay_id', 'text', (c) => c.notNull().references('pay_ids.code').onUpdate('cascade').onDelete('restrict'))
    .addColumn('note', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('time_entries_employee_date').on('time_entries').columns(['employee_id', 'date']).execute()
  await db.schema.createIndex('time_entries_date').on('time_entries').columns(['date', 'employee_id']).execute()

  // A period is open until approved; an approved period is locked against edits until unlocked with a reason.
  await db.schema
    .createTable('pay_periods')
    .addColumn('start_date', 'text', (c) => c.primaryKey())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('approved_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  const roles = await db.selectFrom('roles').select(['id', 'key']).where('key', 'in', ['admin', 'pm']).execute()
  if (roles.length > 0)
    await db
      .insertInto('role_permissions')
      .values(roles.map((r) => ({ role_id: r.id, permission: 'time_entries.manage' })))
      .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('role_permissions').where('permission', '=', 'time_entries.manage').execute()
  await db.schema.dropTable('pay_periods').execute()
  await db.schema.dropTable('time_entries').execute()
}
