import { sql, type Expression, type SqlBool } from 'kysely'
import type { Db } from '../db/database.js'

/** The Synced status filter: Manual, Synced, or one integration by id. */
export const SYNCED_ALL = ''
export const SYNCED_MANUAL = 'manual'
export const SYNCED_ANY = 'synced'
const INTEGRATION_PREFIX = 'integration:'

export function syncedFilterValues(integrations: readonly string[]): string[] {
  return [SYNCED_MANUAL, SYNCED_ANY, ...integrations.map((id) => INTEGRATION_PREFIX + id)]
}

export function syncedFilterOptions(integrations: readonly string[]): { value: string; label: string }[] {
  return [
    { value: SYNCED_ALL, label: 'Any synced status' },
    { value: SYNCED_MANUAL, label: 'Manual' },
    { value: SYNCED_ANY, label: 'Synced (any integration)' },
    ...integrations.map((id) => ({ value: INTEGRATION_PREFIX + id, label: `Synced from ${integrationLabel(id)}` })),
  ]
}

/** A where-clause for the filter value, on a table with a source_integration column. */
export function syncedCondition(column: string, value: string | undefined): Expression<SqlBool> | null {
  if (!value) return null
  if (value === SYNCED_MANUAL) return sql<SqlBool>`${sql.ref(column)} is null`
  if (value === SYNCED_ANY) return sql<SqlBool>`${sql.ref(column)} is not null`
  if (value.startsWith(INTEGRATION_PREFIX)) return sql<SqlBool>`${sql.ref(column)} = ${value.slice(INTEGRATION_PREFIX.length)}`
  return null
}

/** What the Synced status cell says: "Manual" or the integration the record came from. */
export function syncedStatusLabel(sourceIntegration: string | null): string {
  return sourceIntegration ? integrationLabel(sourceIntegration) : 'Manual'
}

// Integrations register their display names here once the hub exists; until then the id is shown.
const names = new Map<string, string>()
export function registerIntegrationName(id: string, name: string): void {
  names.set(id, name)
}
function integrationLabel(id: string): string {
  return names.get(id) ?? id
}

/** The integrations that fed at least one row of a table, for the filter's options. */
export async function sourcesInTable(
  db: Db,
  table: 'employees' | 'companies' | 'job_sites' | 'cost_codes' | 'departments' | 'payroll_items',
): Promise<string[]> {
  const rows = await db
    .selectFrom(table)
    .select(sql<string>`source_integration`.as('source'))
    .distinct()
    .where(sql.ref('source_integration'), 'is not', null)
    .execute()
  return rows.map((r) => r.source).sort()
}
