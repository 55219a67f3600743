import type { AppDeps } from '../http/app-env.js'
import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import { connectorContext } from '../integrations/connector-context.js'
import { MODULES, normalizeRecord, type ModuleId, type StagedPayload } from '../connectors/kit/records.js'

// Publishing to an integration that is not the sync source needs that platform's ids for the
// employees, job sites, cost codes, departments and payroll items a line names. Matching reads the
// target's lists (through the connector, without staging them) and links each record to the one
// with the same natural key: employee number, then email, then a unique full name; job site number;
// cost code within its job site; department code; payroll item name.

export const LINKED_MODULES = ['employees', 'job_sites', 'cost_codes', 'departments', 'payroll_items'] as const satisfies readonly ModuleId[]
type LinkedModule = (typeof LINKED_MODULES)[number]

export type MatchResult = { module: ModuleId; matched: number; unmatched: string[] }

type CoreRow = { id: number; label: string; keys: [string, string][] }

const lower = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : null)

/** Our records that are not the target's own, each with its natural keys in the order they are tried. */
async function coreRows(db: Db, target: string, module: LinkedModule): Promise<CoreRow[]> {
  const notTarget = <T extends { source_integration: string | null }>(rows: T[]) => rows.filter((r) => r.source_integration !== target)
  const keys = (...pairs: [string, unknown][]) => pairs.flatMap(([k, v]) => (lower(v) ? [[k, lower(v)!] as [string, string]] : []))
  switch (module) {
    case 'employees':
      return notTarget(
        await db.selectFrom('employees').select(['id', 'employee_number', 'email', 'first_name', 'last_name', 'source_integration']).execute(),
      ).map((r) => ({
        id: r.id,
        label: `${r.first_name} ${r.last_name}`,
        keys: keys(['employee number', r.employee_number], ['email', r.email], ['name', `${r.first_name} ${r.last_name}`]),
      }))
    case 'job_sites':
      return notTarget(await db.selectFrom('job_sites').select(['id', 'number', 'source_integration']).execute()).map((r) => ({
        id: r.id,
        label: `Job site ${r.number}`,
        keys: keys(['number', r.number]),
      }))
    case 'cost_codes': {
      const sites = new Map((await db.selectFrom('job_sites').select(['id', 'number']).execute()).map((s) => [s.id, s.number]))
      return notTarget(await db.selectFrom('cost_codes').select(['id', 'code', 'job_site_id', 'source_integration']).execute()).map((r) => ({
        id: r.id,
        label: `Cost code ${r.code}`,
        keys: keys(['code', `${r.code}|${r.job_site_id ? (sites.get(r.job_site_id) ?? '') : ''}`]),
      }))
    }
    case 'departments':
      return notTarget(await db.selectFrom('departments').select(['id', 'code', 'source_integration']).execute()).map((r) => ({
        id: r.id,
        label: `Department ${r.code}`,
        keys: keys(['code', r.code]),
      }))
    case 'payroll_items':
      return notTarget(await db.selectFrom('payroll_items').select(['id', 'name', 'source_integration']).execute()).map((r) => ({
        id: r.id,
        label: `Payroll item ${r.name}`,
        keys: keys(['name', r.name]),
      }))
  }
}

/** The same keys, from a record of the target. */
function targetKeys(module: LinkedModule, p: StagedPayload): [string, string][] {
  const pairs: [string, unknown][] =
    module === 'employees'
      ? [
          ['employee number', p.employee_number],
          ['email', p.email],
          ['name', `${p.first_name ?? ''} ${p.last_name ?? ''}`],
        ]
      : module === 'job_sites'
        ? [['number', p.number]]
        : module === 'cost_codes'
          ? [['code', `${p.code ?? ''}|${p.job_site ?? ''}`]]
          : module === 'departments'
            ? [['code', p.code]]
            : [['name', p.name]]
  return pairs.flatMap(([k, v]) => (lower(v) ? [[k, lower(v)!] as [string, string]] : []))
}

