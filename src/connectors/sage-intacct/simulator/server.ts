import { dayNumber, isCalendarDate } from '../../../lib/dates.js'
import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { listenLocally } from '../../../lib/local-server.js'
import { child, childText, el, leaf, parseXml, writeXml, XmlError, type XmlElement, type XmlNode } from '../../../lib/xml.js'

// A stand-in for Sage Intacct's XML gateway over one generated company: getAPISession (answering
// with a tenant endpoint, which the connector must then use), readByQuery / readMore, create and
// delete TIMESHEET, with the faults a connector must survive. Like Intacct it checks the sender,
// the login or session, and the element order of what it parses. It listens on 127.0.0.1 only.

export type IntacctFault =
  | { kind: 'failure-result'; errorno: string; description2: string }
  | { kind: 'expired-session' }
  | { kind: 'malformed-xml' }
  | { kind: 'slow'; ms: number }
  | { kind: 'server-error' }
  /** The request is carried out, then the connection drops before the answer leaves. */
  | { kind: 'lose-answer' }

export const SIM_INTACCT = {
  senderId: 'clockbridge-sim',
  senderPassword: 'sender-secret-1',
  companyId: 'harbor-line',
  userId: 'ws_clockbridge',
  userPassword: 'user-secret-1',
}

type Row = Record<string, string | Record<string, string>>
export type Timesheet = { recordNo: string; employeeId: string; begin: string; description: string; entries: Record<string, string>[] }

const ORDER: Record<string, string[]> = {
  control: ['senderid', 'password', 'controlid', 'uniqueid', 'dtdversion', 'includewhitespace'],
  readByQuery: ['object', 'query', 'fields', 'pagesize', 'returnFormat'],
  TIMESHEET: ['EMPLOYEEID', 'BEGINDATE', 'DESCRIPTION', 'SUPDOCID', 'STATE', 'TIMESHEETENTRIES'],
  TIMESHEETENTRY: [
    'ENTRYDATE',
    'QTY',
    'DESCRIPTION',
    'NOTES',
    'TASKKEY',
    'TIMETYPE',
    'BILLABLE',
    'EXTBILLRATE',
    'EXTCOSTRATE',
    'DEPARTMENTID',
    'LOCATIONID',
    'PROJECTID',
    'CUSTOMERID',
    'VENDORID',
    'ITEMID',
    'CLASSID',
    'CONTRACTID',
    'WAREHOUSEID',
  ],
}

const FIRST = ['Olivia', 'Mateo', 'Aiko', 'Daniel', 'Nadia', 'Felix', 'Ingrid', 'Tariq', 'Chloe', 'Hugo', 'Amara', 'Leon']
const LAST = ['Hart', 'Ruiz', 'Tanaka', 'Okoro', 'Berg', 'Silva', 'Moreau', 'Quinn', 'Vega', 'Lind', 'Osei', 'Park']

export class IntacctSimulator {
  readonly app = new Hono()
  readonly objects = new Map<string, Row[]>()
  readonly timesheets: Timesheet[] = []
  /** Faults for the next requests, in order; one with `function` waits for a request that calls it (create, delete). */
  readonly faults: (IntacctFault & { function?: string })[] = []
  readonly log: { endpoint: string; functions: string[] }[] = []
  /** Time spent answering, for the benchmark. */
  handlerMs = 0
  /** Requests the company's performance tier takes at once; more are refused (HTTP 429, GW-0010). */
  concurrentLimit = 2
  /** Every answer takes at least this long (so that requests overlap, as they do against the real service). */
  delayMs = 0
  maxInFlight = 0
  /** Requests refused for going over the concurrent limit. */
  rejected = 0
  private inFlight = 0
  private readonly sessions = new Map<string, number>()
  private readonly results = new Map<string, { object: string; rows: Row[]; offset: number; pageSize: number }>()
  private readonly usedControlIds = new Set<string>()
  private nextRecordNo = 5000

