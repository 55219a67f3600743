import { createHash, randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { MAX_REFUSED_TRIES, PageError, type AgentLine, type ConnectorHub } from '../kit/hub.js'
import type { ModuleId } from '../kit/records.js'
import { QBD_OWNER_ID, qbdSettings } from './settings.js'
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
import type { XmlNode } from '../../lib/xml.js'
import type { SoapCall } from './soap.js'

// Our side of the QuickBooks Web Connector conversation (Intuit's QBWC Programmer's Guide, ch. 2
// and 10): authenticate opens a session with a ticket; each sendRequestXML hands out one qbXML
// query of the queued work; each receiveResponseXML stages that page in its own transaction and
// answers how far along the session is. Runs are the hub's sync runs, queued by SYNC or a schedule.
// Sessions live in the hub's store (connector kit): `session.<ticket hash>` for a month, and the
// `session.active` lease, renewed on every call, that keeps a second Web Connector out.

/** Connection facts the Setup tab shows, kept in the store; every key starts with STATUS_PREFIX. */
export const STATUS_PREFIX = 'qbwc.'

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
/** The prefix of a module's values in the store. */
const moduleKeys = (module: ModuleId) => `${module}.`
const resumeKey = (module: ModuleId) => `${module}.resume`
const sinceKey = (module: ModuleId) => `${module}.since`
const lastFullKey = (module: ModuleId) => `${module}.lastFullAt`
const hresultsKey = (module: ModuleId) => `${module}.hresults`

type Resume = { runId: number; fromName: string; maxModified?: string }

/** The request QuickBooks is working on, or the next one to hand out (requestId null). */
type Pending = { runId: number; module: ModuleId; page: number; position: QueryPosition; requestId: string | null; fromModified?: string; restarts: number }

type Session = {
  ticketHash: string
  createdAt: string
  clientAddress: string | null
  companyFile: string | null
  pending: Pending | PublishPending | null
  lastError: string | null
  closedAt: string | null
  runsTotal: number
  runsDone: number
  records: number
}

/** The session doing work now: another Web Connector is told busy until it closes or goes quiet. */
type Lease = { ticketHash: string; clientAddress: string | null }

const ACTIVE_KEY = 'session.active'
const sessionKey = (ticketHash: string) => `session.${ticketHash}`
/** Sessions are kept a month for support questions, then forgotten. */
const SESSION_KEPT_MS = 30 * 24 * 3600 * 1000

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
  constructor(private readonly hub: ConnectorHub) {
    this.log = hub.log
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

  private get store() {
    return this.hub.store
  }

  // ── authenticate ─────────────────────────────────────────────────────────────────────────────

  /** [ticket, ""|company file] to work, [ticket, "none"] when nothing is queued, ["", "nvu"] for bad credentials. */
  async authenticate(username: string, password: string, clientAddress: string | null = null): Promise<string[]> {
    const integration = await this.hub.integration()
    const settings = qbdSettings(integration.settings)
    const hash = await this.store.get(STATUS_KEYS.passwordHash)
    const valid = await this.hub.passwords.verify(integration.activated && hash && username === settings.username ? hash : null, password)
    await this.store.set(STATUS_KEYS.lastContact, new Date().toISOString())
    if (!valid) {
      const reason = !integration.activated
        ? 'QuickBooks Desktop is not activated in Clockbridge.'
        : !hash
          ? 'No Web Connector password is set: set one on the Setup tab.'
          : `The Web Connector signed in as "${username}" with a wrong user name or password.`
      await this.recordError(reason)
      this.log.warn({ event: 'qbwc_auth_failed', username }, 'Web Connector sign-in refused')
      return ['', 'nvu']
    }
    const ticket = randomUUID()
    const ticketHash = hashTicket(ticket)
    const work = [...(await this.hub.runs.open()), ...((await this.hub.publishing.waiting(new Date().toISOString())) ? [{ publish: true }] : [])]
    if (work.length > 0 && !(await this.takeLease({ ticketHash, clientAddress }))) {
      this.log.warn({ event: 'qbwc_busy' }, 'another Web Connector session is in progress')
      return ['', 'busy']
    }
    const session: Session = {
      ticketHash,
      createdAt: new Date().toISOString(),
      clientAddress,
      companyFile: null,
      pending: null,
      lastError: null,
      closedAt: null,
      runsTotal: work.length,
      runsDone: 0,
      records: 0,
    }
    await this.save(session)
    this.log.info({ event: 'qbwc_session_opened', runs: work.length }, 'Web Connector session opened')
    return [ticket, work.length === 0 ? 'none' : settings.companyFile]
  }

  // ── sendRequestXML ───────────────────────────────────────────────────────────────────────────

  async sendRequestXML(ticket: string, hostResponse: string, companyFile: string, major: string): Promise<string> {
    const session = await this.session(ticket, { working: true })
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
    await this.update(session, { pending })
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
    for (const [key, value] of status) if (value !== undefined) await this.store.set(key, value)
    session.companyFile = companyFile
    await this.save(session)
    const expected = qbdSettings((await this.hub.integration()).settings).companyFile
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
    const current = session.pending && 'runId' in session.pending ? session.pending : null
    const runs = await this.hub.runs.open()
    if (current && runs.some((r) => r.id === current.runId && r.status === 'running')) return current
    const run = runs.find((r) => r.status === 'running') ?? runs[0]
    if (!run) return null
    const module = run.module
    const state = await this.store.all(moduleKeys(module))
    const log = this.log.child({ runId: run.id, module })
    if (run.status === 'queued') {
      // An admin's SYNC reads everything (and so finds records removed in QuickBooks); a schedule
      // asks only for changes, with a full read at least weekly.
      const since = state[sinceKey(module)]
      const lastFull = state[lastFullKey(module)]
      const incremental = run.trigger !== 'manual' && !!since && !!lastFull && Date.now() - Date.parse(lastFull) < FULL_SYNC_EVERY_MS
      await this.hub.runs.begin(run.id, incremental ? 'incremental' : 'full')
      return { runId: run.id, module, page: 1, position: {}, requestId: null, fromModified: incremental ? since : undefined, restarts: 0 }
    }
    // A run a dropped session left running resumes after its last staged page, with a new iterator.
    const resume = this.resumeOf(state, module, run.id)
    log.info({ event: 'qbwc_run_resumed', fromName: resume?.fromName }, 'resuming a run a dropped session left')
    return {
      runId: run.id,
      module,
      page: run.pages + 1,
      position: resume ? { fromName: resume.fromName } : {},
      requestId: null,
      fromModified: run.mode === 'incremental' ? state[sinceKey(module)] : undefined,
      restarts: 0,
    }
  }

  // ── receiveResponseXML ───────────────────────────────────────────────────────────────────────

  /** Stages the page QuickBooks answered; returns the percent done (100 ends the session) or -1 on an error. */
  async receiveResponseXML(ticket: string, response: string, hresult: string, message: string): Promise<number> {
    const session = await this.session(ticket, { working: true })
    if (!session) return -1
    const waiting = session.pending
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
    // Paging by name starts each page at the previous page's last record: it came already.
    const skipFirst = !pending.position.iteratorId && !!pending.position.fromName && page.names[0]?.toLowerCase() === pending.position.fromName.toLowerCase()
    const records = skipFirst ? page.records.slice(1) : page.records
    const previous = this.resumeOf(await this.store.all(moduleKeys(module)), module, runId)
    const maxModified = [previous?.maxModified, page.maxModified].filter(Boolean).sort().pop()
    const resume: Resume = { runId, fromName: page.lastName ?? pending.position.fromName ?? '', maxModified }
    try {
      await this.hub.runs.stagePage(runId, module, pending.page, {
        records,
        checkpoint: { [resumeKey(module)]: JSON.stringify(resume) },
        request: `${MODULE_QUERIES[module].request} (qbXML 13.0) through the Web Connector, page ${pending.page}`,
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
      await this.update(session, { pending: next, records: stagedSoFar })
      const fraction = page.iteratorRemaining !== undefined ? records.length / (records.length + page.iteratorRemaining) : 0.5
      return this.percent({ ...session, records: stagedSoFar }, fraction)
    }
    const mode = (await this.hub.runs.open()).find((r) => r.id === runId)?.mode
    await this.hub.runs.complete(runId, module)
    if (maxModified) await this.store.set(sinceKey(module), maxModified)
    if (mode === 'full') await this.store.set(lastFullKey(module), new Date().toISOString())
    const done = { ...session, pending: null, records: stagedSoFar, runsDone: session.runsDone + 1 }
    await this.save(done)
    return this.percent(done, 0)
  }

  /** An iterator QuickBooks no longer knows (3391): start a new one where the last staged page ended. */
  private async restartIterator(session: Session, pending: Pending): Promise<number> {
    const resume = this.resumeOf(await this.store.all(moduleKeys(pending.module)), pending.module, pending.runId)
    const next: Pending = { ...pending, requestId: null, restarts: pending.restarts + 1, position: resume?.fromName ? { fromName: resume.fromName } : {} }
    this.log.warn({ event: 'qbwc_iterator_restarted', runId: pending.runId }, 'QuickBooks dropped the iterator; starting a new one')
    await this.update(session, { pending: next })
    return this.percent(session, 0)
  }

  /** How far this session is: finished runs plus a fraction of the current one; 100 only when nothing is left. */
  private async percent(session: Session, fraction: number): Promise<number> {
    const open = (await this.hub.runs.open()).length + ((await this.hub.publishing.waiting(session.createdAt)) ? 1 : 0)
    if (open === 0) return 100
    const total = Math.max(session.runsTotal, session.runsDone + open)
    return Math.min(99, Math.max(1, Math.floor((100 * (session.runsDone + fraction)) / total)))
  }

  // ── publishing hours ─────────────────────────────────────────────────────────────────────────

  /**
   * The next message set of time lines: deletions of corrected lines first, then additions. Its
   * lines are recorded as unconfirmed, with the set's id, before it is handed out: if the answer
   * never comes back, the next visit settles them instead of sending them again.
   */
  private async publishRequest(session: Session): Promise<string | null> {
    const lines = await this.hub.publishing.pending(PUBLISH_BATCH, session.createdAt)
    if (lines.length === 0) return null
    const requests: XmlNode[] = []
    const ids: number[] = []
    for (const l of lines) {
      if (l.action === 'delete' && !l.externalRef) {
        await this.hub.publishing.record(l.id, {
          status: 'failed',
          message: 'QuickBooks gave no TxnID for this line when it was sent; delete the old entry by hand in QuickBooks',
        })
        continue
      }
      requests.push(l.action === 'add' ? timeTrackingAdd(l.payload as TimeLine, `line-${l.id}`) : timeTrackingDelete(l.externalRef!, `line-${l.id}`))
      ids.push(l.id)
    }
    if (ids.length === 0) return this.publishRequest(session)
    const messageSetId = newMessageSetId()
    await this.hub.publishing.markUnconfirmed(ids, messageSetId)
    await this.update(session, { pending: { publish: { messageSetId, ids } } })
    return messageSet(requests, 'continueOnError', { newMessageSetID: messageSetId })
  }

  /**
   * A request that settles lines whose answer was lost, oldest first: QuickBooks is asked for the
   * answer it kept to their message set; lines it has no answer for are looked up by ExternalGUID
   * (additions, on their days and employees) and TxnID (deletions).
   */
  private async settleRequest(session: Session): Promise<string | null> {
    const lines = await this.hub.publishing.unconfirmed()
    if (lines.length === 0) return null
    const messageSetId = lines.find((l) => l.attemptId)?.attemptId
    if (messageSetId) {
      const ids = lines.filter((l) => l.attemptId === messageSetId).map((l) => l.id)
      await this.update(session, { pending: { recover: { messageSetId, ids } } })
      this.log.info({ event: 'qbwc_recovery_check', messageSetId, lines: ids.length }, 'asking QuickBooks for the answer it kept')
      return recoveryCheck(messageSetId)
    }
    const batch = lines.slice(0, PUBLISH_BATCH)
    const adds = batch.filter((l) => l.action === 'add').map((l) => l.payload as TimeLine)
    const dates = adds.map((l) => l.date).sort()
    const requests = timeTrackingLookup(`find-${batch[0]!.id}`, {
      from: dates[0],
      to: dates[dates.length - 1],
      employees: adds.map((l) => l.employee),
      txnIds: batch.filter((l) => l.action === 'delete' && l.externalRef).map((l) => l.externalRef!),
    })
    await this.update(session, { pending: { lookup: { ids: batch.map((l) => l.id) } } })
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
      for (const id of set.ids) await this.hub.publishing.record(id, { status: 'unconfirmed', message: reason })
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
    await this.hub.publishing.forgetAttempt(unanswered)
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
    const rows = await this.hub.publishing.stillUnconfirmed(ids)
    let found = 0
    for (const row of rows) {
      if (row.action === 'add') {
        const txnId = byGuid.get(externalGuid((row.payload as TimeLine).key))
        if (txnId) {
          await this.hub.publishing.record(row.id, { status: 'sent', ref: txnId })
          found++
        } else await this.notApplied(row)
      } else if (!txnIds.has(row.externalRef ?? '')) {
        await this.hub.publishing.record(row.id, { status: 'sent', ref: row.externalRef ?? '' })
        found++
      } else await this.notApplied(row)
    }
    this.log.info({ event: 'qbwc_lookup_done', lines: rows.length, found }, 'time lines with a lost answer settled')
    return this.stepDone(session, found)
  }

  /** QuickBooks certainly did not apply the line: it goes again, unless it was refused as often as it may be. */
  private async notApplied(row: AgentLine): Promise<void> {
    if (row.attempts >= MAX_REFUSED_TRIES) {
      const reason = row.message ?? 'QuickBooks did not add this line'
      await this.hub.publishing.record(row.id, {
        status: 'failed',
        message: `${reason.replace(/ Clockbridge checks these hours.*$/, '')}. Tried ${row.attempts} times; QuickBooks holds none of it. Fix what QuickBooks reports (or open the company file in single-user mode if it was busy), then press Retry failed lines.`,
      })
    } else await this.hub.publishing.sendAgain(row.id)
  }

  /** Records QuickBooks' answer for each line; a line it did not answer for stays unconfirmed, to be looked up. */
  private async recordQbOutcomes(ids: number[], outcomes: Map<string, QbLineOutcome>): Promise<number> {
    let sent = 0
    const attempts = new Map((await this.hub.publishing.stillUnconfirmed(ids)).map((l) => [l.id, l.attempts]))
    const publishing = this.hub.publishing
    for (const id of ids) {
      const outcome = outcomes.get(`line-${id}`)
      if (!outcome) {
        await publishing.forgetAttempt([id])
        await publishing.record(id, {
          status: 'unconfirmed',
          message: 'QuickBooks did not answer for this line; Clockbridge looks it up in QuickBooks on the next visit before sending it again.',
        })
      } else if (outcome.status === 'sent') {
        await publishing.record(id, { status: 'sent', ref: outcome.txnId })
        sent++
      } else if (outcome.retry && (attempts.get(id) ?? 0) < MAX_REFUSED_TRIES) await publishing.record(id, { status: 'pending', message: outcome.message })
      else await publishing.record(id, { status: 'failed', message: outcome.message })
    }
    return sent
  }

  /** A publishing step was answered: nothing is waiting any more, `settled` lines count as records, and the session goes on. */
  private async stepDone(session: Session, settled: number): Promise<number> {
    await this.update(session, { pending: null, records: session.records + settled })
    return this.percent(session, 0.5)
  }

  /** Ends the session with a reason the Web Connector shows (-1, then getLastError); the Setup tab keeps it. */
  private async stopSession(session: Session, reason: string): Promise<number> {
    await this.update(session, { pending: null, lastError: reason })
    await this.recordError(reason)
    return -1
  }

  // ── errors and the end of a session ──────────────────────────────────────────────────────────

  /** The page changes nothing, the run fails with the reason, and the Web Connector is told (-1, then getLastError). */
  private async fail(session: Session, pending: Pending | null, reason: string): Promise<number> {
    if (pending) await this.hub.runs.fail(pending.runId, reason)
    await this.update(session, { pending: null, lastError: reason })
    await this.recordError(reason)
    return -1
  }

  /**
   * QuickBooks raised an HRESULT for a page: the run stays where it is and that request is asked
   * again on the next visit, a bounded number of times, then the run fails with QuickBooks' reason.
   */
  private async retryOrFail(session: Session, pending: Pending, reason: string): Promise<number> {
    const key = hresultsKey(pending.module)
    const raw = await this.store.get(key)
    const before = raw ? (JSON.parse(raw) as { runId: number; tries: number }) : null
    const tries = before?.runId === pending.runId ? before.tries + 1 : 1
    if (tries >= MAX_REFUSED_TRIES) {
      await this.store.delete(key)
      return this.fail(
        session,
        pending,
        `${reason}. It failed ${tries} times; check that the company file opens in QuickBooks and is not in use, then press SYNC again.`,
      )
    }
    await this.store.set(key, JSON.stringify({ runId: pending.runId, tries }))
    return this.pause(session, pending, `${reason}. Clockbridge asks again on the Web Connector's next visit (try ${tries} of ${MAX_REFUSED_TRIES}).`)
  }

  /** QuickBooks asked us to come back later: the run stays where it is for the next visit. */
  private async pause(session: Session, pending: Pending, reason: string): Promise<number> {
    await this.update(session, { pending: { ...pending, requestId: null }, lastError: reason })
    await this.recordError(reason)
    return -1
  }

  /** sendRequestXML's "" answer: the Web Connector then asks getLastError for the reason. */
  private async refuse(session: Session, reason: string): Promise<string> {
    await this.update(session, { lastError: reason })
    await this.recordError(reason)
    return ''
  }

  async connectionError(ticket: string, hresult: string, message: string): Promise<string> {
    const session = await this.session(ticket)
    const reason = `The Web Connector could not open QuickBooks or the company file (${hresult}: ${message}). The queued syncs wait for its next run.`
    if (session) await this.update(session, { lastError: reason })
    await this.recordError(reason)
    return 'done'
  }

  async getLastError(ticket: string): Promise<string> {
    const session = await this.session(ticket, { includeClosed: true })
    if (!session) return 'This Web Connector session is unknown or has ended. The Web Connector signs in again on its next run.'
    return session.lastError ?? 'No error.'
  }

  async closeConnection(ticket: string): Promise<string> {
    const session = await this.session(ticket, { includeClosed: true })
    if (!session) return 'Clockbridge: unknown session.'
    await this.update(session, { closedAt: new Date().toISOString(), pending: null })
    await this.releaseLease(session)
    this.log.info({ event: 'qbwc_session_closed', records: session.records, error: session.lastError }, 'Web Connector session closed')
    if (session.lastError) return `Clockbridge: stopped. ${session.lastError}`
    // Only a session that did its work clears the last error: a visit with nothing to do says nothing about it.
    if (session.runsDone > 0 || session.records > 0) await this.store.delete(STATUS_KEYS.lastError)
    return `Clockbridge: ${session.runsDone} sync(s) done, ${session.records} record(s) read from or sent to QuickBooks.`
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  /**
   * The open session of a ticket (or a closed one, for getLastError and closeConnection). Every call
   * counts as contact. A session at work renews its lease; one whose lease another Web Connector
   * took while it was silent has ended.
   */
  private async session(ticket: string, opts: { includeClosed?: boolean; working?: boolean } = {}): Promise<Session | null> {
    await this.store.set(STATUS_KEYS.lastContact, new Date().toISOString())
    if (!ticket) return null
    const raw = await this.store.get(sessionKey(hashTicket(ticket)))
    const session = raw ? (JSON.parse(raw) as Session) : null
    if (!session || (session.closedAt && !opts.includeClosed)) return null
    if (opts.working && !session.closedAt && !(await this.renewLease(session))) {
      await this.save({
        ...session,
        closedAt: new Date().toISOString(),
        pending: null,
        lastError: 'Another Web Connector took over while this one was silent.',
      })
      return null
    }
    return session
  }

  private save(session: Session) {
    return this.store.set(sessionKey(session.ticketHash), JSON.stringify(session), { ttlMs: SESSION_KEPT_MS })
  }

  /** Changes the session, here and in the store. */
  private update(session: Session, change: Partial<Omit<Session, 'ticketHash'>>) {
    Object.assign(session, change)
    return this.save(session)
  }

  /**
   * A Web Connector runs one session at a time. Another one (a second PC) is told busy while the
   * lease is live. The same Web Connector signing in again has given up its old session (closed,
   * crashed, lost its connection): it takes it over at once, resumes from what was committed, and
   * settles first the writes whose answer was lost.
   */
  private async takeLease(lease: Lease): Promise<boolean> {
    const raw = await this.store.get(ACTIVE_KEY)
    const held = raw ? (JSON.parse(raw) as Lease) : null
    if (held && held.clientAddress !== lease.clientAddress) return false
    if (!(await this.store.compareAndSet(ACTIVE_KEY, raw, JSON.stringify(lease), { ttlMs: SESSION_IDLE_MS }))) return false
    const old = held ? await this.store.get(sessionKey(held.ticketHash)) : null
    if (old) {
      const session = JSON.parse(old) as Session
      await this.update(session, {
        closedAt: new Date().toISOString(),
        pending: null,
        lastError: 'Ended without closeConnection; the same Web Connector signed in again and took over.',
      })
      this.log.info({ event: 'qbwc_session_taken_over' }, 'the same Web Connector signed in again; its dropped session was taken over')
    }
    return true
  }

  /** Keeps this session's lease alive (or takes it back if it lapsed and nobody took it); false when another session holds it. */
  private async renewLease(session: Session): Promise<boolean> {
    const raw = await this.store.get(ACTIVE_KEY)
    const held = raw ? (JSON.parse(raw) as Lease) : null
    if (held && held.ticketHash !== session.ticketHash) return false
    const mine = JSON.stringify({ ticketHash: session.ticketHash, clientAddress: session.clientAddress } satisfies Lease)
    return this.store.compareAndSet(ACTIVE_KEY, raw, mine, { ttlMs: SESSION_IDLE_MS })
  }

  private async releaseLease(session: Session): Promise<void> {
    const raw = await this.store.get(ACTIVE_KEY)
    if (raw && (JSON.parse(raw) as Lease).ticketHash === session.ticketHash) await this.store.compareAndSet(ACTIVE_KEY, raw, null)
  }

  private resumeOf(state: Record<string, string>, module: ModuleId, runId: number): Resume | null {
    const raw = state[resumeKey(module)]
    const resume = raw ? (JSON.parse(raw) as Resume) : null
    return resume?.runId === runId ? resume : null
  }

  private async recordError(reason: string): Promise<void> {
    await this.store.set(STATUS_KEYS.lastError, reason)
    await this.store.set(STATUS_KEYS.lastErrorAt, new Date().toISOString())
    this.log.warn({ event: 'qbwc_error', error: reason }, 'Web Connector session error')
  }
}
