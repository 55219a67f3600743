import { isCalendarDate } from '../../lib/dates.js'
import { z } from 'zod'

// The six modules an integration can sync, and the fields a connector hands the hub for each. A
// connector maps its platform's records onto these fields; the hub validates, hashes, stages and
// imports them. Only these fields count for change detection: anything else a connector sends
// (timestamps, sync tokens) is volatile and ignored.

export const MODULE_IDS = ['employees', 'companies', 'job_sites', 'cost_codes', 'departments', 'payroll_items'] as const
export type ModuleId = (typeof MODULE_IDS)[number]

export function isModuleId(value: string): value is ModuleId {
  return (MODULE_IDS as readonly string[]).includes(value)
}

export type FieldSpec = {
  key: string
  label: string
  required?: boolean
  kind?: 'text' | 'date' | 'enum'
  /** Accepted values for an enum, each with the spellings platforms use for it. */
  options?: Record<string, string[]>
  max?: number
}

export type ModuleSpec = {
  id: ModuleId
  label: string
  /** One record of it, as a column heading ("Company"). */
  one: string
  /** Path segment of the module's tab and of its core list. */
  slug: string
  corePath: string
  fields: FieldSpec[]
  /** Fields that make the label shown in the staging table. */
  label_of: (p: Record<string, string | null>) => string
}

const ACTIVE_STATUS = { active: ['active', 'a', 'yes', 'true', '1', 'enabled'], disabled: ['disabled', 'inactive', 'i', 'no', 'false', '0', 'terminated'] }

export const MODULES: Record<ModuleId, ModuleSpec> = {
  employees: {
    id: 'employees',
    label: 'Employees',
    one: 'Employee',
    slug: 'employees',
    corePath: '/employees',
    fields: [
      { key: 'employee_number', label: 'Employee number', max: 50 },
      { key: 'first_name', label: 'First name', required: true, max: 100 },
      { key: 'last_name', label: 'Last name', required: true, max: 100 },
      { key: 'email', label: 'Email', max: 254 },
      { key: 'phone', label: 'Phone', max: 40 },
      { key: 'pay_group', label: 'Pay group', kind: 'enum', options: { HOURLY: ['hourly', 'h'], SALARY: ['salary', 'salaried', 's'] } },
      { key: 'status', label: 'Status', kind: 'enum', options: ACTIVE_STATUS },
      { key: 'hire_date', label: 'Hire date', kind: 'date' },
      { key: 'company', label: 'Company (name)', max: 150 },
      { key: 'department', label: 'Department (code)', max: 159 },
    ],
    label_of: (p) => `${p.last_name ?? ''}, ${p.first_name ?? ''}${p.employee_number ? ` (${p.employee_number})` : ''}`,
  },
  companies: {
    id: 'companies',
    label: 'Companies',
    one: 'Company',
    slug: 'companies',
    corePath: '/companies',
    fields: [
      { key: 'name', label: 'Name', required: true, max: 150 },
      { key: 'prefix', label: 'Prefix', max: 20 },
      { key: 'status', label: 'Status', kind: 'enum', options: ACTIVE_STATUS },
    ],
    label_of: (p) => p.name ?? '',
  },
  job_sites: {
    id: 'job_sites',
    label: 'Job sites',
    one: 'Job site',
    slug: 'job-sites',
    corePath: '/job-sites',
    fields: [
      { key: 'number', label: 'Number', required: true, max: 209 },
      { key: 'name', label: 'Name', required: true, max: 150 },
      { key: 'street', label: 'Street', max: 200 },
      { key: 'city', label: 'City', max: 100 },
      { key: 'state', label: 'State', max: 50 },
      { key: 'zip', label: 'ZIP', max: 20 },
      { key: 'country', label: 'Country (2 letters)', max: 2 },
      { key: 'start_date', label: 'Start date', kind: 'date' },
      { key: 'end_date', label: 'End date', kind: 'date' },
      {
        key: 'status',
        label: 'Status',
        kind: 'enum',
        options: { active: ACTIVE_STATUS.active, archived: ['archived', 'closed', 'complete', 'completed'], disabled: ACTIVE_STATUS.disabled },
      },
    ],
    label_of: (p) => `${p.number ?? ''} · ${p.name ?? ''}`,
  },
  cost_codes: {
    id: 'cost_codes',
    label: 'Cost codes',
    one: 'Cost code',
    slug: 'cost-codes',
    corePath: '/cost-codes',
    fields: [
      { key: 'code', label: 'Code', required: true, max: 159 },
      { key: 'name', label: 'Name', required: true, max: 150 },
      { key: 'description', label: 'Description', max: 500 },
      { key: 'job_site', label: 'Job site (number)', max: 209 },
    ],
    label_of: (p) => `${p.code ?? ''} · ${p.name ?? ''}${p.job_site ? ` (job ${p.job_site})` : ''}`,
  },
  departments: {
    id: 'departments',
    label: 'Departments',
    one: 'Department',
    slug: 'departments',
    corePath: '/departments',
    fields: [
      { key: 'code', label: 'Code', required: true, max: 159 },
      { key: 'name', label: 'Name', required: true, max: 150 },
    ],
    label_of: (p) => `${p.code ?? ''} · ${p.name ?? ''}`,
  },
  payroll_items: {
    id: 'payroll_items',
    label: 'Payroll items',
    one: 'Payroll item',
    slug: 'payroll-items',
    corePath: '/payroll-items',
    fields: [
      { key: 'name', label: 'Name', required: true, max: 100 },
      { key: 'description', label: 'Description', max: 300 },
    ],
    label_of: (p) => p.name ?? '',
  },
}

