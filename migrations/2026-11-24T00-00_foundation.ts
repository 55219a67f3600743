import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('roles')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('role_permissions')
    .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_permissions_pk', ['role_id', 'permission'])
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('users_email_unique')
    .on('users')
    .expression(sql`lower(email)`)
    .unique()
    .execute()

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute()
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failure_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute()

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('ip', 'text')
    .addColumn('request_id', 'text')
    .execute()
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute()

  await createSyncedTable(db, 'companies', (t) =>
    t
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
      .addColumn('payroll_company', 'integer', (c) => c.notNull().defaultTo(0)),
  )
  await db.schema
    .createIndex('companies_name_unique')
    .on('companies')
    .expression(sql`lower(name)`)
    .unique()
    .execute()

  await createSyncedTable(db, 'departments', (t) => t.addColumn('code', 'text', (c) => c.notNull()).addColumn('name', 'text', (c) => c.notNull()))
  await db.schema
    .createIndex('departments_code_unique')
    .on('departments')
    .expression(sql`lower(code)`)
    .unique()
    .execute()

  await createSyncedTable(db, 'employees', (t) =>
    t
      .addColumn('first_name', 'text', (c) => c.notNull())
      .addColumn('last_name', 'text', (c) => c.notNull())
      .addColumn('employee_number', 'text')
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('pay_group', 'text', (c) => c.notNull().defaultTo('HOURLY'))
      .addColumn('company_id', 'integer', (c) => c.references('companies.id').onDelete('set null'))
      .addColumn('department_id', 'integer', (c) => c.references('departments.id').onDelete('set null'))
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
      .addColumn('hire_date', 'text'),
  )
  await db.schema
    .createIndex('employees_number_unique')
    .on('employees')
    .expression(sql`lower(employee_number)`)
    .unique()
    .execute()
  await db.schema
    .createIndex('employees_email_unique')
    .on('employees')
    .expression(sql`lower(email)`)
    .unique()
    .execute()
  await db.schema.createIndex('employees_last_first').on('employees').columns(['last_name', 'first_name']).execute()

  await createSyncedTable(db, 'job_sites', (t) =>
    t
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('street', 'text')
      .addColumn('city', 'text')
      .addColumn('state', 'text')
      .addColumn('zip', 'text')
      .addColumn('country', 'text')
      .addColumn('start_date', 'text')
      .addColumn('end_date', 'text')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('active')),
  )
  await db.schema
    .createIndex('job_sites_number_unique')
    .on('job_sites')
    .expression(sql`lower(number)`)
    .unique()
    .execute()

  await createSyncedTable(db, 'cost_codes', (t) =>
    t
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('job_site_id', 'integer', (c) => c.references('job_sites.id').onDelete('cascade')),
  )
  // A standard cost code (no job site) and a job-specific one may share a code; two of either may not.
  await db.schema
    .createIndex('cost_codes_code_unique')
    .on('cost_codes')
    .expression(sql`lower(code), coalesce(job_site_id, 0)`)
    .unique()
    .execute()

  await db.schema
    .createTable('pay_ids')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await seedRolesAndPayIds(db)
}

const PERMISSIONS = [
  'integrations.view',
  'integrations.setup',
  'integrations.actions',
  'payroll.view',
  'payroll.approve',
  'payroll.publish',
  'payroll.set_item_group',
  'pay_ids.manage',
  'users.manage',
  'employees.view',
  'employees.manage',
  'employees.import_export',
  'companies.view',
  'companies.manage',
  'job_sites.view',
  'job_sites.manage',
  'cost_codes.view',
  'cost_codes.manage',
  'departments.view',
  'departments.manage',
  'settings.manage',
  'audit_log.view',
]

const PM_PERMISSIONS = [
  'integrations.view',
  'payroll.view',
  'payroll.approve',
  'employees.view',
  'companies.view',
  'job_sites.view',
  'job_sites.manage',
  'cost_codes.view',
  'cost_codes.manage',
  'departments.view',
]

const PAY_IDS: [string, string, string][] = [
  ['REG', 'Regular', 'fixed'],
  ['OT', 'Overtime', 'fixed'],
  ['DT', 'Double time', 'fixed'],
  ['HOL', 'Holiday', 'fixed'],
  ['HOL_WORK', 'Holiday worked', 'fixed'],
  ['SFT1', 'Shift 1', 'fixed'],
  ['SFT2', 'Shift 2', 'fixed'],
  ['SFT3', 'Shift 3', 'fixed'],
  ['BER', 'Bereavement', 'leave'],
  ['JUR', 'Jury duty', 'leave'],
  ['SIC', 'Sick', 'leave'],
  ['VAC', 'Vacation', 'leave'],
]

async function seedRolesAndPayIds(db: Kysely<any>): Promise<void> {
  const roles: [string, string, string[]][] = [
    ['super_admin', 'Super Admin', PERMISSIONS],
    ['admin', 'Admin', PERMISSIONS],
    ['pm', 'PM', PM_PERMISSIONS],
    ['employee', 'Employee', []],
  ]
  for (const [position, [key, name, permissions]] of roles.entries()) {
    const { id } = await db.insertInto('roles').values({ key, name, position }).returning('id').executeTakeFirstOrThrow()
    if (permissions.length > 0) {
      await db
        .insertInto('role_permissions')
        .values(permissions.map((permission) => ({ role_id: id, permission })))
        .execute()
    }
  }
  const now = new Date().toISOString()
  await db
    .insertInto('pay_ids')
    .values(PAY_IDS.map(([code, name, kind], position) => ({ code, name, kind, position, created_at: now, updated_at: now })))
    .execute()
}

/** Every record an integration can feed carries its source and external id. */
async function createSyncedTable(db: Kysely<any>, table: string, columns: (t: CreateTableBuilder<any, any>) => CreateTableBuilder<any, any>): Promise<void> {
  let builder: CreateTableBuilder<any, any> = db.schema.createTable(table).addColumn('id', 'integer', generatedId(db))
  builder = columns(builder)
    .addColumn('source_integration', 'text')
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
  await builder.execute()
  await db.schema
    .createIndex(`${table}_source_unique`)
    .on(table)
    .columns(['source_integration', 'external_id'])
    .unique()
    .where(sql.ref('source_integration'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'pay_ids',
    'cost_codes',
    'job_sites',
    'employees',
    'departments',
    'companies',
    'audit_log',
    'settings',
    'login_throttle',
    'sessions',
    'users',
    'role_permissions',
    'roles',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
