import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { ModuleId, StagedPayload } from '../integrations/modules.js'

// How a staged payload becomes a row of a core module: the values written, the natural key that
// finds a hand-entered twin to link instead of duplicating, and why a created row must be kept.

export type CoreTable = 'employees' | 'companies' | 'job_sites' | 'cost_codes' | 'departments' | 'payroll_items'

export type CoreMatch = { id: number; label: string; source_integration: string | null; external_id: string | null }

export type CoreAdapter = {
  table: CoreTable
  noun: string
  /** Values for the core row, or a message when a reference cannot be resolved. */
  values: (db: Db, p: StagedPayload, ctx: { defaultCountry: string }) => Promise<{ values: Record<string, unknown> } | { error: string }>
  /** A record with the same natural key (employee number, then email; job site number; ...). */
  match: (db: Db, p: StagedPayload) => Promise<CoreMatch | undefined>
  /** Why a created record cannot be removed by an undo (other records refer to it), or null. */
  keptBecause: (db: Db, id: number) => Promise<string | null>
  /** Which field a unique index guards, for a clear message when an import collides. */
  uniqueFields: Record<string, string>
}

const lowerEq = (column: string, value: string) => sql<boolean>`lower(${sql.ref(column)}) = lower(${value})`

async function firstMatch(db: Db, table: CoreTable, label: (r: any) => string, conditions: ReturnType<typeof lowerEq>[]) {
  for (const condition of conditions) {
    const row = await db.selectFrom(table).selectAll().where(condition).executeTakeFirst()
    if (row) return { id: row.id as number, label: label(row), source_integration: row.source_integration as string | null, external_id: row.external_id as string | null }
  }
  return undefined
}

async function countRefs(db: Db, table: 'employees' | 'cost_codes', column: string, id: number): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(sql.ref(column), '=', id).executeTakeFirstOrThrow()
  return Number(row.n)
}

async function idByKey(db: Db, table: 'companies' | 'departments' | 'job_sites', column: string, value: string | null) {
  if (!value) return { id: null }
  const row = await db.selectFrom(table).select('id').where(lowerEq(column, value)).executeTakeFirst()
  return row ? { id: row.id } : null
}

export const CORE_ADAPTERS: Record<ModuleId, CoreAdapter> = {
  employees: {
    table: 'employees',
    noun: 'employee',
    async values(db, p) {
      const company = await idByKey(db, 'companies', 'name', p.company ?? null)
      if (!company) return { error: `Company "${p.company}" does not exist; import or create it first` }
      const department = await idByKey(db, 'departments', 'code', p.department ?? null)
      if (!department) return { error: `Department "${p.department}" does not exist; import or create it first` }
      return {
        values: {
          first_name: p.first_name,
          last_name: p.last_name,
          employee_number: p.employee_number ?? null,
          email: p.email?.toLowerCase() ?? null,
          phone: p.phone ?? null,
          pay_group: p.pay_group ?? 'HOURLY',
          status: p.status ?? 'active',
          hire_date: p.hire_date ?? null,
          company_id: company.id,
          department_id: department.id,
        },
      }
    },
    match: (db, p) =>
      firstMatch(db, 'employees', (r) => `${r.first_name} ${r.last_name}${r.employee_number ? ` (${r.employee_number})` : ''}`, [
        ...(p.employee_number ? [lowerEq('employee_number', p.employee_number)] : []),
        ...(p.email ? [lowerEq('email', p.email)] : []),
      ]),
    keptBecause: async () => null,
    uniqueFields: { employees_number_unique: 'employee number', employees_email_unique: 'email' },
  },
  companies: {
    table: 'companies',
    noun: 'company',
    values: async (_db, p) => ({ values: { name: p.name, prefix: p.prefix ?? null, status: p.status ?? 'active' } }),
    match: (db, p) => firstMatch(db, 'companies', (r) => r.name, [lowerEq('name', p.name ?? '')]),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'employees', 'company_id', id)
      return n > 0 ? `${n} employee(s) belong to it` : null
    },
    uniqueFields: { companies_name_unique: 'name' },
  },
  job_sites: {
    table: 'job_sites',
    noun: 'job site',
    values: async (_db, p, ctx) => ({
      values: {
        number: p.number,
        name: p.name,
        street: p.street ?? null,
        city: p.city ?? null,
        state: p.state ?? null,
        zip: p.zip ?? null,
        country: p.country?.toUpperCase() ?? ctx.defaultCountry,
        start_date: p.start_date ?? null,
        end_date: p.end_date ?? null,
        status: p.status ?? 'active',
      },
    }),
    match: (db, p) => firstMatch(db, 'job_sites', (r) => `${r.number} · ${r.name}`, [lowerEq('number', p.number ?? '')]),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'cost_codes', 'job_site_id', id)
      return n > 0 ? `${n} cost code(s) belong to it` : null
    },
    uniqueFields: { job_sites_number_unique: 'number' },
  },
  cost_codes: {
    table: 'cost_codes',
    noun: 'cost code',
    async values(db, p) {
      const site = await idByKey(db, 'job_sites', 'number', p.job_site ?? null)
      if (!site) return { error: `Job site "${p.job_site}" does not exist; import or create it first` }
      return { values: { code: p.code, name: p.name, description: p.description ?? null, job_site_id: site.id } }
    },
    async match(db, p) {
      const site = await idByKey(db, 'job_sites', 'number', p.job_site ?? null)
      const row = await db
        .selectFrom('cost_codes')
        .selectAll()
        .where(lowerEq('code', p.code ?? ''))
        .where(sql<boolean>`coalesce(job_site_id, 0) = ${site?.id ?? 0}`)
        .executeTakeFirst()
      return row ? { id: row.id, label: `${row.code} · ${row.name}`, source_integration: row.source_integration, external_id: row.external_id } : undefined
    },
    keptBecause: async () => null,
    uniqueFields: { cost_codes_code_unique: 'code' },
  },
  departments: {
    table: 'departments',
    noun: 'department',
    values: async (_db, p) => ({ values: { code: p.code, name: p.name } }),
    match: (db, p) => firstMatch(db, 'departments', (r) => `${r.code} · ${r.name}`, [lowerEq('code', p.code ?? '')]),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'employees', 'department_id', id)
      return n > 0 ? `${n} employee(s) belong to it` : null
    },
    uniqueFields: { departments_code_unique: 'code' },
  },
  payroll_items: {
    table: 'payroll_items',
    noun: 'payroll item',
    values: async (_db, p) => ({ values: { name: p.name, description: p.description ?? null } }),
    match: (db, p) => firstMatch(db, 'payroll_items', (r) => r.name, [lowerEq('name', p.name ?? '')]),
    keptBecause: async () => null,
    uniqueFields: { payroll_items_name_unique: 'name' },
  },
}
