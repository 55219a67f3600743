import { createHash } from 'node:crypto'
import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import { connectorSettings } from '../integrations/integration-service.js'
import { buildLines, type PublishCheck } from './publish-service.js'
import type { Period } from './pay-periods.js'
import type { PeriodSummary } from './period-service.js'
import type { PayrollSettings } from './payroll-settings.js'

// A target that takes payroll as a file (Sage 300 CRE's Import Time): the file is made from the same
// lines and checks as direct publishing, plus the target's own, and every export is recorded so a
// period handed over twice is noticed first.

export type FileExport = Awaited<ReturnType<typeof fileExports>>[number]

export function fileExports(db: Db, target: string, period: Period) {
  return db.selectFrom('payroll_file_exports').selectAll().where('target', '=', target).where('period_start', '=', period.start).orderBy('id', 'desc').execute()
}

export type ExportResult =
  | { ok: true; filename: string; content: string; lines: number; checksum: string }
  | { ok: false; check: PublishCheck }
  | { ok: false; alreadyExported: FileExport; sameFile: boolean }

/** What blocks the file for the period: the publishing checks and the target's own. */
export async function checkFileExport(
  db: Db,
  settings: PayrollSettings,
  period: Period,
  connector: AnyConnector,
  summary?: PeriodSummary,
): Promise<PublishCheck> {
  return (await linesAndCheck(db, settings, period, connector, summary)).check
}

async function linesAndCheck(db: Db, settings: PayrollSettings, period: Period, connector: AnyConnector, summary?: PeriodSummary) {
  const { check, lines } = await buildLines(db, settings, period, connector, summary)
  const payloads = [...lines.values()].map((l) => connector.publishPayload!(l.input))
  const own = connector.publishFile!.problems(payloads).map((message) => ({ message, href: `/time-entries?period=${period.start}` }))
  return { check: { blocking: [...check.blocking, ...own], warnings: check.warnings }, payloads }
}

/**
 * Makes the file of an approved period. Nothing is made while a problem blocks it; a period already
 * exported is made again only when the admin confirms, having been told when, by whom, and whether
 * the new file differs.
 */
export async function exportPayrollFile(
  db: Db,
  actor: Actor,
  settings: PayrollSettings,
  period: Period,
  connector: AnyConnector,
  confirmed: boolean,
): Promise<ExportResult> {
  if (!connector.publishFile || !connector.publishPayload)
    return { ok: false, check: { blocking: [{ message: `${connector.name} does not take payroll files`, href: '/integrations' }], warnings: [] } }
  const targetSettings = await connectorSettings(db, connector)
  if (!targetSettings.ok) return { ok: false, check: { blocking: [{ message: targetSettings.message, href: `/integrations/${connector.id}` }], warnings: [] } }
  const { check, payloads } = await linesAndCheck(db, settings, period, connector)
  if (check.blocking.length > 0) return { ok: false, check }
  const file = connector.publishFile.build(payloads, targetSettings.settings, period)
  const checksum = createHash('sha256').update(file.content).digest('hex')
  const [previous] = await fileExports(db, connector.id, period)
  if (previous && !confirmed) return { ok: false, alreadyExported: previous, sameFile: previous.checksum === checksum }
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    await trx
      .insertInto('payroll_file_exports')
      .values({
        target: connector.id,
        period_start: period.start,
        period_end: period.end,
        filename: file.filename,
        lines: payloads.length,
        checksum,
        exported_by: actor.userId,
        exported_by_name: actor.actor,
        exported_at: now,
      })
      .execute()
    await recordAudit(trx, actor, {
      action: 'payroll.file_export',
      entityType: 'pay_period',
      entityId: period.start,
      summary: `Exported the ${connector.publishFile!.label} of ${period.start} to ${period.end} for ${connector.name}: ${payloads.length} line(s), SHA-256 ${checksum.slice(0, 12)}${previous ? ' (again)' : ''}`,
    })
  })
  return { ok: true, filename: file.filename, content: file.content, lines: payloads.length, checksum }
}
