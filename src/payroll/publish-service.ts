import type { Db } from '../db/database.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { AnyConnector, PublishLineInput } from '../connectors/kit/types.js'
import { resolveMapping } from './mapping-service.js'
import { canMatch, publishLinks } from './target-links.js'
import type { ModuleId } from '../connectors/kit/records.js'
import { periodSummary, type PeriodSummary } from './period-service.js'
import type { Period } from './pay-periods.js'
import type { PayrollSettings } from './payroll-settings.js'
import type { RecordedOutcome as AgentOutcome } from '../connectors/kit/hub.js'

// Publishing an approved period to an integration. Each line (employee, day, pay ID, job site,
// cost code, department) has a key that never changes; publishing records what the target should
// hold and the connector sends what is pending. A line sent once is never sent again unless it
// changed: then its old revision is deleted at the target and the new one added. A crash between
// sending and recording is safe because the target recognises a line by its key.

export type Issue = { message: string; href: string }
export type PublishCheck = { blocking: Issue[]; warnings: Issue[] }

async function loadSources(db: Db) {
  const byId = async <T extends { id: number }>(rows: Promise<T[]>) => new Map((await rows).map((r) => [r.id, r]))
  return {
    employees: await byId(db.selectFrom('employees').select(['id', 'first_name', 'last_name', 'source_integration', 'external_id']).execute()),
    jobSites: await byId(db.selectFrom('job_sites').select(['id', 'number', 'source_integration', 'external_id']).execute()),
    costCodes: await byId(db.selectFrom('cost_codes').select(['id', 'code', 'source_integration', 'external_id']).execute()),
    departments: await byId(db.selectFrom('departments').select(['id', 'code', 'source_integration', 'external_id']).execute()),
  }
}

/** The period's lines for a target, in the target's terms, with what blocks or weakens them. */
export async function buildLines(db: Db, settings: PayrollSettings, period: Period, connector: AnyConnector, known?: PeriodSummary) {
  const target = connector.id
  const summary = known ?? (await periodSummary(db, settings, period))
  const sources = await loadSources(db)
  const mapping = await resolveMapping(db, target)
  const items = new Map((await db.selectFrom('payroll_items').select(['id', 'name', 'source_integration', 'external_id']).execute()).map((p) => [p.id, p]))
  const check: PublishCheck = { blocking: [], warnings: [] }
  if (summary.status !== 'approved')
    check.blocking.push({ message: `The period ${period.start} to ${period.end} is not approved`, href: `/payroll?period=${period.start}` })
  const links = await publishLinks(db, target)
  // The target's id: the record's own when it was imported from the target, else a matched link.
  const linked = (module: ModuleId, r: { id: number; source_integration: string | null; external_id: string | null } | undefined) =>
    !r ? null : r.source_integration === target && r.external_id ? r.external_id : (links.get(`${module}:${r.id}`) ?? null)
  const byName = connector.publishByName === true
  const fix = (what: string) =>
    canMatch(connector) ? `match records with ${connector.name} (Payroll tab) or IMPORT ${what} from there` : `IMPORT ${what} from ${connector.name}`
  const lines = new Map<string, { input: PublishLineInput; employeeId: number; payId: string }>()
  // Each referenced record becomes one shared reference object, and warns once.
  const refCache = new Map<string, { externalId: string | null; number: string } | { externalId: string | null; code: string } | null>()
  const reference = <K extends 'number' | 'code'>(
    what: 'Job site' | 'Cost code' | 'Department',
    id: number | null,
    rec: ({ id: number; source_integration: string | null; external_id: string | null } & Record<K, string>) | undefined,
    field: K,
    path: string,
  ) => {
    if (!id || !rec) return null
    const cacheKey = `${what}${id}`
    let ref = refCache.get(cacheKey)
    if (ref === undefined) {
      const module = what === 'Job site' ? 'job_sites' : what === 'Cost code' ? 'cost_codes' : 'departments'
      ref = { externalId: linked(module, rec), [field]: rec[field] } as { externalId: string | null; number: string }
      refCache.set(cacheKey, ref)
      if (!ref.externalId && what !== 'Department' && connector.publishRequiresLinks) {
        check.blocking.push({ message: `${what} ${rec[field]} is not linked to ${connector.name}: ${fix('it')}`, href: `${path}/${id}` })
      } else if (!ref.externalId && (what !== 'Department' || !byName)) {
        check.warnings.push({
          message: byName
            ? `${what} ${rec[field]} is not linked to ${connector.name}; it is sent by name and must match exactly there`
            : `${what} ${rec[field]} is not linked to ${connector.name}, so its lines will be refused: ${fix('it')}`,
          href: `${path}/${id}`,
        })
      }
    }
    return ref
  }
  for (const emp of summary.employees) {
    const employee = sources.employees.get(emp.employeeId)!
    const name = `${employee.first_name} ${employee.last_name}`
    const employeeId = linked('employees', employee)
    if (!employeeId && byName)
      check.warnings.push({
        message: `${name} is not linked to ${connector.name}; the hours are sent under this name, which must match exactly there`,
        href: `/employees/${employee.id}`,
      })
    else if (!employeeId) check.blocking.push({ message: `${name} is not linked to ${connector.name}: ${fix('employees')}`, href: `/employees/${employee.id}` })
    const employeeRef = { externalId: employeeId, name }
    const itemRefs = new Map<string, { externalId: string | null; name: string }>()
    for (const payId of new Set(emp.lines.map((l) => l.payId))) {
      const item = mapping.itemFor(emp.employeeId, payId)
      if (!item)
        check.blocking.push({
          message: `${payId} has no payroll item of ${connector.name} in ${name}'s group (${mapping.groupOf(emp.employeeId)})`,
          href: `/payroll/mapping?target=${encodeURIComponent(target)}`,
        })
      itemRefs.set(payId, item ? { externalId: linked('payroll_items', items.get(item.id)), name: item.name } : { externalId: null, name: '' })
    }
    for (const l of emp.lines) {
      const key = `${target}|${emp.employeeId}|${l.date}|${l.payId}|${l.jobSiteId ?? '-'}|${l.costCodeId ?? '-'}|${l.departmentId ?? '-'}`
      const previous = lines.get(key)
      if (previous) {
        previous.input.minutes += l.minutes
        continue
      }
      lines.set(key, {
        employeeId: emp.employeeId,
        payId: l.payId,
        input: {
          key,
          date: l.date,
          minutes: l.minutes,
          employee: employeeRef,
          jobSite: reference('Job site', l.jobSiteId, l.jobSiteId ? sources.jobSites.get(l.jobSiteId) : undefined, 'number', '/job-sites') as {
            externalId: string | null
            number: string
          } | null,
          costCode: reference('Cost code', l.costCodeId, l.costCodeId ? sources.costCodes.get(l.costCodeId) : undefined, 'code', '/cost-codes') as {
            externalId: string | null
            code: string
          } | null,
          department: reference('Department', l.departmentId, l.departmentId ? sources.departments.get(l.departmentId) : undefined, 'code', '/departments') as {
            externalId: string | null
            code: string
          } | null,
          payrollItem: itemRefs.get(l.payId)!,
        },
      })
    }
  }
  check.blocking = dedupe(check.blocking)
  return { check, lines }
}

