import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { ModuleId, ModuleSpec } from '../connectors/kit/records.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import type { Db } from '../db/database.js'

// The schedule of each module's sync (a cron expression in a time zone, and whether new or updated
// records are imported by themselves afterwards), as the Setup tab saves it.

export type ScheduleInput = { cron: string | null; time_zone: string; auto_import_new: number; auto_import_updated: number }

export function getSchedule(db: Db, integration: string, module: ModuleId) {
  return db.selectFrom('sync_schedules').selectAll().where('integration', '=', integration).where('module', '=', module).executeTakeFirst()
}

/** Saves one module's schedule and audits it, in one transaction; the caller reloads the scheduler. */
export async function saveSchedule(db: Db, actor: Actor, connector: AnyConnector, module: ModuleSpec, input: ScheduleInput): Promise<void> {
  const row = { ...input, updated_at: new Date().toISOString() }
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sync_schedules')
      .values({ integration: connector.id, module: module.id, ...row })
      .onConflict((oc) => oc.columns(['integration', 'module']).doUpdateSet(row))
      .execute()
    await recordAudit(trx, actor, {
      action: 'integration.schedule',
      entityType: 'integration',
      entityId: connector.id,
      summary: `${row.cron ? `Scheduled ${module.label} at "${row.cron}" (${row.time_zone})` : `Turned off the schedule of ${module.label}`} for ${connector.name}`,
      after: row,
    })
  })
}
