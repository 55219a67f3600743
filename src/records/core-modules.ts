import type SQLite from 'better-sqlite3'
import { insertRow, updateRow } from '../db/statements.js'
import type { Permission } from '../auth/permissions.js'

// One definition per core module that an integration can sync, read by the hand-edit forms (their
// uniqueness checks), by IMPORT (which keys find a twin to link, which references to resolve, how
// a row is named) and by the test that holds it against the migrations' unique indexes.

export type CoreTable = 'employees' | 'companies' | 'job_sites' | 'cost_codes' | 'departments' | 'payroll_items'

/**
 * A natural key: unique without case (a lower() unique index), optionally within a scope (a cost
 * code within its job site). A hand edit that repeats one is refused; IMPORT links to its holder.
 */
export type NaturalKey = {
  column: string
  label: string
  /** The column that scopes the key (compared with null as 0). */
  scope?: string
  /** What a hand edit is told when another row (#id) holds the value it entered. */
  taken: (input: Record<string, unknown>, id: number) => string
}

export type CoreModule = {
  table: CoreTable
  /** One record, in messages ("employee"). */
  noun: string
  /** More than one ("employees"). */
  plural: string
  /** The core list's title. */
  title: string
  /** Where its pages live (/employees). */
  path: string
  /** Who may see its records, and who may create and edit them. */
  permissions: { view: Permission; manage: Permission }
  naturalKeys: NaturalKey[]
  /**
   * Values that may name the same thing but that no one keeps unique (an e-mail address shared by
   * an office or a family): IMPORT links a synced record by one only to the one hand-entered record
   * holding it, and flags a value other records hold; nothing refuses a shared one.
   */
  linkKeys?: LinkKey[]
  /** Columns that point at another module's rows, and what a source names them by. */
  references: Record<string, { table: CoreTable; by: string }>
  /** How a row is named in lists, messages and the audit log. */
  label: (row: Record<string, unknown>) => string
  /** Every column IMPORT or a form may write (besides id and timestamps). */
  columns: readonly string[]
}

/** A value IMPORT may link by but never refuses for (see CoreModule.linkKeys). */
export type LinkKey = {
  column: string
  label: string
  /** Stored lower-cased (e-mail addresses): compared as stored. */
  storedLowerCase?: boolean
}

/** One uniqueness check of a hand edit (a natural key), with what the user is told when it fails. */
export type UniqueRule = {
  field: string
  column: string
  value: string | null
  /** Extra equality that scopes the rule (a cost code is unique within its job site). */
  scope?: { column: string; value: string | number | null }
  message: (existing: { id: number }) => string | Promise<string>
}

const SOURCE_COLUMNS = ['source_integration', 'external_id', 'created_at', 'updated_at'] as const

