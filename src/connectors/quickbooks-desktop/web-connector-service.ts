import { createHash, randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Db } from '../../db/database.js'
import { verifyAgainstDummy, verifyPassword } from '../../auth/passwords.js'
import { getIntegration, loadState, saveState } from '../../integrations/integration-service.js'
import type { ModuleId } from '../kit/records.js'
import { beginRun, completeRun, endRun, PageError, stageRunPage, type HubDeps } from '../../staging/sync-runs.js'
import { QBD_ID, qbdSettings, quickbooksDesktopConnector, QBD_OWNER_ID } from './connector.js'
import {
  externalGuid,
  MODULE_QUERIES,
  messageSet,
  newMessageSetId,
  PAGE_SIZE,
  parseHostResponse,
  parsePublishResponse,
  parseQueryResponse,
  parseRecoveryResponse,
  parseTimeTrackingLookup,
  QbxmlError,
  QBXML_VERSION,
  queryRequest,
  recoveryCheck,
  timeTrackingAdd,
  timeTrackingDelete,
  timeTrackingLookup,
  type LineOutcome as QbLineOutcome,
  type QueryPosition,
  type TimeLine,
} from './qbxml.js'
import { markUnconfirmed, MAX_REFUSED_TRIES, pendingLines, recordOutcome, unconfirmedLines } from '../../payroll/publish-service.js'
import type { XmlNode } from '../../lib/xml.js'
import type { SoapCall } from './soap.js'
import { autoImportAfterRun } from '../../staging/auto-import.js'

// Our side of the QuickBooks Web Connector conversation (Intuit's QBWC Programmer's Guide, ch. 2
// and 10): authenticate opens a session with a ticket; each sendRequestXML hands out one qbXML
// query of the queued work; each receiveResponseXML stages that page in its own transaction and
// answers how far along the session is. Runs are the hub's sync runs, queued by SYNC or a schedule.

/** Connection facts the Setup tab shows, kept in connector_state. */
export const STATUS_KEYS = {
  passwordHash: 'qbwc.passwordHash',
  fileId: 'qbwc.fileId',
  lastContact: 'qbwc.lastContact',
  companyFile: 'qbwc.companyFile',
  companyName: 'qbwc.companyName',
  product: 'qbwc.product',
  version: 'qbwc.version',
  qbxmlVersions: 'qbwc.qbxmlVersions',
  lastError: 'qbwc.lastError',
  lastErrorAt: 'qbwc.lastErrorAt',
} as const

/** A session silent this long has been dropped by its Web Connector; another may start. */
const SESSION_IDLE_MS = 2 * 60 * 1000

/** A full sync at least this often; between them, syncs ask only for what changed (FromModifiedDate). */
const FULL_SYNC_EVERY_MS = 7 * 24 * 3600 * 1000

/** Where a module's run stands between two requests: kept with each staged page, so a dropped session resumes there. */
const resumeKey = (module: ModuleId) => `${module}.resume`
const sinceKey = (module: ModuleId) => `${module}.since`
const lastFullKey = (module: ModuleId) => `${module}.lastFullAt`
const hresultsKey = (module: ModuleId) => `${module}.hresults`

type Resume = { runId: number; fromName: string; maxModified?: string }

/** The request QuickBooks is working on, or the next one to hand out (requestId null). */
type Pending = { runId: number; module: ModuleId; page: number; position: QueryPosition; requestId: string | null; fromModified?: string; restarts: number }

type Session = {
  ticket_hash: string
  created_at: string
  pending: string | null
  last_error: string | null
  runs_total: number
  runs_done: number
  records: number
  closed_at: string | null
}

/**
 * A message set of time lines QuickBooks is working on (`publish`), or a step that settles lines
 * whose answer was lost: asking QuickBooks for the answer it kept (`recover`), or looking the
 * lines up by their ExternalGUID and TxnID (`lookup`).
 */
type PublishPending =
  { publish: { messageSetId: string; ids: number[] } } | { recover: { messageSetId: string; ids: number[] } } | { lookup: { ids: number[] } }

/** Time lines sent per message set: small enough that one bad line costs little to retry. */
const PUBLISH_BATCH = 25

const hashTicket = (ticket: string) => createHash('sha256').update(ticket).digest('hex')

export class WebConnectorService {
  private readonly log: Logger
  constructor(private readonly deps: HubDeps) {
    this.log = deps.logger.child({ integration: QBD_ID })
  }