  constructor(opts: { employees?: number; projects?: number } = {}) {
    this.generate(opts.employees ?? 20, opts.projects ?? 4)
    this.app.post('/ia/xml/xmlgw.phtml', (c) => this.handle(c.req.raw, 'gateway', c.env))
    this.app.post('/tenant/ia/xml/xmlgw.phtml', (c) => this.handle(c.req.raw, 'tenant', c.env))
  }

  async listen(): Promise<{ url: string; endpoint: string; close: () => Promise<void> }> {
    const server = await listenLocally(this.app.fetch)
    return { ...server, endpoint: `${server.url}/ia/xml/xmlgw.phtml` }
  }

  private generate(employees: number, projects: number) {
    const put = (object: string, row: Row) => {
      const rows = this.objects.get(object) ?? []
      rows.push({ RECORDNO: String(rows.length + 1), ...row })
      this.objects.set(object, rows)
    }
    for (const [id, title] of [
      ['100', 'Field Operations'],
      ['200', 'Office'],
      ['300', 'Shop'],
    ])
      put('DEPARTMENT', { DEPARTMENTID: id!, TITLE: title!, STATUS: 'active' })
    for (const name of ['Regular', 'Overtime', 'Double Time', 'PTO', 'Salary']) put('TIMETYPE', { NAME: name, STATUS: 'active' })
    for (const [id, name] of [
      ['V100', 'Northwind Concrete'],
      ['V200', 'Granite Electric'],
    ])
      put('VENDOR', { VENDORID: id!, NAME: name!, STATUS: 'active' })
    for (let p = 0; p < projects; p++) {
      const id = `P${100 + p}`
      put('PROJECT', {
        PROJECTID: id,
        NAME: `${LAST[p % LAST.length]} Tower`,
        STATUS: p === projects - 1 ? 'inactive' : 'active',
        PROJECTSTATUS: 'In Progress',
        BEGINDATE: '03/01/2024',
        CUSTOMERID: `C${100 + p}`,
      })
      for (const task of ['Framing', 'Electrical', 'Finishes']) this.addTask(id, task)
    }
    for (let i = 0; i < employees; i++) {
      const first = FIRST[i % FIRST.length]!
      const last = `${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? i : ''}`
      put('EMPLOYEE', {
        EMPLOYEEID: `E${1001 + i}`,
        PERSONALINFO: { CONTACTNAME: `${last}, ${first}`, FIRSTNAME: first, LASTNAME: last, EMAIL1: `${first}.${last}@example.com`.toLowerCase() },
        STATUS: i % 13 === 12 ? 'inactive' : 'active',
        STARTDATE: '04/15/2023',
        DEPARTMENTID: '100',
      })
    }
  }

  addTask(projectId: string, name: string) {
    const rows = this.objects.get('TASK') ?? []
    rows.push({
      RECORDNO: String(9000 + rows.length),
      TASKID: name.toUpperCase().slice(0, 4),
      NAME: name,
      PROJECTID: projectId,
      DESCRIPTION: `${name} on ${projectId}`,
    })
    this.objects.set('TASK', rows)
  }