/** A target whose lists can be read on demand (an API, not uploaded files) can be matched. */
export const canMatch = (connector: AnyConnector) => !!connector.pull && !connector.upload

/** Reads the target's lists and links what matches; a key two records share on either side links neither. */
export async function matchTargetRecords(
  deps: Pick<AppDeps, 'db' | 'config' | 'logger'>,
  actor: Actor,
  connector: AnyConnector,
): Promise<{ ok: true; results: MatchResult[] } | { ok: false; message: string }> {
  if (!canMatch(connector) || !connector.pull)
    return { ok: false, message: `${connector.name} cannot be read on demand; its records are linked when they are imported from it.` }
  const modules = LINKED_MODULES.filter((m) => connector.syncModules.includes(m))
  const log = deps.logger.child({ target: connector.id, event_group: 'match' })
  const found = new Map<LinkedModule, { externalId: string; keys: [string, string][] }[]>()
  try {
    const ctx = await connectorContext(deps, connector, AbortSignal.timeout(10 * 60_000), log, 'full')
    for (const module of modules) {
      const records: { externalId: string; keys: [string, string][] }[] = []
      for await (const page of connector.pull(module, ctx)) {
        for (const r of page.records) {
          const normalized = normalizeRecord(MODULES[module], r.data)
          if ('payload' in normalized) records.push({ externalId: r.externalId, keys: targetKeys(module, normalized.payload) })
        }
      }
      found.set(module, records)
    }
  } catch (err) {
    return { ok: false, message: `Could not read ${connector.name}: ${(err as Error).message}` }
  }
  const results: MatchResult[] = []
  await deps.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    for (const module of modules) {
      const ours = await coreRows(trx, connector.id, module)
      const theirs = found.get(module) ?? []
      const index = (rows: { keys: [string, string][] }[]) => {
        const counts = new Map<string, number>()
        for (const r of rows) for (const [k, v] of r.keys) counts.set(`${k}=${v}`, (counts.get(`${k}=${v}`) ?? 0) + 1)
        return counts
      }
      const ourCounts = index(ours)
      const theirByKey = new Map<string, string>()
      const theirCounts = index(theirs)
      for (const t of theirs) for (const [k, v] of t.keys) if (theirCounts.get(`${k}=${v}`) === 1) theirByKey.set(`${k}=${v}`, t.externalId)
      await trx.deleteFrom('publish_links').where('integration', '=', connector.id).where('module', '=', module).execute()
      const taken = new Set<string>()
      const result: MatchResult = { module, matched: 0, unmatched: [] }
      for (const row of ours) {
        const hit = row.keys
          .map(([k, v]) => ({ by: k, id: ourCounts.get(`${k}=${v}`) === 1 ? theirByKey.get(`${k}=${v}`) : undefined }))
          .find((h) => h.id && !taken.has(h.id))
        if (!hit?.id) {
          result.unmatched.push(row.label)
          continue
        }
        taken.add(hit.id)
        await trx
          .insertInto('publish_links')
          .values({ integration: connector.id, module, core_id: row.id, external_id: hit.id, matched_by: hit.by, created_at: now })
          .execute()
        result.matched++
      }
      results.push(result)
    }
    const summary = results.map((r) => `${r.matched} ${MODULES[r.module].label.toLowerCase()}`).join(', ')
    await recordAudit(trx, actor, {
      action: 'payroll.match_target',
      entityType: 'integration',
      entityId: connector.id,
      summary: `Matched records with ${connector.name}: ${summary}`,
    })
  })
  return { ok: true, results }
}

/** The target's id for each linked record, by module and core id. */
export async function publishLinks(db: Db, target: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('publish_links').select(['module', 'core_id', 'external_id']).where('integration', '=', target).execute()
  return new Map(rows.map((r) => [`${r.module}:${r.core_id}`, r.external_id]))
}