  /** One SOAP call; `clientAddress` is where it came from (the same Web Connector calls from the same place). */
  async handle(call: SoapCall, from: { clientAddress: string | null } = { clientAddress: null }): Promise<string | number | string[]> {
    const p = call.params
    switch (call.method) {
      case 'serverVersion':
        return 'Clockbridge 0.1.0'
      case 'clientVersion':
        return ''
      case 'authenticate':
        return this.authenticate(p.strUserName!, p.strPassword!, from.clientAddress)
      case 'sendRequestXML':
        return this.sendRequestXML(p.ticket!, p.strHCPResponse!, p.strCompanyFileName!, p.qbXMLMajorVers!)
      case 'receiveResponseXML':
        return this.receiveResponseXML(p.ticket!, p.response!, p.hresult!, p.message!)
      case 'connectionError':
        return this.connectionError(p.ticket!, p.hresult!, p.message!)
      case 'getLastError':
        return this.getLastError(p.ticket!)
      case 'closeConnection':
        return this.closeConnection(p.ticket!)
    }
  }

  private get db(): Db {
    return this.deps.db
  }

  // ── authenticate ─────────────────────────────────────────────────────────────────────────────

  /** [ticket, ""|company file] to work, [ticket, "none"] when nothing is queued, ["", "nvu"] for bad credentials. */
  async authenticate(username: string, password: string, clientAddress: string | null = null): Promise<string[]> {
    const row = await getIntegration(this.db, QBD_ID)
    const settings = qbdSettings(row?.settings)
    const state = await loadState(this.db, QBD_ID)
    const hash = state[STATUS_KEYS.passwordHash]
    const valid = row?.activated && hash && username === settings.username ? await verifyPassword(hash, password) : await verifyAgainstDummy(password)
    await saveState(this.db, QBD_ID, STATUS_KEYS.lastContact, new Date().toISOString())
    if (!valid) {
      const reason = !row?.activated
        ? 'QuickBooks Desktop is not activated in Clockbridge.'
        : !hash
          ? 'No Web Connector password is set: set one on the Setup tab.'
          : `The Web Connector signed in as "${username}" with a wrong user name or password.`
      await this.recordError(reason)
      this.log.warn({ event: 'qbwc_auth_failed', username }, 'Web Connector sign-in refused')
      return ['', 'nvu']
    }
    const active = await this.activeSession()
    if (active && active.client_address !== clientAddress) {
      this.log.warn({ event: 'qbwc_busy' }, 'another Web Connector session is in progress')
      return ['', 'busy']
    }
    if (active) {
      // A Web Connector runs one session at a time: signing in again, it has given up the old one
      // (closed, crashed, lost its connection). Take it over now; the new session resumes from
      // what was committed, and writes whose answer was lost are settled first.
      await this.db
        .updateTable('qbwc_sessions')
        .set({
          closed_at: new Date().toISOString(),
          pending: null,
          last_error: 'Ended without closeConnection; the same Web Connector signed in again and took over.',
        })
        .where('ticket_hash', '=', active.ticket_hash)
        .execute()
      this.log.info({ event: 'qbwc_session_taken_over' }, 'the same Web Connector signed in again; its dropped session was taken over')
    }
    const ticket = randomUUID()
    const work = [...(await this.openRuns()), ...((await this.hoursWaiting(new Date().toISOString())) ? [{ publish: true }] : [])]
    const now = new Date().toISOString()
    // Sessions are kept a month for support questions, then forgotten.
    await this.db
      .deleteFrom('qbwc_sessions')
      .where('created_at', '<', new Date(Date.now() - 30 * 24 * 3600 * 1000).toISOString())
      .execute()
    await this.db
      .insertInto('qbwc_sessions')
      .values({
        ticket_hash: hashTicket(ticket),
        integration: QBD_ID,
        created_at: now,
        last_seen_at: now,
        runs_total: work.length,
        runs_done: 0,
        records: 0,
        client_address: clientAddress,
      })
      .execute()
    this.log.info({ event: 'qbwc_session_opened', runs: work.length }, 'Web Connector session opened')
    return [ticket, work.length === 0 ? 'none' : settings.companyFile]
  }

  // ── sendRequestXML ───────────────────────────────────────────────────────────────────────────

  async sendRequestXML(ticket: string, hostResponse: string, companyFile: string, major: string): Promise<string> {
    const session = await this.session(ticket)
    if (!session) return ''
    if (hostResponse) {
      const problem = await this.checkHost(session, hostResponse, companyFile, major)
      if (problem) return this.refuse(session, problem)
    }
    // Writes whose answer was lost are settled before anything else goes to QuickBooks.
    const settle = await this.settleRequest(session)
    if (settle) return settle
    const pending = await this.nextPending(session)
    if (!pending) {
      const publish = await this.publishRequest(session)
      return publish ?? this.refuse(session, 'There is nothing left to do: the queued syncs and hours were cancelled or finished.')
    }
    pending.requestId = `${pending.runId}.${pending.page}.${pending.restarts}`
    await this.savePending(session, pending)
    return messageSet([queryRequest({ module: pending.module, requestId: pending.requestId, position: pending.position, fromModified: pending.fromModified })])
  }