export const CORE_MODULES: Record<CoreTable, CoreModule> = {
  employees: {
    table: 'employees',
    noun: 'employee',
    plural: 'employees',
    title: 'Employees',
    path: '/employees',
    permissions: { view: 'employees.view', manage: 'employees.manage' },
    naturalKeys: [
      { column: 'employee_number', label: 'employee number', taken: (i, id) => `Employee number ${String(i.employee_number)} is already used (#${id})` },
    ],
    linkKeys: [{ column: 'email', label: 'e-mail address', storedLowerCase: true }],
    references: { company_id: { table: 'companies', by: 'name' }, department_id: { table: 'departments', by: 'code' } },
    label: (r) => `${String(r.first_name)} ${String(r.last_name)}${r.employee_number ? ` (${String(r.employee_number)})` : ''}`,
    columns: ['first_name', 'last_name', 'employee_number', 'email', 'phone', 'pay_group', 'status', 'hire_date', 'company_id', 'department_id'],
  },
  companies: {
    table: 'companies',
    noun: 'company',
    plural: 'companies',
    title: 'Companies',
    path: '/companies',
    permissions: { view: 'companies.view', manage: 'companies.manage' },
    naturalKeys: [{ column: 'name', label: 'name', taken: (i, id) => `A company named ${String(i.name)} already exists (#${id})` }],
    references: {},
    label: (r) => String(r.name),
    columns: ['name', 'prefix', 'status'],
  },
  job_sites: {
    table: 'job_sites',
    noun: 'job site',
    plural: 'job sites',
    title: 'Job sites',
    path: '/job-sites',
    permissions: { view: 'job_sites.view', manage: 'job_sites.manage' },
    naturalKeys: [{ column: 'number', label: 'number', taken: (i, id) => `Job site number ${String(i.number)} is already used (#${id})` }],
    // Jobs of different customers share names (Kitchen Remodel): a name links only the one job site entered by hand, never refuses.
    linkKeys: [{ column: 'name', label: 'name' }],
    references: {},
    label: (r) => `${String(r.number)} · ${String(r.name)}`,
    columns: ['number', 'name', 'street', 'city', 'state', 'zip', 'country', 'start_date', 'end_date', 'status'],
  },
  cost_codes: {
    table: 'cost_codes',
    noun: 'cost code',
    plural: 'cost codes',
    title: 'Cost codes',
    path: '/cost-codes',
    permissions: { view: 'cost_codes.view', manage: 'cost_codes.manage' },
    naturalKeys: [
      {
        column: 'code',
        label: 'code',
        scope: 'job_site_id',
        taken: (i, id) => `Cost code ${String(i.code)} already exists ${i.job_site_id ? 'for this job site' : 'as a standard cost code'} (#${id})`,
      },
    ],
    references: { job_site_id: { table: 'job_sites', by: 'number' } },
    label: (r) => `${String(r.code)} · ${String(r.name)}`,
    columns: ['code', 'name', 'description', 'job_site_id'],
  },
  departments: {
    table: 'departments',
    noun: 'department',
    plural: 'departments',
    title: 'Departments',
    path: '/departments',
    permissions: { view: 'departments.view', manage: 'departments.manage' },
    naturalKeys: [{ column: 'code', label: 'code', taken: (i, id) => `Department code ${String(i.code)} is already used (#${id})` }],
    references: {},
    label: (r) => `${String(r.code)} · ${String(r.name)}`,
    columns: ['code', 'name'],
  },
  payroll_items: {
    table: 'payroll_items',
    noun: 'payroll item',
    plural: 'payroll items',
    title: 'Payroll items',
    path: '/payroll-items',
    permissions: { view: 'payroll.view', manage: 'pay_ids.manage' },
    naturalKeys: [{ column: 'name', label: 'name', taken: (i, id) => `A payroll item named ${String(i.name)} already exists (#${id})` }],
    references: {},
    label: (r) => String(r.name),
    columns: ['name', 'description'],
  },
}

const writable = new Map<CoreTable, Set<string>>()

/** Refuses a column the module does not let a sync write (it owns its table). */
export function checkedColumns(module: CoreModule, values: Record<string, unknown>): void {
  let columns = writable.get(module.table)
  if (!columns) writable.set(module.table, (columns = new Set([...module.columns, ...SOURCE_COLUMNS])))
  for (const column of Object.keys(values)) if (!columns.has(column)) throw new Error(`${module.table} has no column ${column} that a sync may write`)
}

/**
 * Writes one synced core row (a new one, or over `id`) on the IMPORT's connection, inside the
 * transaction the caller holds there. The core module owns its table: only its columns are written.
 */
export function writeSyncedRow(sqlite: SQLite.Database, module: CoreModule, values: Record<string, unknown>, id?: number): number {
  checkedColumns(module, values)
  if (id === undefined) return insertRow(sqlite, module.table, values)
  updateRow(sqlite, module.table, id, values)
  return id
}

/** A column as a person reads it: company_id as Company, hire_date as Hire date. */
export function columnLabel(column: string): string {
  const words = column.replace(/_id$/, '').replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The field a source names a column by: a reference column by the referenced record's name (company_id by company). */
export const fieldOfColumn = (module: CoreModule, column: string): string => (column in module.references ? column.replace(/_id$/, '') : column)

/**
 * The columns a sync source owns on the records it feeds: those its fields write (null: it sends
 * every field of the module). IMPORT writes only these over an existing record; the form shows
 * them read-only. A field the source does not send stays the admin's.
 */
export function ownedColumns(module: CoreModule, sentFields: readonly string[] | null): string[] {
  return sentFields === null ? [...module.columns] : module.columns.filter((c) => sentFields.includes(fieldOfColumn(module, c)))
}

/** The uniqueness checks of a hand edit: one per natural key, each with its message. */
export function uniqueRules(module: CoreModule, input: Record<string, unknown>): UniqueRule[] {
  return module.naturalKeys.map((key) => ({
    field: key.column,
    column: key.column,
    value: (input[key.column] as string | null | undefined) ?? null,
    scope: key.scope ? { column: key.scope, value: (input[key.scope] as number | null | undefined) ?? null } : undefined,
    message: ({ id }: { id: number }) => key.taken(input, id),
  }))
}

/** What the record pages (list, detail, form) take from the definition: table, URL, names and permissions. */
export const recordIdentity = (m: CoreModule) => ({
  table: m.table,
  basePath: m.path,
  noun: { one: m.noun, many: m.plural, title: m.title },
  permissions: m.permissions,
})