  private async handle(request: Request, via: 'gateway' | 'tenant', env: unknown): Promise<Response> {
    if (this.inFlight >= this.concurrentLimit) {
      this.rejected++
      const body = `<?xml version="1.0" encoding="UTF-8"?>${writeXml(el('response', {}, el('control', {}, leaf('status', 'failure')), errorMessage('GW-0010', `Too many concurrent requests: this company allows ${this.concurrentLimit} at a time.`)))}`
      return new Response(body, { status: 429, headers: { 'content-type': 'text/xml' } })
    }
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    const started = performance.now()
    try {
      const body = this.faults.some((f) => f.function) ? await request.clone().text() : ''
      const at = this.faults.findIndex((f) => !f.function || body.includes(`<${f.function}>`))
      const fault = at >= 0 ? this.faults.splice(at, 1)[0] : undefined
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs))
      const response = await this.answer(request, via, fault)
      if (fault?.kind === 'lose-answer') {
        ;(env as { incoming?: { socket?: { destroy: () => void } } } | undefined)?.incoming?.socket?.destroy()
        return new Response(null, { status: 500 })
      }
      return response
    } finally {
      this.inFlight--
      this.handlerMs += performance.now() - started
    }
  }

  private async answer(request: Request, via: 'gateway' | 'tenant', fault: IntacctFault | undefined): Promise<Response> {
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms))
    if (fault?.kind === 'server-error') return new Response('Service Unavailable', { status: 503 })
    if (fault?.kind === 'malformed-xml')
      return xml('<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation><result>')
    let root: XmlElement
    try {
      root = parseXml(await request.text())
    } catch (err) {
      return xml(this.controlFailure('XL03000001', `The request is not well-formed XML: ${err instanceof XmlError ? err.message : String(err)}`))
    }
    const control = child(root, 'control')
    const orderProblem = checkOrder(control) ?? checkOrder(child(root, 'operation'), ['authentication', 'content'])
    if (root.name !== 'request' || orderProblem) return xml(this.controlFailure('XL03000001', orderProblem ?? 'The root element must be <request>'))
    if (childText(control, 'senderid') !== SIM_INTACCT.senderId || childText(control, 'password') !== SIM_INTACCT.senderPassword)
      return xml(this.controlFailure('XL03000005', 'Invalid Web Services Authorization: the sender id or password is incorrect'))
    const controlId = childText(control, 'controlid') ?? ''
    if (childText(control, 'uniqueid') === 'true') {
      // Intacct refuses a repeated control id when uniqueid is true; this error number is the simulator's.
      if (this.usedControlIds.has(controlId))
        return xml(this.controlFailure('XL03000003', `A request with control id ${controlId} was already processed (uniqueid is true)`))
      this.usedControlIds.add(controlId)
    }
    const operation = child(root, 'operation')!
    const auth = child(operation, 'authentication')
    const login = child(auth, 'login')
    const sessionId = childText(auth, 'sessionid')
    const functions = (child(operation, 'content')?.children ?? []).filter((f) => f.name === 'function')
    this.log.push({ endpoint: via, functions: functions.map((f) => f.children[0]?.name ?? '') })
    let authOk: boolean
    if (login)
      authOk =
        childText(login, 'userid') === SIM_INTACCT.userId &&
        childText(login, 'companyid') === SIM_INTACCT.companyId &&
        childText(login, 'password') === SIM_INTACCT.userPassword
    else {
      if (fault?.kind === 'expired-session' && sessionId) this.sessions.delete(sessionId)
      authOk = !!sessionId && (this.sessions.get(sessionId) ?? 0) > Date.now()
    }
    if (!authOk) {
      return xml(
        envelope(
          controlId,
          el(
            'operation',
            {},
            el('authentication', {}, leaf('status', 'failure'), leaf('userid', SIM_INTACCT.userId), leaf('companyid', SIM_INTACCT.companyId)),
            errorMessage('XL03000006', 'Sign-in information is incorrect or the session has expired'),
          ),
        ),
      )
    }
    const origin = new URL(request.url).origin
    const results = functions.map((f) => (fault?.kind === 'failure-result' ? failure(f, fault.errorno, fault.description2) : this.run(f, origin)))
    return xml(
      envelope(
        controlId,
        el(
          'operation',
          {},
          el(
            'authentication',
            {},
            leaf('status', 'success'),
            leaf('userid', SIM_INTACCT.userId),
            leaf('companyid', SIM_INTACCT.companyId),
            leaf('sessiontimeout', new Date(Date.now() + 3600_000).toISOString()),
          ),
          ...results,
        ),
      ),
    )
  }

  private controlFailure(errorno: string, description2: string) {
    return `<?xml version="1.0" encoding="UTF-8"?>${writeXml(el('response', {}, el('control', {}, leaf('status', 'failure')), errorMessage(errorno, description2)))}`
  }

  /** Ends every session: the next call with one is refused. */
  expireSessions() {
    this.sessions.clear()
  }

  private run(f: XmlElement, origin: string): XmlNode {
    const call = f.children[0]
    const controlId = f.attributes.controlid ?? ''
    const ok = (data: XmlNode | null, name: string) => el('result', {}, leaf('status', 'success'), leaf('function', name), leaf('controlid', controlId), data)
    switch (call?.name) {
      case 'getAPISession': {
        const id = `${randomBytes(18).toString('base64url')}..`
        this.sessions.set(id, Date.now() + 3600_000)
        return ok(
          el('data', {}, el('api', {}, leaf('sessionid', id), leaf('endpoint', `${origin}/tenant/ia/xml/xmlgw.phtml`), el('locationid'))),
          'getAPISession',
        )
      }
      case 'readByQuery': {
        const problem = checkOrder(call)
        if (problem) return failure(f, 'XL03000001', problem)
        const object = childText(call, 'object') ?? ''
        const rows = object === 'TIMESHEET' ? this.timesheetRows() : this.objects.get(object)
        if (!rows) return failure(f, 'DL02000001', `Object ${object} does not exist or is not available`)
        const pageSize = Math.min(1000, Math.max(1, Number(childText(call, 'pagesize') ?? 1000)))
        const matching = filterRows(rows, childText(call, 'query') ?? '')
        if ('error' in matching) return failure(f, 'DL02000001', matching.error)
        const resultId = randomBytes(12).toString('hex')
        this.results.set(resultId, { object, rows: matching, offset: 0, pageSize })
        return ok(this.page(resultId), 'readByQuery')
      }
      case 'readMore': {
        const resultId = childText(call, 'resultId') ?? ''
        if (!this.results.has(resultId)) return failure(f, 'DL02000001', `There is no result set with resultId ${resultId}`)
        return ok(this.page(resultId), 'readMore')
      }
      case 'create': {
        const sheet = child(call, 'TIMESHEET')
        if (!sheet) return failure(f, 'BL01001973', 'The simulator creates TIMESHEET only')
        const made = this.createTimesheet(sheet)
        if ('error' in made) return failure(f, 'BL03000018', made.error)
        return ok(el('data', { listtype: 'objects', count: '1' }, el('timesheet', {}, leaf('RECORDNO', made.recordNo))), 'create')
      }
      case 'delete': {
        const key = childText(call, 'keys') ?? ''
        const at = this.timesheets.findIndex((t) => t.recordNo === key)
        if (childText(call, 'object') !== 'TIMESHEET' || at < 0) return failure(f, 'BL01001973', `Timesheet ${key} does not exist`)
        this.timesheets.splice(at, 1)
        return ok(null, 'delete')
      }
      default:
        return failure(f, 'XL03000001', `Unknown function ${call?.name}`)
    }
  }

  private page(resultId: string): XmlNode {
    const r = this.results.get(resultId)!
    const rows = r.rows.slice(r.offset, r.offset + r.pageSize)
    r.offset += rows.length
    const remaining = r.rows.length - r.offset
    if (remaining === 0) this.results.delete(resultId)
    return el(
      'data',
      { listtype: r.object.toLowerCase(), count: rows.length, totalcount: r.rows.length, numremaining: remaining, resultId: remaining > 0 ? resultId : '' },
      ...rows.map((row) => rowXml(r.object.toLowerCase(), row)),
    )
  }

  private timesheetRows(): Row[] {
    return this.timesheets.map((t) => ({ RECORDNO: t.recordNo, EMPLOYEEID: t.employeeId, BEGINDATE: t.begin, DESCRIPTION: t.description }))
  }

  private createTimesheet(sheet: XmlElement): { recordNo: string } | { error: string } {
    const problem = checkOrder(sheet)
    if (problem) return { error: problem }
    const employeeId = childText(sheet, 'EMPLOYEEID') ?? ''
    if (!this.find('EMPLOYEE', 'EMPLOYEEID', employeeId)) return { error: `Invalid Employee ${employeeId}` }
    const begin = childText(sheet, 'BEGINDATE') ?? ''
    // Intacct writes dates MM/DD/YYYY.
    const isoOf = (us: string) => `${us.slice(6, 10)}-${us.slice(0, 2)}-${us.slice(3, 5)}`
    if (!/^\d{2}\/\d{2}\/\d{4}$/.test(begin) || !isCalendarDate(isoOf(begin))) return { error: `BEGINDATE ${begin} is not a date in MM/DD/YYYY` }
    const entries: Record<string, string>[] = []
    for (const e of child(sheet, 'TIMESHEETENTRIES')?.children ?? []) {
      const order = checkOrder(e)
      if (order) return { error: order }
      const entry = Object.fromEntries(e.children.map((c) => [c.name, c.text]))
      const date = entry.ENTRYDATE ?? ''
      const into = isCalendarDate(isoOf(date)) ? dayNumber(isoOf(date)) - dayNumber(isoOf(begin)) : -1
      if (!(into >= 0 && into < 7)) return { error: `Entry date ${date} is outside the timesheet week starting ${begin}` }
      if (!(Number(entry.QTY) > 0)) return { error: `Entry on ${date}: QTY ${entry.QTY} is not a positive number of hours` }
      if (entry.TIMETYPE && !this.find('TIMETYPE', 'NAME', entry.TIMETYPE)) return { error: `Invalid Time Type ${entry.TIMETYPE}` }
      if (entry.TASKKEY && !this.find('TASK', 'RECORDNO', entry.TASKKEY)) return { error: `Invalid Task ${entry.TASKKEY}` }
      if (entry.PROJECTID && !this.find('PROJECT', 'PROJECTID', entry.PROJECTID)) return { error: `Invalid Project ${entry.PROJECTID}` }
      if (entry.DEPARTMENTID && !this.find('DEPARTMENT', 'DEPARTMENTID', entry.DEPARTMENTID)) return { error: `Invalid Department ${entry.DEPARTMENTID}` }
      entries.push(entry)
    }
    const recordNo = String(this.nextRecordNo++)
    this.timesheets.push({ recordNo, employeeId, begin, description: childText(sheet, 'DESCRIPTION') ?? '', entries })
    return { recordNo }
  }

  private find(object: string, key: string, value: string) {
    return this.objects.get(object)?.find((r) => r[key] === value)
  }
}