  /** The first call carries QuickBooks' own description: remember it, and refuse a file or version we cannot work with. */
  private async checkHost(session: Session, hostResponse: string, companyFile: string, major: string): Promise<string | null> {
    let host
    try {
      host = parseHostResponse(hostResponse, QBD_OWNER_ID)
    } catch (err) {
      return `The Web Connector sent a host description that is not XML (${(err as Error).message}).`
    }
    const status: [string, string | undefined][] = [
      [STATUS_KEYS.companyFile, companyFile],
      [STATUS_KEYS.companyName, host.companyName],
      [STATUS_KEYS.product, host.product],
      [STATUS_KEYS.version, host.version],
      [STATUS_KEYS.qbxmlVersions, host.qbxmlVersions.join(', ')],
    ]
    for (const [key, value] of status) if (value !== undefined) await saveState(this.db, QBD_ID, key, value)
    await this.db.updateTable('qbwc_sessions').set({ company_file: companyFile }).where('ticket_hash', '=', session.ticket_hash).execute()
    const expected = qbdSettings((await getIntegration(this.db, QBD_ID))?.settings).companyFile
    if (expected && expected.toLowerCase() !== companyFile.toLowerCase()) {
      return `QuickBooks has the company file ${companyFile} open, but Clockbridge syncs ${expected}. Open ${expected} in QuickBooks, or change the company file on the Setup tab.`
    }
    const supported = host.qbxmlVersions.length > 0 ? host.qbxmlVersions.includes(QBXML_VERSION) : Number(major) >= 13
    if (!supported) {
      return `This QuickBooks supports qbXML ${host.qbxmlVersions.join(', ') || major} but Clockbridge needs ${QBXML_VERSION} (QuickBooks 2014 or later). Update QuickBooks, then run the Web Connector again.`
    }
    return null
  }

  /** The request to hand out: the one in progress, or the first page of the oldest queued run. */
  private async nextPending(session: Session): Promise<Pending | null> {
    const current = session.pending ? (JSON.parse(session.pending) as Pending) : null
    const runs = await this.openRuns()
    if (current && runs.some((r) => r.id === current.runId && r.status === 'running')) return current
    const run = runs.find((r) => r.status === 'running') ?? runs[0]
    if (!run) return null
    const module = run.module as ModuleId
    const state = await loadState(this.db, QBD_ID)
    const log = this.log.child({ runId: run.id, module })
    if (run.status === 'queued') {
      // An admin's SYNC reads everything (and so finds records removed in QuickBooks); a schedule
      // asks only for changes, with a full read at least weekly.
      const since = state[sinceKey(module)]
      const lastFull = state[lastFullKey(module)]
      const incremental = run.trigger !== 'manual' && !!since && !!lastFull && Date.now() - Date.parse(lastFull) < FULL_SYNC_EVERY_MS
      await beginRun(this.deps, run.id, incremental ? 'incremental' : 'full', log)
      return { runId: run.id, module, page: 1, position: {}, requestId: null, fromModified: incremental ? since : undefined, restarts: 0 }
    }
    // A run a dropped session left running resumes after its last staged page, with a new iterator.
    const resume = this.resumeOf(state, module, run.id)
    const mode = await this.db.selectFrom('sync_runs').select(['mode', 'pages']).where('id', '=', run.id).executeTakeFirstOrThrow()
    log.info({ event: 'qbwc_run_resumed', fromName: resume?.fromName }, 'resuming a run a dropped session left')
    return {
      runId: run.id,
      module,
      page: mode.pages + 1,
      position: resume ? { fromName: resume.fromName } : {},
      requestId: null,
      fromModified: mode.mode === 'incremental' ? state[sinceKey(module)] : undefined,
      restarts: 0,
    }
  }

  // ── receiveResponseXML ───────────────────────────────────────────────────────────────────────

