import { systemActor } from '../audit/audit-log.js'
import { MODULES, isModuleId } from '../connectors/kit/records.js'
import { runImport } from './import-service.js'
import { ownedByNow } from './field-conflicts.js'
import { inScope } from './staging-queries.js'
import type { HubDeps } from './sync-runs.js'

/**
 * After a scheduled run completes, IMPORT what its schedule asks for (New and/or Updated records).
 * Called by the scheduler for runs it waits for, and by agent connectors when they complete one.
 */
export async function autoImportAfterRun(deps: HubDeps, runId: number): Promise<void> {
  const run = await deps.db.selectFrom('sync_runs').select(['integration', 'module', 'status', 'trigger']).where('id', '=', runId).executeTakeFirst()
  if (!run || run.trigger !== 'schedule' || !(run.status === 'succeeded' || run.status === 'partial') || !isModuleId(run.module)) return
  const { integration, module } = run
  const schedule = await deps.db.selectFrom('sync_schedules').selectAll().where('integration', '=', integration).where('module', '=', module).executeTakeFirst()
  const statuses = [...(schedule?.auto_import_new ? ['new' as const] : []), ...(schedule?.auto_import_updated ? ['updated' as const] : [])]
  if (statuses.length === 0) return
  const ids = (await deps.db.selectFrom('staged_records').select('id').where(inScope(integration, module)).where('status', 'in', statuses).execute()).map(
    (r) => r.id,
  )
  if (ids.length === 0) return
  const connector = deps.connectors.find((c) => c.id === integration)
  if (!connector) return
  const result = await runImport(deps, systemActor('scheduler'), {
    integration,
    integrationName: connector.name,
    module,
    ids,
    owned: await ownedByNow(deps.db, connector, module),
    trigger: 'auto',
    defaultTimeZone: deps.config.timeZone,
  })
  deps.logger.child({ runId }).info(
    {
      event: 'auto_import',
      module: MODULES[module].label,
      created: result.created,
      updated: result.updated,
      linked: result.linked,
      failed: result.failed.length,
      held: result.held.length,
      warnings: result.warnings.length,
    },
    'auto-import finished',
  )
}