const dedupe = (issues: Issue[]) => [...new Map(issues.map((i) => [i.message, i])).values()]

/** What blocks or weakens publishing the period to a connector; pass the period's summary when it is at hand. */
export async function checkPublish(db: Db, settings: PayrollSettings, period: Period, connector: AnyConnector, summary?: PeriodSummary): Promise<PublishCheck> {
  return (await buildLines(db, settings, period, connector, summary)).check
}

export type PublishResult = { ok: true; added: number; corrected: number; removed: number; unchanged: number } | { ok: false; check: PublishCheck }

/**
 * Records what the target should hold for the period: new lines to add, changed lines to correct
 * (delete the sent revision, add the new one), lines gone to delete. Nothing is recorded while a
 * blocking problem stands. Publishing twice records nothing the second time.
 */
export async function publishPeriod(db: Db, actor: Actor, settings: PayrollSettings, period: Period, connector: AnyConnector): Promise<PublishResult> {
  if (!connector.publishPayload)
    return { ok: false, check: { blocking: [{ message: `${connector.name} does not publish payroll`, href: '/integrations' }], warnings: [] } }
  const { check, lines } = await buildLines(db, settings, period, connector)
  if (check.blocking.length > 0) return { ok: false, check }
  const target = connector.id
  return db.transaction().execute(async (trx): Promise<PublishResult> => {
    const now = new Date().toISOString()
    const current = await trx
      .selectFrom('publish_lines')
      .selectAll()
      .where('target', '=', target)
      .where('period_start', '=', period.start)
      .where('action', '=', 'add')
      .where('status', '!=', 'superseded')
      .execute()
    const byKey = new Map(current.map((r) => [r.line_key, r]))
    const counts = { added: 0, corrected: 0, removed: 0, unchanged: 0 }
    const addLine = (key: string, revision: number, line: { input: PublishLineInput; employeeId: number; payId: string }) =>
      trx
        .insertInto('publish_lines')
        .values({
          target,
          period_start: period.start,
          line_key: key,
          revision,
          action: 'add',
          employee_id: line.employeeId,
          date: line.input.date,
          pay_id: line.payId,
          minutes: line.input.minutes,
          payload: JSON.stringify(connector.publishPayload!({ ...line.input, key: `${key}#${revision}` })),
          status: 'pending',
          updated_at: now,
        })
        .execute()
    const removeSent = (row: (typeof current)[number]) =>
      trx
        .insertInto('publish_lines')
        .values({
          target,
          period_start: period.start,
          line_key: row.line_key,
          revision: row.revision,
          action: 'delete',
          employee_id: row.employee_id,
          date: row.date,
          pay_id: row.pay_id,
          minutes: row.minutes,
          payload: row.payload,
          status: 'pending',
          external_ref: row.external_ref,
          updated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .execute()
    // A line whose last write may have been applied cannot be changed or removed until it is settled.
    const payloadOf = (key: string, revision: number) => JSON.stringify(connector.publishPayload!({ ...lines.get(key)!.input, key: `${key}#${revision}` }))
    const unsettled = current.filter((r) => r.status === 'unconfirmed' && (!lines.has(r.line_key) || payloadOf(r.line_key, r.revision) !== r.payload))
    if (unsettled.length > 0) {
      const message = `${unsettled.length} line(s) of this period that changed since they were sent are waiting for ${connector.name} to confirm them${connector.shape === 'agent' ? ` (checked on ${connector.agentName ?? 'its'}'s next visit)` : ' (checked again shortly)'}; publish again once they are confirmed, and the changes go as corrections`
      return { ok: false, check: { blocking: [{ message, href: `/payroll?period=${period.start}#publish-${target}` }], warnings: [] } }
    }
    for (const [key, line] of lines) {
      const row = byKey.get(key)
      const payload = row ? payloadOf(key, row.revision) : null
      if (!row) {
        await addLine(key, 1, line)
        counts.added++
      } else if (row.payload === payload) {
        counts.unchanged++
      } else if (row.status === 'sent') {
        // Sent, then changed: delete what the target holds, then add the new revision.
        await removeSent(row)
        await trx.updateTable('publish_lines').set({ status: 'superseded', updated_at: now }).where('id', '=', row.id).execute()
        await addLine(key, row.revision + 1, line)
        counts.corrected++
      } else {
        // Never reached the target: send the new values instead.
        await trx
          .updateTable('publish_lines')
          .set({ payload: payload!, minutes: line.input.minutes, status: 'pending', message: null, updated_at: now })
          .where('id', '=', row.id)
          .execute()
        counts.corrected++
      }
    }
    for (const row of current) {
      if (lines.has(row.line_key)) continue
      if (row.status === 'sent') await removeSent(row)
      await trx.updateTable('publish_lines').set({ status: 'superseded', updated_at: now }).where('id', '=', row.id).execute()
      counts.removed++
    }
    await trx
      .insertInto('publish_runs')
      .values({ target, period_start: period.start, requested_by: actor.userId, ...counts, created_at: now })
      .execute()
    await recordAudit(trx, actor, {
      action: 'payroll.publish',
      entityType: 'pay_period',
      entityId: period.start,
      summary: `Published ${period.start} to ${period.end} to ${connector.name}: ${counts.added} new, ${counts.corrected} corrected, ${counts.removed} removed, ${counts.unchanged} unchanged`,
    })
    return { ok: true, ...counts }
  })
}

/** Sends the failed lines of a period again (and only those). */
export async function retryFailed(db: Db, actor: Actor, target: string, period: Period): Promise<number> {
  const result = await db
    .updateTable('publish_lines')
    .set({ status: 'pending', message: null, attempts: 0, next_check_at: null, updated_at: new Date().toISOString() })
    .where('target', '=', target)
    .where('period_start', '=', period.start)
    .where('status', '=', 'failed')
    .executeTakeFirst()
  const n = Number(result.numUpdatedRows)
  await recordAudit(db, actor, {
    action: 'payroll.publish_retry',
    entityType: 'pay_period',
    entityId: period.start,
    summary: `Retried ${n} failed line(s) of ${period.start} to ${target}`,
  })
  return n
}

/**
 * Lines waiting for a target, deletions first (a correction removes before it adds): pending lines
 * (less those the target asked to retry since `retriedSince`: they wait for its next visit) and,
 * with `unconfirmed`, lines whose last write may have been applied, to be settled before anything
 * else. Only lines due now (`next_check_at` passed or unset). The first `limit` of them, or those
 * among `ids` (lines read earlier, as they stand now).
 */
export function pendingLines(db: Db, target: string, which: { limit: number } | { ids: number[] }, retriedSince: string, opts: { unconfirmed?: boolean } = {}) {
  const now = new Date().toISOString()
  let query = db
    .selectFrom('publish_lines')
    .selectAll()
    .where('target', '=', target)
    .where('status', 'in', opts.unconfirmed ? ['pending', 'unconfirmed'] : ['pending'])
    .where((eb) => eb.or([eb('status', '=', 'unconfirmed'), eb('message', 'is', null), eb('updated_at', '<', retriedSince)]))
    .where((eb) => eb.or([eb('next_check_at', 'is', null), eb('next_check_at', '<=', now)]))
    .orderBy('action', 'desc')
    .orderBy('id')
  query = 'ids' in which ? query.where('id', 'in', which.ids) : query.limit(which.limit)
  return query.execute()
}

/** Lines of a target whose last write may have been applied: settled by the vendor's own mechanism before anything is re-sent. */
export function unconfirmedLines(db: Db, target: string) {
  return db
    .selectFrom('publish_lines')
    .selectAll()
    .where('target', '=', target)
    .where('status', '=', 'unconfirmed')
    .orderBy('action', 'desc')
    .orderBy('id')
    .execute()
}

/**
 * Lines about to leave in one write: recorded as unconfirmed, and committed, before the write is
 * sent, so a crash or a lost answer leaves them to be settled instead of sent again.
 */
export async function markUnconfirmed(db: Db, ids: number[], attemptId: string | null, nextCheckAt: string | null = null): Promise<void> {
  if (ids.length === 0) return
  await db
    .updateTable('publish_lines')
    .set((eb) => ({
      status: 'unconfirmed',
      attempt_id: attemptId,
      attempts: eb('attempts', '+', 1),
      next_check_at: nextCheckAt,
      message: null,
      updated_at: new Date().toISOString(),
    }))
    .where('id', 'in', ids)
    .execute()
}

/**
 * What the target said about a line: sent (with its id), failed, pending (not applied; tried again
 * at `nextCheckAt` or the agent's next visit), or unconfirmed (may have been applied; settled then).
 */
/** A line's outcome as recorded: what the target said (the kit's word), and for an unsettled line when to look again. */
export type RecordedOutcome = AgentOutcome & { nextCheckAt?: string | null }

export async function recordOutcome(db: Db, id: number, outcome: RecordedOutcome): Promise<void> {
  const now = new Date().toISOString()
  const row = await db.selectFrom('publish_lines').select(['action', 'line_key', 'target', 'revision']).where('id', '=', id).executeTakeFirst()
  if (!row) return
  if (outcome.status === 'sent') {
    await db
      .updateTable('publish_lines')
      .set({
        status: row.action === 'delete' ? 'superseded' : 'sent',
        external_ref: outcome.ref || null,
        message: null,
        next_check_at: null,
        sent_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute()
  } else {
    await db
      .updateTable('publish_lines')
      .set({ status: outcome.status, message: outcome.message, next_check_at: outcome.nextCheckAt ?? null, updated_at: now })
      .where('id', '=', id)
      .execute()
  }
}

/**
 * The target removed a whole group with a deleted line (an Intacct timesheet): the other lines it
 * held go again.
 */
export async function requeueGroup(db: Db, target: string, ref: string): Promise<number> {
  const result = await db
    .updateTable('publish_lines')
    .set({ status: 'pending', external_ref: null, message: null, updated_at: new Date().toISOString() })
    .where('target', '=', target)
    .where('action', '=', 'add')
    .where('status', '=', 'sent')
    .where('external_ref', '=', ref)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Each line of a period at a target with its state, and the publish history. */
export async function publishState(db: Db, target: string, period: Period) {
  const lines = await db
    .selectFrom('publish_lines')
    .selectAll()
    .where('target', '=', target)
    .where('period_start', '=', period.start)
    .where('status', '!=', 'superseded')
    .orderBy('date')
    .orderBy('employee_id')
    .execute()
  const runs = await db
    .selectFrom('publish_runs')
    .selectAll()
    .where('target', '=', target)
    .where('period_start', '=', period.start)
    .orderBy('id', 'desc')
    .execute()
  return { lines, runs }
}