  /** Stages the page QuickBooks answered; returns the percent done (100 ends the session) or -1 on an error. */
  async receiveResponseXML(ticket: string, response: string, hresult: string, message: string): Promise<number> {
    const session = await this.session(ticket)
    if (!session) return -1
    const waiting = session.pending ? (JSON.parse(session.pending) as Pending | PublishPending) : null
    if (waiting && !('runId' in waiting)) return this.receivePublishStep(session, waiting, response, hresult, message)
    const pending = waiting
    if (!pending?.requestId) return this.fail(session, null, 'QuickBooks sent a response, but no request was waiting for one; nothing was staged.')
    const what = `${MODULE_QUERIES[pending.module].noun}s`
    if (hresult)
      return this.retryOrFail(
        session,
        pending,
        `QuickBooks could not process the request for ${what} (${hresult}: ${message || 'no message'}); nothing of this page was staged`,
      )
    let page
    try {
      page = parseQueryResponse(response, pending.module)
    } catch (err) {
      if (err instanceof QbxmlError) return this.fail(session, pending, `Page ${pending.page} of ${what}: ${err.message}; nothing of this page was staged.`)
      throw err
    }
    if (page.requestId !== pending.requestId) {
      return this.fail(
        session,
        pending,
        `QuickBooks answered request ${page.requestId || '(none)'} but Clockbridge was waiting for ${pending.requestId}; nothing was staged.`,
      )
    }
    if (page.statusCode === 3391 && pending.restarts < 2) return this.restartIterator(session, pending)
    if (page.statusCode >= 3170 && page.statusCode <= 3180) {
      return this.pause(
        session,
        pending,
        `QuickBooks was busy (${page.statusCode}: ${page.statusMessage}). Clockbridge continues reading ${what} on the Web Connector's next run.`,
      )
    }
    if (page.statusSeverity === 'Error' || (page.statusCode !== 0 && page.statusCode !== 1 && page.statusCode < 500)) {
      return this.fail(session, pending, `QuickBooks ${page.statusCode} while reading ${what}: ${page.statusMessage}`)
    }
    return this.stage(session, pending, page)
  }

  private async stage(session: Session, pending: Pending, page: ReturnType<typeof parseQueryResponse>): Promise<number> {
    const { module, runId } = pending
    const log = this.log.child({ runId, module })
    // Paging by name starts each page at the previous page's last record: it came already.
    const skipFirst = !pending.position.iteratorId && !!pending.position.fromName && page.names[0]?.toLowerCase() === pending.position.fromName.toLowerCase()
    const records = skipFirst ? page.records.slice(1) : page.records
    const previous = this.resumeOf(await loadState(this.db, QBD_ID), module, runId)
    const maxModified = [previous?.maxModified, page.maxModified].filter(Boolean).sort().pop()
    const resume: Resume = { runId, fromName: page.lastName ?? pending.position.fromName ?? '', maxModified }
    try {
      await stageRunPage(this.deps, quickbooksDesktopConnector, module, runId, pending.page, {
        records,
        checkpoint: { [resumeKey(module)]: JSON.stringify(resume) },
      })
    } catch (err) {
      if (err instanceof PageError) return this.fail(session, pending, err.message)
      throw err
    }
    const more = MODULE_QUERIES[module].iterator && page.iteratorId ? (page.iteratorRemaining ?? 0) > 0 : page.returned >= PAGE_SIZE
    const stagedSoFar = session.records + records.length
    if (more) {
      const next: Pending = {
        ...pending,
        page: pending.page + 1,
        requestId: null,
        restarts: 0,
        position: page.iteratorId && (page.iteratorRemaining ?? 0) > 0 ? { iteratorId: page.iteratorId } : { fromName: resume.fromName },
      }
      await this.db
        .updateTable('qbwc_sessions')
        .set({ pending: JSON.stringify(next), records: stagedSoFar })
        .where('ticket_hash', '=', session.ticket_hash)
        .execute()
      const fraction = page.iteratorRemaining !== undefined ? records.length / (records.length + page.iteratorRemaining) : 0.5
      return this.percent({ ...session, records: stagedSoFar }, fraction)
    }
    await completeRun(this.deps, runId, QBD_ID, module, log)
    const mode = (await this.db.selectFrom('sync_runs').select('mode').where('id', '=', runId).executeTakeFirstOrThrow()).mode
    if (maxModified) await saveState(this.db, QBD_ID, sinceKey(module), maxModified)
    if (mode === 'full') await saveState(this.db, QBD_ID, lastFullKey(module), new Date().toISOString())
    await autoImportAfterRun(this.deps, runId)
    await this.db
      .updateTable('qbwc_sessions')
      .set({ pending: null, records: stagedSoFar, runs_done: session.runs_done + 1 })
      .where('ticket_hash', '=', session.ticket_hash)
      .execute()
    return this.percent({ ...session, records: stagedSoFar, runs_done: session.runs_done + 1 }, 0)
  }

  /** An iterator QuickBooks no longer knows (3391): start a new one where the last staged page ended. */
  private async restartIterator(session: Session, pending: Pending): Promise<number> {
    const resume = this.resumeOf(await loadState(this.db, QBD_ID), pending.module, pending.runId)
    const next: Pending = { ...pending, requestId: null, restarts: pending.restarts + 1, position: resume?.fromName ? { fromName: resume.fromName } : {} }
    this.log.warn({ event: 'qbwc_iterator_restarted', runId: pending.runId }, 'QuickBooks dropped the iterator; starting a new one')
    await this.savePending(session, next)
    return this.percent(session, 0)
  }