/** The fields of a module a connector sends (its `sends`, read with its saved values), all of them unless it says otherwise. */
export function fieldsSent(
  sends:
    Partial<Record<ModuleId, readonly string[]>> | ((module: ModuleId, state: Readonly<Record<string, string>>) => readonly string[] | undefined) | undefined,
  module: ModuleId,
  state: Readonly<Record<string, string>> = {},
): readonly string[] {
  const sent = typeof sends === 'function' ? sends(module, state) : sends?.[module]
  return sent ?? MODULES[module].fields.map((f) => f.key)
}

/** Every field of the module but these: how a connector declares the few its platform does not have. */
export function fieldsExcept(module: ModuleId, ...missing: string[]): readonly string[] {
  for (const key of missing) if (!MODULES[module].fields.some((f) => f.key === key)) throw new Error(`${module} has no field ${key}`)
  return MODULES[module].fields.map((f) => f.key).filter((key) => !missing.includes(key))
}

export function moduleBySlug(slug: string): ModuleSpec | undefined {
  return Object.values(MODULES).find((m) => m.slug === slug)
}

export type StagedPayload = Record<string, string | null>

export type FieldError = { field: string; message: string }

/**
 * Normalises a connector's record to the module's fields: strings trimmed, blanks null, enums to
 * their canonical value, dates checked. Returns the payload, with every field in the module's order
 * (so its JSON is canonical), or the errors naming each field.
 */
export function normalizeRecord(module: ModuleSpec, data: Record<string, unknown>): { payload: StagedPayload } | { errors: FieldError[] } {
  const payload: StagedPayload = {}
  const errors: FieldError[] = []
  for (const f of module.fields) {
    const raw = data[f.key]
    let value =
      raw === undefined || raw === null
        ? null
        : typeof raw === 'string'
          ? raw.trim()
          : raw instanceof Date
            ? raw.toISOString().slice(0, 10)
            : String(raw).trim()
    if (value === '') value = null
    if (value === null) {
      if (f.required) errors.push({ field: f.key, message: `${f.label} is required` })
      payload[f.key] = null
      continue
    }
    if (f.kind === 'enum' && f.options) {
      const canonical = spellingsOf(f).get(value.toLowerCase())
      if (!canonical) {
        errors.push({ field: f.key, message: `${f.label} "${value}" is not one of: ${Object.keys(f.options).join(', ')}` })
        continue
      }
      value = canonical
    }
    if (f.kind === 'date' && !isCalendarDate(value)) {
      errors.push({ field: f.key, message: `${f.label} "${value}" is not a date (YYYY-MM-DD)` })
      continue
    }
    if (f.max && value.length > f.max) {
      errors.push({ field: f.key, message: `${f.label} is longer than ${f.max} characters` })
      continue
    }
    payload[f.key] = value
  }
  return errors.length > 0 ? { errors } : { payload }
}

const spellingMaps = new WeakMap<FieldSpec, Map<string, string>>()
/** Every accepted spelling of an enum field, lower-cased, to its canonical value (built once per field). */
function spellingsOf(f: FieldSpec): Map<string, string> {
  let map = spellingMaps.get(f)
  if (!map) {
    map = new Map()
    for (const [canonical, spellings] of Object.entries(f.options ?? {})) {
      map.set(canonical.toLowerCase(), canonical)
      for (const s of spellings) map.set(s, canonical)
    }
    spellingMaps.set(f, map)
  }
  return map
}

/** The same payload always serialises the same way: fields in the module's order, nothing else. */
export function canonicalJson(module: ModuleSpec, payload: StagedPayload): string {
  const ordered: StagedPayload = {}
  for (const f of module.fields) ordered[f.key] = payload[f.key] ?? null
  return JSON.stringify(ordered)
}

export const externalIdSchema = z.string().trim().min(1).max(200)
