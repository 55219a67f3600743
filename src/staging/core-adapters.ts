import type { CoreRow } from './staging-store.js'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { caseFolding } from '../db/dialect.js'
import type { ModuleId, StagedPayload } from '../connectors/kit/records.js'
import { CORE_MODULES, type CoreModule, type CoreTable } from '../records/core-modules.js'

// How a staged payload becomes a row of a core module: the values written, and why a created row
// must be kept on undo. The table, its natural keys (that find a hand-entered twin to link instead
// of duplicating), its name and label come from the module's one definition (src/records/core-modules.ts).

export type CoreMatch = { id: number; label: string; source_integration: string | null; external_id: string | null }

/** Ids of the records other modules refer to by name, code or number, loaded once per batch. */
export class References {
  private constructor(
    private readonly maps: Map<CoreTable, Map<string, number>>,
    private readonly fold: (value: string) => string,
  ) {}

  /** Every table some module refers to, by the column its definition names (src/records/core-modules.ts). */
  static async load(db: Db): Promise<References> {
    const targets = new Map<CoreTable, string>()
    for (const m of Object.values(CORE_MODULES)) for (const r of Object.values(m.references)) targets.set(r.table, r.by)
    const maps = new Map<CoreTable, Map<string, number>>()
    for (const [table, column] of targets) {
      const rows = await db
        .selectFrom(table)
        .select(['id', sql<string>`lower(${sql.ref(column)})`.as('k')])
        .execute()
      maps.set(table, new Map(rows.map((r) => [r.k, r.id])))
    }
    return new References(maps, caseFolding(db))
  }

  /** undefined: no value given; null: a value that names nothing. */
  id(table: CoreTable, value: string | null | undefined): number | null | undefined {
    if (!value) return undefined
    return this.maps.get(table)?.get(this.fold(value)) ?? null
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
  /** Values it may link a hand-entered record by, never refuse for (CoreModule.linkKeys). */
  linkKeys: NaturalKey[]
  /** The scope value of scoped keys: the cost code's job site id (0 for standard). */
  scope?: (p: StagedPayload, refs: References) => number
  label: (row: CoreRow) => string
  /** Values for the core row, or a message when a reference cannot be resolved (and which record it names). */
  values: (p: StagedPayload, ctx: { defaultCountry: string; refs: References }) => { values: Record<string, unknown> } | Unresolved
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

/** A reference to a record that does not exist (yet): the module it belongs to and the value it is named by. */
export type MissingReference = { module: ModuleId; value: string }
export type Unresolved = { error: string; missing: MissingReference }

const missing = (what: string, module: ModuleId, value: string | null | undefined): Unresolved => ({
  error: `${what} "${value}" does not exist; import or create it first`,
  missing: { module, value: value ?? '' },
})

/** What IMPORT takes from the module's one definition: its table, names, natural keys and label. */
function fromDefinition(m: CoreModule): Pick<CoreAdapter, 'table' | 'noun' | 'moduleTitle' | 'keys' | 'linkKeys' | 'label'> {
  // A source names the key by the same field as the column; a key stored lower-cased is compared as stored.
  const valueOf = (k: { column: string; storedLowerCase?: boolean }) => (p: StagedPayload) => {
    const value = (p as Record<string, string | null | undefined>)[k.column] ?? null
    return value && k.storedLowerCase ? value.toLowerCase() : value
  }
  return {
    table: m.table,
    noun: m.noun,
    moduleTitle: m.title,
    keys: m.naturalKeys.map((k) => ({ column: k.column, label: k.label, scoped: !!k.scope, value: valueOf(k) })),
    linkKeys: (m.linkKeys ?? []).map((k) => ({ column: k.column, label: k.label, value: valueOf(k) })),
    label: m.label,
  }
}

export const CORE_ADAPTERS: Record<ModuleId, CoreAdapter> = {
  employees: {
    ...fromDefinition(CORE_MODULES.employees),
    values(p, { refs }) {
      const company = refs.id('companies', p.company)
      if (company === null) return missing('Company', 'companies', p.company)
      const department = refs.id('departments', p.department)
      if (department === null) return missing('Department', 'departments', p.department)
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
    ...fromDefinition(CORE_MODULES.companies),
    values: (p) => ({ values: { name: p.name, prefix: p.prefix ?? null, status: p.status ?? 'active' } }),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'employees', 'company_id', id)
      return n > 0 ? `${n} employee(s) belong to it` : null
    },
  },
  job_sites: {
    ...fromDefinition(CORE_MODULES.job_sites),
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
    ...fromDefinition(CORE_MODULES.cost_codes),
    scope: (p, refs) => refs.id('job_sites', p.job_site) ?? 0,
    values(p, { refs }) {
      const site = refs.id('job_sites', p.job_site)
      if (site === null) return missing('Job site', 'job_sites', p.job_site)
      return { values: { code: p.code, name: p.name, description: p.description ?? null, job_site_id: site ?? null } }
    },
    keptBecause: async () => null,
  },
  departments: {
    ...fromDefinition(CORE_MODULES.departments),
    values: (p) => ({ values: { code: p.code, name: p.name } }),
    keptBecause: async (db, id) => {
      const n = await countRefs(db, 'employees', 'department_id', id)
      return n > 0 ? `${n} employee(s) belong to it` : null
    },
  },
  payroll_items: {
    ...fromDefinition(CORE_MODULES.payroll_items),
    values: (p) => ({ values: { name: p.name, description: p.description ?? null } }),
    keptBecause: async () => null,
  },
}