  /** How far this session is: finished runs plus a fraction of the current one; 100 only when nothing is left. */
  private async percent(session: Session, fraction: number): Promise<number> {
    const open = (await this.openRuns()).length + ((await this.hoursWaiting(session.created_at)) ? 1 : 0)
    if (open === 0) return 100
    const total = Math.max(session.runs_total, session.runs_done + open)
    return Math.min(99, Math.max(1, Math.floor((100 * (session.runs_done + fraction)) / total)))
  }

  // ── publishing hours ─────────────────────────────────────────────────────────────────────────

  /**
   * The next message set of time lines: deletions of corrected lines first, then additions. Its
   * lines are recorded as unconfirmed, with the set's id, in the same transaction that hands it
   * out: if the answer never comes back, the next visit settles them instead of sending them again.
   */
  private async publishRequest(session: Session): Promise<string | null> {
    const lines = await pendingLines(this.db, QBD_ID, { limit: PUBLISH_BATCH }, session.created_at)
    if (lines.length === 0) return null
    const requests: XmlNode[] = []
    const ids: number[] = []
    for (const l of lines) {
      if (l.action === 'delete' && !l.external_ref) {
        await recordOutcome(this.db, l.id, {
          status: 'failed',
          message: 'QuickBooks gave no TxnID for this line when it was sent; delete the old entry by hand in QuickBooks',
        })
        continue
      }
      requests.push(
        l.action === 'add' ? timeTrackingAdd(JSON.parse(l.payload) as TimeLine, `line-${l.id}`) : timeTrackingDelete(l.external_ref!, `line-${l.id}`),
      )
      ids.push(l.id)
    }
    if (ids.length === 0) return this.publishRequest(session)
    const messageSetId = newMessageSetId()
    await this.db.transaction().execute(async (trx) => {
      await markUnconfirmed(trx, ids, messageSetId)
      await trx
        .updateTable('qbwc_sessions')
        .set({ pending: JSON.stringify({ publish: { messageSetId, ids } } satisfies PublishPending) })
        .where('ticket_hash', '=', session.ticket_hash)
        .execute()
    })
    return messageSet(requests, 'continueOnError', { newMessageSetID: messageSetId })
  }

  /**
   * A request that settles lines whose answer was lost, oldest first: QuickBooks is asked for the
   * answer it kept to their message set; lines it has no answer for are looked up by ExternalGUID
   * (additions, on their days and employees) and TxnID (deletions).
   */
  private async settleRequest(session: Session): Promise<string | null> {
    const lines = await unconfirmedLines(this.db, QBD_ID)
    if (lines.length === 0) return null
    const messageSetId = lines.find((l) => l.attempt_id)?.attempt_id
    if (messageSetId) {
      const ids = lines.filter((l) => l.attempt_id === messageSetId).map((l) => l.id)
      await this.savePending(session, { recover: { messageSetId, ids } })
      this.log.info({ event: 'qbwc_recovery_check', messageSetId, lines: ids.length }, 'asking QuickBooks for the answer it kept')
      return recoveryCheck(messageSetId)
    }
    const batch = lines.slice(0, PUBLISH_BATCH)
    const adds = batch.filter((l) => l.action === 'add').map((l) => JSON.parse(l.payload) as TimeLine)
    const dates = adds.map((l) => l.date).sort()
    const requests = timeTrackingLookup(`find-${batch[0]!.id}`, {
      from: dates[0],
      to: dates[dates.length - 1],
      employees: adds.map((l) => l.employee),
      txnIds: batch.filter((l) => l.action === 'delete' && l.external_ref).map((l) => l.external_ref!),
    })
    await this.savePending(session, { lookup: { ids: batch.map((l) => l.id) } })
    this.log.info({ event: 'qbwc_lookup', lines: batch.length }, 'looking up time lines whose answer was lost')
    return messageSet(requests, 'continueOnError')
  }

  private async receivePublishStep(session: Session, step: PublishPending, response: string, hresult: string, message: string): Promise<number> {
    if ('publish' in step) return this.receivePublish(session, step.publish, response, hresult, message)
    if (hresult) {
      // A query that did not run leaves the lines as they were: they are settled on the next visit.
      return this.stopSession(
        session,
        `QuickBooks could not check the hours it was sent earlier (${hresult}: ${message || 'no message'}); Clockbridge checks them again on the next visit before sending anything.`,
      )
    }
    if ('recover' in step) return this.receiveRecovery(session, step.recover, response)
    return this.receiveLookup(session, step.lookup.ids, response)
  }