/** The filters the connector sends: none, or `FIELD IN ('a', 'b')`. */
function filterRows(rows: Row[], query: string): Row[] | { error: string } {
  if (query.trim() === '') return rows
  const m = /^(\w+) IN \((.*)\)$/.exec(query.trim())
  if (!m) return { error: `The simulator does not understand the query: ${query}` }
  const values = new Set([...m[2]!.matchAll(/'([^']*)'/g)].map((v) => v[1]!))
  return rows.filter((r) => values.has(String(r[m[1]!] ?? '')))
}

function rowXml(name: string, row: Row): XmlNode {
  return el(
    name,
    {},
    ...Object.entries(row).map(([k, v]) =>
      typeof v === 'string' ? { name: k, text: v } : el(k, {}, ...Object.entries(v).map(([kk, vv]) => ({ name: kk, text: vv }))),
    ),
  )
}

/** Elements must come in the documented order (unknown ones are refused). */
function checkOrder(parent: XmlElement | undefined, expected = parent ? ORDER[parent.name] : undefined): string | null {
  if (!parent || !expected) return null
  let last = -1
  for (const c of parent.children) {
    const at = expected.indexOf(c.name)
    if (at < 0) return `<${c.name}> is not allowed in <${parent.name}>`
    if (at < last) return `<${c.name}> is out of order in <${parent.name}> (expected ${expected.join(', ')})`
    last = at
  }
  return null
}

const errorMessage = (errorno: string, description2: string) =>
  el('errormessage', {}, el('error', {}, leaf('errorno', errorno), el('description'), leaf('description2', description2), el('correction')))
const failure = (f: XmlElement, errorno: string, description2: string): XmlNode =>
  el(
    'result',
    {},
    leaf('status', 'failure'),
    leaf('function', f.children[0]?.name ?? ''),
    leaf('controlid', f.attributes.controlid ?? ''),
    errorMessage(errorno, description2),
  )
const envelope = (controlId: string, operation: XmlNode) =>
  `<?xml version="1.0" encoding="UTF-8"?>${writeXml(el('response', {}, el('control', {}, leaf('status', 'success'), leaf('senderid', SIM_INTACCT.senderId), leaf('controlid', controlId), leaf('uniqueid', 'false'), leaf('dtdversion', '3.0')), operation))}`
const xml = (body: string) => new Response(body, { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' } })
