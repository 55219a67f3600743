import type { Actor } from '../audit/audit-log.js'
import { recordAudit } from '../audit/audit-log.js'
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyAgainstDummy, verifyPassword } from '../auth/passwords.js'
import type { AgentLine, AgentPublishing, AgentRuns, ConnectorHub } from '../connectors/kit/hub.js'
import { isModuleId } from '../connectors/kit/records.js'
import type { AnyConnector } from '../connectors/kit/types.js'
import { markUnconfirmed, pendingLines, recordOutcome, unconfirmedLines } from '../payroll/publish-service.js'
import { autoImportAfterRun } from '../staging/auto-import.js'
import { beginRun, completeRun, endRun, stageRunPage, type HubDeps } from '../staging/sync-runs.js'
import { connectorStore } from './connector-store.js'
import { getIntegration } from './integration-service.js'

// The hub's side of the connector kit: one ConnectorHub per request, over this server's database.
// A connector reaches runs, publish lines, its store, passwords and the audit log through it alone.

export function connectorHub(deps: HubDeps, connector: AnyConnector, actor: Actor): ConnectorHub {
  const log = deps.logger.child({ integration: connector.id })
  return {
    connectorId: connector.id,
    async integration() {
      const row = await getIntegration(deps.db, connector.id)
      return { activated: !!row?.activated, settings: JSON.parse(row?.settings ?? '{}') as unknown }
    },
    store: connectorStore(deps.db, connector.id),
    runs: agentRuns(deps, connector),
    publishing: agentPublishing(deps, connector.id),
    passwords: {
      hash: hashPassword,
      verify: (hash, password) => (hash ? verifyPassword(hash, password) : verifyAgainstDummy(password)),
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_LENGTH,
    },
    audit: (event) => recordAudit(deps.db, actor, { ...event, entityType: 'integration', entityId: connector.id }),
    log,
    publicBaseUrl: deps.config.publicBaseUrl,
  }
}

function agentRuns(deps: HubDeps, connector: AnyConnector): AgentRuns {
  const logFor = (runId: number, module?: string) => deps.logger.child({ integration: connector.id, runId, module })
  return {
    async open() {
      const rows = await deps.db
        .selectFrom('sync_runs')
        .select(['id', 'module', 'status', 'trigger', 'mode', 'pages'])
        .where('integration', '=', connector.id)
        .where('status', 'in', ['queued', 'running'])
        .orderBy('id')
        .execute()
      return rows.flatMap((r) =>
        isModuleId(r.module) && (r.status === 'queued' || r.status === 'running')
          ? [{ id: r.id, module: r.module, status: r.status, trigger: r.trigger, mode: r.mode, pages: r.pages }]
          : [],
      )
    },
    begin: (runId, mode) => beginRun(deps, runId, mode, logFor(runId)),
    async stagePage(runId, module, page, value) {
      await stageRunPage(deps, connector, module, runId, page, value)
    },
    async complete(runId, module) {
      await completeRun(deps, runId, connector.id, module, logFor(runId, module))
      await autoImportAfterRun(deps, runId)
    },
    fail: (runId, reason) => endRun(deps, runId, 'failed', reason, logFor(runId)),
  }
}

function agentPublishing(deps: HubDeps, target: string): AgentPublishing {
  const db = deps.db
  const asLine = (row: {
    id: number
    action: string
    payload: string
    external_ref: string | null
    attempt_id: string | null
    attempts: number
    message: string | null
  }): AgentLine => ({
    id: row.id,
    action: row.action === 'delete' ? 'delete' : 'add',
    payload: JSON.parse(row.payload) as unknown,
    externalRef: row.external_ref,
    attemptId: row.attempt_id,
    attempts: row.attempts,
    message: row.message,
  })
  return {
    pending: async (limit, retriedSince) => (await pendingLines(db, target, { limit }, retriedSince)).map(asLine),
    waiting: async (retriedSince) => (await pendingLines(db, target, { limit: 1 }, retriedSince, { unconfirmed: true })).length > 0,
    unconfirmed: async () => (await unconfirmedLines(db, target)).map(asLine),
    async stillUnconfirmed(ids) {
      if (ids.length === 0) return []
      const rows = await db
        .selectFrom('publish_lines')
        .selectAll()
        .where('target', '=', target)
        .where('id', 'in', ids)
        .where('status', '=', 'unconfirmed')
        .execute()
      return rows.map(asLine)
    },
    markUnconfirmed: (ids, attemptId) => markUnconfirmed(db, ids, attemptId),
    async forgetAttempt(ids) {
      if (ids.length === 0) return
      await db.updateTable('publish_lines').set({ attempt_id: null }).where('target', '=', target).where('id', 'in', ids).execute()
    },
    record: (id, outcome) => recordOutcome(db, id, outcome),
    async sendAgain(id) {
      await db
        .updateTable('publish_lines')
        .set({ status: 'pending', attempt_id: null, message: null, updated_at: new Date().toISOString() })
        .where('target', '=', target)
        .where('id', '=', id)
        .execute()
    },
  }
}