  /** Each line's result: sent (with its TxnID), failed with QuickBooks' message, or tried again on the next visit. */
  private async receivePublish(
    session: Session,
    set: { messageSetId: string; ids: number[] },
    response: string,
    hresult: string,
    message: string,
  ): Promise<number> {
    let outcomes
    try {
      if (hresult) throw new QbxmlError(`QuickBooks could not process the hours (${hresult}: ${message || 'no message'})`)
      outcomes = parsePublishResponse(response)
    } catch (err) {
      // QuickBooks may or may not have run the set: its lines stay unconfirmed, and the next visit
      // asks QuickBooks what it kept before anything is sent again.
      const reason = `${err instanceof Error ? err.message : String(err)}. Clockbridge checks these hours with QuickBooks on the Web Connector's next visit and sends them again if QuickBooks has not added them.`
      for (const id of set.ids) await recordOutcome(this.db, id, { status: 'unconfirmed', message: reason })
      return this.stopSession(session, reason)
    }
    const sent = await this.recordQbOutcomes(set.ids, outcomes)
    this.log.info({ event: 'qbwc_hours_sent', messageSetId: set.messageSetId, lines: set.ids.length, sent }, 'hours sent to QuickBooks')
    return this.stepDone(session, sent)
  }

  /** QuickBooks' kept answer settles the lines it names; the others are looked up next. */
  private async receiveRecovery(session: Session, set: { messageSetId: string; ids: number[] }, response: string): Promise<number> {
    let outcomes
    try {
      outcomes = parseRecoveryResponse(response)
    } catch (err) {
      return this.stopSession(
        session,
        `QuickBooks sent an answer Clockbridge could not read while checking earlier hours (${(err as Error).message}); it checks again on the next visit.`,
      )
    }
    const answered = set.ids.filter((id) => outcomes.has(`line-${id}`))
    const sent = await this.recordQbOutcomes(answered, outcomes)
    // Lines QuickBooks kept no answer for: found or not by a lookup, never sent again blindly.
    const unanswered = set.ids.filter((id) => !outcomes.has(`line-${id}`))
    if (unanswered.length > 0)
      await this.db.updateTable('publish_lines').set({ attempt_id: null }).where('id', 'in', unanswered).where('status', '=', 'unconfirmed').execute()
    this.log.info(
      { event: 'qbwc_recovered', messageSetId: set.messageSetId, answered: answered.length, unanswered: unanswered.length },
      'QuickBooks answered for an earlier message set',
    )
    return this.stepDone(session, sent)
  }

  /** Lines found in QuickBooks are sent; lines not found go again (or fail after their tries); deletions not found are done. */
  private async receiveLookup(session: Session, ids: number[], response: string): Promise<number> {
    let held
    try {
      held = parseTimeTrackingLookup(response)
    } catch (err) {
      return this.stopSession(
        session,
        `${(err as Error).message}. Clockbridge checks the hours it sent earlier again on the next visit before sending anything.`,
      )
    }
    const byGuid = new Map<string, string>()
    for (const t of held) if (t.externalGuid && !byGuid.has(t.externalGuid)) byGuid.set(t.externalGuid, t.txnId)
    const txnIds = new Set(held.map((t) => t.txnId))
    const rows = await this.db.selectFrom('publish_lines').selectAll().where('id', 'in', ids).where('status', '=', 'unconfirmed').execute()
    let found = 0
    for (const row of rows) {
      if (row.action === 'add') {
        const txnId = byGuid.get(externalGuid((JSON.parse(row.payload) as TimeLine).key))
        if (txnId) {
          await recordOutcome(this.db, row.id, { status: 'sent', ref: txnId })
          found++
        } else await this.notApplied(row)
      } else if (!txnIds.has(row.external_ref ?? '')) {
        await recordOutcome(this.db, row.id, { status: 'sent', ref: row.external_ref ?? '' })
        found++
      } else await this.notApplied(row)
    }
    this.log.info({ event: 'qbwc_lookup_done', lines: rows.length, found }, 'time lines with a lost answer settled')
    return this.stepDone(session, found)
  }

  /** QuickBooks certainly did not apply the line: it goes again, unless it was refused as often as it may be. */
  private async notApplied(row: { id: number; attempts: number; message: string | null }): Promise<void> {
    if (row.attempts >= MAX_REFUSED_TRIES) {
      const reason = row.message ?? 'QuickBooks did not add this line'
      await recordOutcome(this.db, row.id, {
        status: 'failed',
        message: `${reason.replace(/ Clockbridge checks these hours.*$/, '')}. Tried ${row.attempts} times; QuickBooks holds none of it. Fix what QuickBooks reports (or open the company file in single-user mode if it was busy), then press Retry failed lines.`,
      })
    } else {
      await this.db
        .updateTable('publish_lines')
        .set({ status: 'pending', attempt_id: null, message: null, updated_at: new Date().toISOString() })
        .where('id', '=', row.id)
        .execute()
    }
  }

