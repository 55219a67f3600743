import type { CoreRow } from './staging-store.js'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { ModuleId, StagedPayload } from '../connectors/kit/records.js'

// How a staged payload becomes a row of a core module: the values written, the natural keys that
// find a hand-entered twin to link instead of duplicating (they are also the module's unique
// indexes), and why a created row must be kept on undo.

export type CoreTable = 'employees' | 'companies' | 'job_sites' | 'cost_codes' | 'departments' | 'payroll_items'

export type CoreMatch = { id: number; label: string; source_integration: string | null; external_id: string | null }

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL on purpose
const BEYOND_ASCII = /[^\u0000-\u007f]/

/**
 * A natural-key value as the unique indexes compare it: SQLite's lower() folds A-Z only, so "É" and
 * "é" are two values to the database and must be two values here too.
 */
export const keyLower = (value: string): string =>
  BEYOND_ASCII.test(value) ? value.replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase()) : value.toLowerCase()

/** Ids of the records other modules refer to by name, code or number, loaded once per batch. */
export class References {
  private constructor(private readonly maps: Record<'companies' | 'departments' | 'job_sites', Map<string, number>>) {}

  static async load(db: Db): Promise<References> {
    const map = async (table: 'companies' | 'departments' | 'job_sites', column: string) =>
      new Map(
        (
          await db
            .selectFrom(table)
            .select(['id', sql<string>`lower(${sql.ref(column)})`.as('k')])
            .execute()
        ).map((r) => [r.k, r.id]),
      )
    return new References({
      companies: await map('companies', 'name'),
      departments: await map('departments', 'code'),
      job_sites: await map('job_sites', 'number'),
    })
  }

  /** undefined: no value given; null: a value that names nothing. */
  id(table: 'companies' | 'departments' | 'job_sites', value: string | null | undefined): number | null | undefined {
    if (!value) return undefined
    return this.maps[table].get(keyLower(value)) ?? null
  }
}

/** A natural key: a column compared without case, optionally within a scope (a cost code's job site). */
export type NaturalKey = { column: string; label: string; value: (p: StagedPayload) => string | null; scoped?: boolean }

export type CoreAdapter = {
  table: CoreTable
  noun: string
  /** The core list's title, for messages that send the admin there. */
  moduleTitle: string
  keys: NaturalKey[]
  /** The scope value of scoped keys: the cost code's job site id (0 for standard). */
  scope?: (p: StagedPayload, refs: References) => number
  label: (row: CoreRow) => string
  /** Values for the core row, or a message when a reference cannot be resolved. */
  values: (p: StagedPayload, ctx: { defaultCountry: string; refs: References }) => { values: Record<string, unknown> } | { error: string }
  /** Why a created record cannot be removed by an undo (other records refer to it), or null. */
  keptBecause: (db: Db, id: number) => Promise<string | null>
}

async function countRefs(db: Db, table: 'employees' | 'cost_codes', column: string, id: number): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql.ref(column), '=', id)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

const missing = (what: string, value: string | null | undefined) => `${what} "${value}" does not exist; import or create it first`

export const CORE_ADAPTERS: Record<ModuleId, CoreAdapter> = {
  employees: {
    table: 'employees',
    noun: 'employee',
    moduleTitle: 'Employees',
    keys: [
      { column: 'employee_number', label: 'employee number', value: (p) => p.employee_number ?? null },
      // Compared as stored: emails are kept lower-cased (below, and by the employee form).
      { column: 'email', label: 'email', value: (p) => p.email?.toLowerCase() ?? null },
    ],
    label: (r) => `${r.first_name} ${r.last_name}${r.employee_number ? ` (${r.employee_number})` : ''}`,
    values(p, { refs }) {
      const company = refs.id('companies', p.company)
      if (company === null) return { error: missing('Company', p.company) }
      const department = refs.id('departments', p.department)
      if (department === null) return { error: missing('Department', p.department) }
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
          company_id: company ?? null,
          department_id: department ?? null,
        },
      }
    },
    keptBecause: async () => null,
  },
  companies: {
    table: 'companies',
    noun: 'company',
    moduleTitle: 'Companies',
    keys: [{ column: 'name', label: 'name', value: (p) => p.name ?? null }],
    label: (r) => String(r.name),
    values: (p) => ({ values: { name: p.name, prefix: p.prefix ?? null, status: p.status ?? 'active' } }),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'employees', 'company_id', id)
      return n > 0 ? `${n} employee(s) belong to it` : null
    },
  },
  job_sites: {
    table: 'job_sites',
    noun: 'job site',
    moduleTitle: 'Job sites',
    keys: [{ column: 'number', label: 'number', value: (p) => p.number ?? null }],
    label: (r) => `${r.number} · ${r.name}`,
    values: (p, ctx) => ({
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
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'cost_codes', 'job_site_id', id)
      return n > 0 ? `${n} cost code(s) belong to it` : null
    },
  },
  cost_codes: {
    table: 'cost_codes',
    noun: 'cost code',
    moduleTitle: 'Cost codes',
    keys: [{ column: 'code', label: 'code', value: (p) => p.code ?? null, scoped: true }],
    scope: (p, refs) => refs.id('job_sites', p.job_site) ?? 0,
    label: (r) => `${r.code} · ${r.name}`,
    values(p, { refs }) {
      const site = refs.id('job_sites', p.job_site)
      if (site === null) return { error: missing('Job site', p.job_site) }
      return { values: { code: p.code, name: p.name, description: p.description ?? null, job_site_id: site ?? null } }
    },
    keptBecause: async () => null,
  },
  departments: {
    table: 'departments',
    noun: 'department',
    moduleTitle: 'Departments',
    keys: [{ column: 'code', label: 'code', value: (p) => p.code ?? null }],
    label: (r) => `${r.code} · ${r.name}`,
    values: (p) => ({ values: { code: p.code, name: p.name } }),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'employees', 'department_id', id)
      return n > 0 ? `${n} employee(s) belong to it` : null
    },
  },
  payroll_items: {
    table: 'payroll_items',
    noun: 'payroll item',
    moduleTitle: 'Payroll items',
    keys: [{ column: 'name', label: 'name', value: (p) => p.name ?? null }],
    label: (r) => String(r.name),
    values: (p) => ({ values: { name: p.name, description: p.description ?? null } }),
    keptBecause: async () => null,
  },
}