  /** Records QuickBooks' answer for each line; a line it did not answer for stays unconfirmed, to be looked up. */
  private async recordQbOutcomes(ids: number[], outcomes: Map<string, QbLineOutcome>): Promise<number> {
    let sent = 0
    const attempts = new Map(
      (ids.length > 0 ? await this.db.selectFrom('publish_lines').select(['id', 'attempts']).where('id', 'in', ids).execute() : []).map((r) => [
        r.id,
        r.attempts,
      ]),
    )
    for (const id of ids) {
      const outcome = outcomes.get(`line-${id}`)
      if (!outcome) {
        await this.db.updateTable('publish_lines').set({ attempt_id: null }).where('id', '=', id).execute()
        await recordOutcome(this.db, id, {
          status: 'unconfirmed',
          message: 'QuickBooks did not answer for this line; Clockbridge looks it up in QuickBooks on the next visit before sending it again.',
        })
      } else if (outcome.status === 'sent') {
        await recordOutcome(this.db, id, { status: 'sent', ref: outcome.txnId })
        sent++
      } else if (outcome.retry && (attempts.get(id) ?? 0) < MAX_REFUSED_TRIES) await recordOutcome(this.db, id, { status: 'pending', message: outcome.message })
      else await recordOutcome(this.db, id, { status: 'failed', message: outcome.message })
    }
    return sent
  }

  /** A publishing step was answered: nothing is waiting any more, `settled` lines count as records, and the session goes on. */
  private async stepDone(session: Session, settled: number): Promise<number> {
    await this.db
      .updateTable('qbwc_sessions')
      .set({ pending: null, records: session.records + settled })
      .where('ticket_hash', '=', session.ticket_hash)
      .execute()
    return this.percent(session, 0.5)
  }

  /** Ends the session with a reason the Web Connector shows (-1, then getLastError); the Setup tab keeps it. */
  private async stopSession(session: Session, reason: string): Promise<number> {
    await this.db.updateTable('qbwc_sessions').set({ pending: null, last_error: reason }).where('ticket_hash', '=', session.ticket_hash).execute()
    await this.recordError(reason)
    return -1
  }

  // ── errors and the end of a session ──────────────────────────────────────────────────────────

  /** The page changes nothing, the run fails with the reason, and the Web Connector is told (-1, then getLastError). */
  private async fail(session: Session, pending: Pending | null, reason: string): Promise<number> {
    if (pending) await endRun(this.deps, pending.runId, 'failed', reason, this.log.child({ runId: pending.runId, module: pending.module }))
    await this.db.updateTable('qbwc_sessions').set({ pending: null, last_error: reason }).where('ticket_hash', '=', session.ticket_hash).execute()
    await this.recordError(reason)
    return -1
  }

  /**
   * QuickBooks raised an HRESULT for a page: the run stays where it is and that request is asked
   * again on the next visit, a bounded number of times, then the run fails with QuickBooks' reason.
   */
  private async retryOrFail(session: Session, pending: Pending, reason: string): Promise<number> {
    const key = hresultsKey(pending.module)
    const raw = (await loadState(this.db, QBD_ID))[key]
    const before = raw ? (JSON.parse(raw) as { runId: number; tries: number }) : null
    const tries = before?.runId === pending.runId ? before.tries + 1 : 1
    if (tries >= MAX_REFUSED_TRIES) {
      await saveState(this.db, QBD_ID, key, '')
      return this.fail(
        session,
        pending,
        `${reason}. It failed ${tries} times; check that the company file opens in QuickBooks and is not in use, then press SYNC again.`,
      )
    }
    await saveState(this.db, QBD_ID, key, JSON.stringify({ runId: pending.runId, tries }))
    return this.pause(session, pending, `${reason}. Clockbridge asks again on the Web Connector's next visit (try ${tries} of ${MAX_REFUSED_TRIES}).`)
  }

  /** QuickBooks asked us to come back later: the run stays where it is for the next visit. */
  private async pause(session: Session, pending: Pending, reason: string): Promise<number> {
    await this.db
      .updateTable('qbwc_sessions')
      .set({ pending: JSON.stringify({ ...pending, requestId: null }), last_error: reason })
      .where('ticket_hash', '=', session.ticket_hash)
      .execute()
    await this.recordError(reason)
    return -1
  }

  /** sendRequestXML's "" answer: the Web Connector then asks getLastError for the reason. */
  private async refuse(session: Session, reason: string): Promise<string> {
    await this.db.updateTable('qbwc_sessions').set({ last_error: reason }).where('ticket_hash', '=', session.ticket_hash).execute()
    await this.recordError(reason)
    return ''
  }

  async connectionError(ticket: string, hresult: string, message: string): Promise<string> {
    const session = await this.session(ticket)
    const reason = `The Web Connector could not open QuickBooks or the company file (${hresult}: ${message}). The queued syncs wait for its next run.`
    if (session) await this.db.updateTable('qbwc_sessions').set({ last_error: reason }).where('ticket_hash', '=', session.ticket_hash).execute()
    await this.recordError(reason)
    return 'done'
  }

  async getLastError(ticket: string): Promise<string> {
    const session = await this.session(ticket, { includeClosed: true })
    if (!session) return 'This Web Connector session is unknown or has ended. The Web Connector signs in again on its next run.'
    return session.last_error ?? 'No error.'
  }

  async closeConnection(ticket: string): Promise<string> {
    const session = await this.session(ticket, { includeClosed: true })
    if (!session) return 'Clockbridge: unknown session.'
    await this.db
      .updateTable('qbwc_sessions')
      .set({ closed_at: new Date().toISOString(), pending: null })
      .where('ticket_hash', '=', session.ticket_hash)
      .execute()
    this.log.info({ event: 'qbwc_session_closed', records: session.records, error: session.last_error }, 'Web Connector session closed')
    if (session.last_error) return `Clockbridge: stopped. ${session.last_error}`
    // Only a session that did its work clears the last error: a visit with nothing to do says nothing about it.
    if (session.runs_done > 0 || session.records > 0) await saveState(this.db, QBD_ID, STATUS_KEYS.lastError, '')
    return `Clockbridge: ${session.runs_done} sync(s) done, ${session.records} record(s) read from or sent to QuickBooks.`
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  /** The open session of a ticket (or a closed one, for getLastError and closeConnection). Every call counts as contact. */
  private async session(ticket: string, opts: { includeClosed?: boolean } = {}): Promise<Session | null> {
    await saveState(this.db, QBD_ID, STATUS_KEYS.lastContact, new Date().toISOString())
    if (!ticket) return null
    const row = await this.db.selectFrom('qbwc_sessions').selectAll().where('ticket_hash', '=', hashTicket(ticket)).executeTakeFirst()
    if (!row || (row.closed_at && !opts.includeClosed)) return null
    await this.db.updateTable('qbwc_sessions').set({ last_seen_at: new Date().toISOString() }).where('ticket_hash', '=', row.ticket_hash).execute()
    return row
  }

  /**
   * A session in the middle of its work and heard from recently. From another Web Connector (a
   * second PC, say) it means busy: one at a time, or both would read the same run.
   */
  private activeSession() {
    const since = new Date(Date.now() - SESSION_IDLE_MS).toISOString()
    return this.db
      .selectFrom('qbwc_sessions')
      .select(['ticket_hash', 'client_address'])
      .where('integration', '=', QBD_ID)
      .where('closed_at', 'is', null)
      .where('pending', 'is not', null)
      .where('last_seen_at', '>', since)
      .executeTakeFirst()
  }

  private savePending(session: Session, pending: Pending | PublishPending) {
    return this.db
      .updateTable('qbwc_sessions')
      .set({ pending: JSON.stringify(pending) })
      .where('ticket_hash', '=', session.ticket_hash)
      .execute()
  }

  /** Hours to send, or to settle because their answer was lost. */
  private async hoursWaiting(retriedSince: string): Promise<boolean> {
    return (await pendingLines(this.db, QBD_ID, { limit: 1 }, retriedSince, { unconfirmed: true })).length > 0
  }

  /** Queued and running syncs of QuickBooks Desktop, oldest first. */
  private openRuns() {
    return this.db
      .selectFrom('sync_runs')
      .select(['id', 'module', 'status', 'trigger'])
      .where('integration', '=', QBD_ID)
      .where('status', 'in', ['queued', 'running'])
      .orderBy('id')
      .execute()
  }

  private resumeOf(state: Record<string, string>, module: ModuleId, runId: number): Resume | null {
    const raw = state[resumeKey(module)]
    const resume = raw ? (JSON.parse(raw) as Resume) : null
    return resume?.runId === runId ? resume : null
  }

  private async recordError(reason: string): Promise<void> {
    await saveState(this.db, QBD_ID, STATUS_KEYS.lastError, reason)
    await saveState(this.db, QBD_ID, STATUS_KEYS.lastErrorAt, new Date().toISOString())
    this.log.warn({ event: 'qbwc_error', error: reason }, 'Web Connector session error')
  }
}
