import { randomUUID } from 'node:crypto'
import { child, childText, el, leaf, parseXml, path, writeXml, XmlError, type XmlElement, type XmlNode } from '../../../lib/xml.js'
import { orderProblem } from '../qbxml-order.js'
import { sharedEmail } from '../../kit/simulated-company.js'

// A QuickBooks Desktop company file, as the tests and the demo need one: generated employees,
// vendors, customers and jobs, service items, classes and wage items, answering qbXML 13.0 list
// queries (filters, iterators) and time tracking adds and deletes. Like QuickBooks, it refuses a
// message set whose elements are out of the schema's order, as a parse error (0x80040400).

export const PARSE_ERROR = { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' }

export type ListRecord = {
  listId: string
  name: string
  fullName: string
  isActive: boolean
  timeCreated: string
  timeModified: string
  editSequence: string
  /** Everything else, written in schema order by the list's renderer. */
  fields: Record<string, string | undefined>
  parent?: string
  /** The full name in lower case: QuickBooks lists sort and compare names without case. */
  sortKey: string
}

export type ListName = 'Employee' | 'Vendor' | 'Customer' | 'ItemService' | 'Class' | 'PayrollItemWage'

export type TimeTracking = {
  txnId: string
  externalGuid?: string
  date: string
  entity: string
  customer?: string
  item?: string
  duration: string
  class?: string
  wageItem?: string
  notes?: string
}

export type CompanyOptions = {
  employees?: number
  customers?: number
  companyName?: string
  seed?: number
  /** The first employees' names, instead of generated ones. */ people?: { first: string; last: string }[]
}

/** Answers for one message set: a qbXML response, or the HRESULT the request processor raised. */
export type Processed = { response: string } | { hresult: string; message: string }

/** A session's iterators: QuickBooks forgets them when the session ends. */
export type QbSession = { iterators: Map<string, { list: ListRecord[]; cursor: number }> }

const FIRST = ['Maria', 'Ken', 'Ana', 'Luis', 'Grace', 'Omar', 'Sofia', 'Dmitri', 'Aisha', 'Tom', 'Priya', 'Jon', 'Lena', 'Raj', 'Eva', 'Sam']
const LAST = [
  'Lopez',
  'Ito',
  'Garcia',
  'Brown',
  'Okafor',
  'Haddad',
  'Rossi',
  'Petrov',
  'Khan',
  'Nguyen',
  'Shah',
  'Berg',
  'Kowalski',
  'Silva',
  'Meyer',
  'Dubois',
]
const TRADES = [
  'Framing',
  'Drywall',
  'Electrical',
  'Plumbing',
  'Roofing',
  'Concrete',
  'Painting',
  'Demolition',
  'Site Prep',
  'Finish Carpentry',
  'HVAC',
  'Cleanup',
]

export class QuickBooksCompany {
  readonly lists: Record<ListName, ListRecord[]> = { Employee: [], Vendor: [], Customer: [], ItemService: [], Class: [], PayrollItemWage: [] }
  readonly timeTracking: TimeTracking[] = []
  readonly companyName: string
  /** The Web Connector stamps this into the company file under our OwnerID. */
  fileId = '{3F2504E0-4F89-41D3-9A0C-0305E82C3301}'
  /** Faults the tests switch on: a status code for the nth request from now, every iterator forgotten. */
  readonly faults: { statusOnRequest?: { after: number; code: number; message: string }; forgetIteratorsOnce?: boolean } = {}
  /** The last message set run with a newMessageSetID, and the answer QuickBooks kept for it (error recovery). */
  private lastMessageSet: { id: string; response: string } | null = null
  private nextId = 1
  private nextTxn = 1
  private version = 0
  private readonly sortedCache = new Map<ListName, { key: string; records: ListRecord[] }>()
  private clock = Date.parse('2024-01-15T08:00:00Z')
  private random: () => number

  constructor(opts: CompanyOptions = {}) {
    this.companyName = opts.companyName ?? 'Ridgeline Builders LLC'
    let seed = opts.seed ?? 42
    this.random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    this.generate(opts.employees ?? 25, opts.customers ?? 8, opts.people ?? [])
  }

  private generate(employees: number, customers: number, people: { first: string; last: string }[]) {
    for (const [name, type] of [
      ['Hourly Rate', 'HourlyRegular'],
      ['Overtime Rate', 'HourlyOvertime'],
      ['Double Time Rate', 'HourlyOvertime'],
      ['Sick Hourly', 'HourlySick'],
      ['Vacation Hourly', 'HourlyVacation'],
      ['Salary', 'SalaryRegular'],
    ] as const) {
      this.add('PayrollItemWage', name, { WageType: type })
    }
    for (const name of ['Field Crew', 'Office', 'Shop']) this.add('Class', name, {})
    this.add('Class', 'Electrical', {}, this.lists.Class[0]!.listId)
    for (const trade of TRADES) this.add('ItemService', trade, { Desc: `${trade} labor` })
    for (const name of ['Apex Concrete Inc', 'Bright Electric Co', 'Coastal Roofing', 'Delta Plumbing', 'Evergreen Landscaping'])
      this.add('Vendor', name, { CompanyName: name })
    for (let i = 0; i < customers; i++) {
      const customer = this.add('Customer', `${LAST[i % LAST.length]} Residence${i >= LAST.length ? ` ${i}` : ''}`, {
        City: 'Springfield',
        State: 'IL',
        PostalCode: '62701',
        Country: 'US',
        JobStatus: 'None',
      })
      const jobs = Math.floor(this.random() * 3)
      for (let j = 0; j < jobs; j++)
        this.add(
          'Customer',
          ['Kitchen Remodel', 'New Deck', 'Basement Finish'][j]!,
          { JobStatus: j === 2 ? 'Closed' : 'InProgress', JobStartDate: '2024-03-01' },
          customer.listId,
        )
    }
    for (let i = 0; i < employees; i++) {
      const first = people[i]?.first ?? FIRST[i % FIRST.length]!
      const last = people[i]?.last ?? `${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? i : ''}`
      this.add('Employee', `${first} ${last}`, {
        FirstName: first,
        LastName: last,
        Phone: `555-01${String(i % 100).padStart(2, '0')}`,
        Email: sharedEmail(i) ?? `${first}.${last}@example.com`.toLowerCase(),
        HiredDate: '2023-04-03',
        AccountNumber: String(1001 + i),
        ClassRef: this.lists.Class[0]!.fullName,
      })
    }
  }

  /** Adds a record to a list as QuickBooks would: a ListID, times, an edit sequence, a full name under its parent. */
  add(list: ListName, name: string, fields: Record<string, string | undefined>, parentListId?: string): ListRecord {
    const parent = parentListId ? this.lists[list].find((r) => r.listId === parentListId) : undefined
    const now = this.tick()
    const record: ListRecord = {
      listId: `${(0x80000000 + this.nextId++).toString(16).toUpperCase()}-1705305600`,
      name,
      fullName: parent ? `${parent.fullName}:${name}` : name,
      isActive: true,
      timeCreated: now,
      timeModified: now,
      editSequence: String(Date.parse(now) / 1000),
      fields,
      parent: parent?.listId,
      sortKey: (parent ? `${parent.fullName}:${name}` : name).toLowerCase(),
    }
    this.version++
    this.lists[list].push(record)
    return record
  }

  /** Changes a record as a QuickBooks user would, moving its TimeModified on. */
  modify(list: ListName, listId: string, change: Partial<Pick<ListRecord, 'isActive' | 'name'>> & { fields?: Record<string, string | undefined> }): void {
    const r = this.lists[list].find((x) => x.listId === listId)
    if (!r) throw new Error(`No ${list} ${listId}`)
    if (change.isActive !== undefined) r.isActive = change.isActive
    if (change.name) {
      r.fullName = r.fullName.slice(0, r.fullName.length - r.name.length) + change.name
      r.name = change.name
      r.sortKey = r.fullName.toLowerCase()
    }
    this.version++
    Object.assign(r.fields, change.fields ?? {})
    r.timeModified = this.tick()
    r.editSequence = String(Date.parse(r.timeModified) / 1000)
  }

  private tick(): string {
    this.clock += 60_000
    return new Date(this.clock).toISOString().replace('.000Z', '+00:00')
  }

  /** QuickBooks' reply to the Web Connector's host query, sent as strHCPResponse. */
  hostResponse(ownerId: string): string {
    const versions = [
      '1.0',
      '1.1',
      '2.0',
      '2.1',
      '3.0',
      '4.0',
      '4.1',
      '5.0',
      '6.0',
      '7.0',
      '8.0',
      '9.0',
      '10.0',
      '11.0',
      '12.0',
      '13.0',
      '14.0',
      '15.0',
      '16.0',
    ]
    const host = el(
      'HostQueryRs',
      { requestID: '0', statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' },
      el(
        'HostRet',
        {},
        leaf('ProductName', 'QuickBooks Enterprise Solutions: Contractor 23.0'),
        leaf('MajorVersion', 33),
        leaf('MinorVersion', 0),
        leaf('Country', 'US'),
        ...versions.map((v) => leaf('SupportedQBXMLVersion', v)),
        leaf('IsAutomaticLogin', 'false'),
        leaf('QBFileMode', 'SingleUser'),
      ),
    )
    const company = el(
      'CompanyQueryRs',
      { requestID: '1', statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' },
      el(
        'CompanyRet',
        {},
        leaf('IsSampleCompany', 'false'),
        leaf('CompanyName', this.companyName),
        leaf('LegalCompanyName', this.companyName),
        el('DataExtRet', {}, leaf('OwnerID', ownerId), leaf('DataExtName', 'FileID'), leaf('DataExtType', 'STR255TYPE'), leaf('DataExtValue', this.fileId)),
      ),
    )
    const prefs = el(
      'PreferencesQueryRs',
      { requestID: '2', statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' },
      el(
        'PreferencesRet',
        {},
        el('AccountingPreferences', {}, leaf('IsUsingClassTracking', 'true')),
        el('TimeTrackingPreferences', {}, leaf('FirstDayOfWeek', 'Monday')),
      ),
    )
    return `<?xml version="1.0" ?>${writeXml(el('QBXML', {}, el('QBXMLMsgsRs', {}, host, company, prefs)))}`
  }

  /** Processes one message set from sendRequestXML as QuickBooks' request processor would. */
  process(qbxml: string, session: QbSession): Processed {
    let root: XmlElement
    try {
      root = parseXml(qbxml)
    } catch (err) {
      if (err instanceof XmlError) return PARSE_ERROR
      throw err
    }
    const set = child(root, 'QBXMLMsgsRq')
    if (root.name !== 'QBXML' || !set || !['stopOnError', 'continueOnError', 'rollbackOnError'].includes(set.attributes.onError ?? '')) return PARSE_ERROR
    if (set.children.some((rq) => orderProblem(rq) !== null)) return PARSE_ERROR
    const oldId = set.attributes.oldMessageSetID
    const newId = set.attributes.newMessageSetID
    if ((oldId && oldId.length > 23) || (newId && newId.length > 23)) return PARSE_ERROR
    // Error recovery: a set naming the last one QuickBooks ran for this application gets the answer
    // it kept for it, and nothing of the set is run again. A set it has no record of: status 600.
    if (oldId && oldId !== 'ClearAllMessageSets') {
      const kept = this.lastMessageSet
      if (kept && kept.id === oldId) return { response: kept.response }
      if (set.children.length === 0) return { response: `<?xml version="1.0" ?>${writeXml(el('QBXML', {}, el('QBXMLMsgsRs', { messageSetStatusCode: 600 })))}` }
    }
    if (this.faults.forgetIteratorsOnce && set.children.some((rq) => rq.attributes.iterator === 'Continue')) {
      session.iterators.clear()
      delete this.faults.forgetIteratorsOnce
    }
    const responses: XmlNode[] = []
    for (const rq of set.children) {
      const rs = this.answer(rq, session)
      responses.push(rs)
      if (set.attributes.onError === 'stopOnError' && Number(rs.attributes?.statusCode) >= 1000) break
    }
    const attributes = newId ? { newMessageSetID: newId, messageSetStatusCode: 0 } : {}
    const response = `<?xml version="1.0" ?>${writeXml(el('QBXML', {}, el('QBXMLMsgsRs', attributes, ...responses)))}`
    if (newId) this.lastMessageSet = { id: newId, response }
    return { response }
  }

  private answer(rq: XmlElement, session: QbSession): XmlNode {
    const name = rq.name.replace(/Rq$/, 'Rs')
    const requestID = rq.attributes.requestID
    const fault = this.faults.statusOnRequest
    if (fault && fault.after-- <= 0) {
      delete this.faults.statusOnRequest
      return el(name, { requestID, statusCode: fault.code, statusSeverity: 'Error', statusMessage: fault.message })
    }
    const list = LIST_OF[rq.name]
    if (list) return this.query(list, rq, session)
    if (rq.name === 'TimeTrackingAddRq') return this.addTime(rq)
    if (rq.name === 'TimeTrackingQueryRq') return this.queryTime(rq)
    if (rq.name === 'TxnDelRq') return this.deleteTxn(rq)
    return el(name, {
      requestID,
      statusCode: 3250,
      statusSeverity: 'Error',
      statusMessage: 'This feature is not enabled or not available in this version of QuickBooks.',
    })
  }

  private query(list: ListName, rq: XmlElement, session: QbSession): XmlNode {
    const name = rq.name.replace(/Rq$/, 'Rs')
    const requestID = rq.attributes.requestID
    const max = Number(childText(rq, 'MaxReturned') ?? Infinity)
    if (rq.attributes.iterator === 'Continue') {
      const iteratorId = rq.attributes.iteratorID ?? ''
      const it = session.iterators.get(iteratorId)
      if (!it) return el(name, { requestID, statusCode: 3391, statusSeverity: 'Error', statusMessage: `The iteratorID "${iteratorId}" is not valid.` })
      const records = it.list.slice(it.cursor, it.cursor + max)
      it.cursor += records.length
      return this.listResponse(list, name, requestID, records, { iteratorID: iteratorId, iteratorRemainingCount: it.list.length - it.cursor })
    }
    if (rq.attributes.iterator !== 'Start') return this.listResponse(list, name, requestID, this.filter(list, rq, max), {})
    // An iterator holds what the query matched when it started, for this session only.
    const matching = this.filter(list, rq)
    const iteratorId = `{${randomUUID()}}`
    const records = matching.slice(0, max)
    session.iterators.set(iteratorId, { list: matching, cursor: records.length })
    return this.listResponse(list, name, requestID, records, { iteratorID: iteratorId, iteratorRemainingCount: matching.length - records.length })
  }

  /** ActiveStatus (ActiveOnly by default), modified-date and name-range filters, sorted by full name; at most `max`. */
  private filter(list: ListName, rq: XmlElement, max = Infinity): ListRecord[] {
    const active = childText(rq, 'ActiveStatus') ?? 'ActiveOnly'
    const from = childText(rq, 'FromModifiedDate')
    const fromTime = from ? Date.parse(from) : undefined
    const fromName = path(rq, 'NameRangeFilter', 'FromName')?.text?.toLowerCase()
    const ids = rq.children.filter((c) => c.name === 'ListID').map((c) => c.text)
    const sorted = this.sorted(list)
    const out: ListRecord[] = []
    for (let i = fromName ? lowerBound(sorted, fromName) : 0; i < sorted.length && out.length < max; i++) {
      const r = sorted[i]!
      if (ids.length > 0 && !ids.includes(r.listId)) continue
      if (active !== 'All' && (active === 'ActiveOnly') !== r.isActive) continue
      if (fromTime !== undefined && Date.parse(r.timeModified) < fromTime) continue
      out.push(r)
    }
    return out
  }

  /** Each list in full-name order, kept until the list changes (a large company is queried page by page). */
  private sorted(list: ListName): ListRecord[] {
    const key = `${this.version}:${this.lists[list].length}`
    const cached = this.sortedCache.get(list)
    if (cached && cached.key === key) return cached.records
    const records = [...this.lists[list]].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    this.sortedCache.set(list, { key, records })
    return records
  }

  private listResponse(list: ListName, name: string, requestID: string | undefined, records: ListRecord[], iterator: Record<string, string | number>): XmlNode {
    if (records.length === 0) {
      return el(name, {
        requestID,
        statusCode: 1,
        statusSeverity: 'Info',
        statusMessage: 'A query request did not find a matching object in QuickBooks',
        ...iterator,
      })
    }
    return el(name, { requestID, statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK', ...iterator }, ...records.map((r) => this.ret(list, r)))
  }

  private ret(list: ListName, r: ListRecord): XmlNode {
    const f = r.fields
    const head = [
      leaf('ListID', r.listId),
      leaf('TimeCreated', r.timeCreated),
      leaf('TimeModified', r.timeModified),
      leaf('EditSequence', r.editSequence),
      leaf('Name', r.name),
    ]
    const parentRef = r.parent ? el('ParentRef', {}, leaf('ListID', r.parent), leaf('FullName', r.fullName.slice(0, r.fullName.lastIndexOf(':')))) : null
    const sublevel = leaf('Sublevel', r.fullName.split(':').length - 1)
    switch (list) {
      case 'Employee':
        return el(
          'EmployeeRet',
          {},
          ...head,
          leaf('IsActive', String(r.isActive)),
          leaf('FirstName', f.FirstName),
          leaf('LastName', f.LastName),
          leaf('Phone', f.Phone),
          leaf('Email', f.Email),
          leaf('EmployeeType', 'Regular'),
          leaf('HiredDate', f.HiredDate),
          leaf('AccountNumber', f.AccountNumber),
          el(
            'EmployeePayrollInfo',
            {},
            leaf('PayPeriod', 'Weekly'),
            f.ClassRef ? el('ClassRef', {}, leaf('FullName', f.ClassRef)) : null,
            leaf('UseTimeDataToCreatePaychecks', 'UseTimeData'),
          ),
        )
      case 'Vendor':
        return el('VendorRet', {}, ...head, leaf('IsActive', String(r.isActive)), leaf('CompanyName', f.CompanyName))
      case 'Customer':
        return el(
          'CustomerRet',
          {},
          ...head,
          leaf('FullName', r.fullName),
          leaf('IsActive', String(r.isActive)),
          parentRef,
          sublevel,
          f.City
            ? el(
                'ShipAddress',
                {},
                leaf('Addr1', f.Addr1),
                leaf('City', f.City),
                leaf('State', f.State),
                leaf('PostalCode', f.PostalCode),
                leaf('Country', f.Country),
              )
            : null,
          leaf('Balance', '0.00'),
          leaf('TotalBalance', '0.00'),
          leaf('JobStatus', f.JobStatus),
          leaf('JobStartDate', f.JobStartDate),
          leaf('JobEndDate', f.JobEndDate),
        )
      case 'ItemService':
        return el(
          'ItemServiceRet',
          {},
          ...head,
          leaf('FullName', r.fullName),
          leaf('IsActive', String(r.isActive)),
          parentRef,
          sublevel,
          el('SalesOrPurchase', {}, leaf('Desc', f.Desc), leaf('Price', '0.00'), el('AccountRef', {}, leaf('FullName', 'Construction Income'))),
        )
      case 'Class':
        return el('ClassRet', {}, ...head, leaf('FullName', r.fullName), leaf('IsActive', String(r.isActive)), parentRef, sublevel)
      case 'PayrollItemWage':
        return el(
          'PayrollItemWageRet',
          {},
          ...head,
          leaf('IsActive', String(r.isActive)),
          leaf('WageType', f.WageType),
          el('ExpenseAccountRef', {}, leaf('FullName', 'Payroll Expenses:Wages')),
        )
    }
  }

  private findRef(list: ListName, ref: XmlElement | undefined): ListRecord | undefined {
    const id = childText(ref, 'ListID')
    const full = childText(ref, 'FullName')?.toLowerCase()
    return this.lists[list].find((r) => (id ? r.listId === id : r.fullName.toLowerCase() === full))
  }

  private addTime(rq: XmlElement): XmlNode {
    const requestID = rq.attributes.requestID
    const add = child(rq, 'TimeTrackingAdd')!
    // Like QuickBooks, a repeated ExternalGUID is not refused: the same hours are added again.
    const guid = childText(add, 'ExternalGUID')
    const refs: [string, ListName][] = [
      ['EntityRef', 'Employee'],
      ['CustomerRef', 'Customer'],
      ['ItemServiceRef', 'ItemService'],
      ['ClassRef', 'Class'],
      ['PayrollItemWageRef', 'PayrollItemWage'],
    ]
    const found: Record<string, ListRecord | undefined> = {}
    for (const [refName, list] of refs) {
      const ref = child(add, refName)
      if (!ref) continue
      found[refName] = this.findRef(list, ref)
      if (!found[refName]) {
        const what = childText(ref, 'FullName') ?? childText(ref, 'ListID')
        return el('TimeTrackingAddRs', {
          requestID,
          statusCode: 3120,
          statusSeverity: 'Error',
          statusMessage: `Object "${what}" specified in the request cannot be found.`,
        })
      }
    }
    const t: TimeTracking = {
      txnId: `${(0x1000 + this.nextTxn++).toString(16).toUpperCase()}-1717430400`,
      externalGuid: guid,
      date: childText(add, 'TxnDate') ?? new Date().toISOString().slice(0, 10),
      entity: found.EntityRef!.fullName,
      customer: found.CustomerRef?.fullName,
      item: found.ItemServiceRef?.fullName,
      duration: childText(add, 'Duration')!,
      class: found.ClassRef?.fullName,
      wageItem: found.PayrollItemWageRef?.fullName,
      notes: childText(add, 'Notes'),
    }
    this.timeTracking.push(t)
    return el('TimeTrackingAddRs', { requestID, statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' }, this.timeRet(t))
  }

  /** TimeTrackingQuery by TxnID, or by day range and employees (ListID or FullName). */
  private queryTime(rq: XmlElement): XmlNode {
    const requestID = rq.attributes.requestID
    const txnIds = rq.children.filter((c) => c.name === 'TxnID').map((c) => c.text)
    const range = child(rq, 'TxnDateRangeFilter')
    const from = childText(range, 'FromTxnDate')
    const to = childText(range, 'ToTxnDate')
    const entities = child(rq, 'TimeTrackingEntityFilter')
    const listIds = new Set((entities?.children ?? []).filter((c) => c.name === 'ListID').map((c) => c.text))
    const names = new Set((entities?.children ?? []).filter((c) => c.name === 'FullName').map((c) => c.text.toLowerCase()))
    const employeeName = (listId: string) => this.lists.Employee.find((e) => e.listId === listId)?.fullName.toLowerCase()
    const wanted = [...listIds].map(employeeName).filter((n): n is string => !!n)
    const matching = this.timeTracking.filter((t) => {
      if (txnIds.length > 0) return txnIds.includes(t.txnId)
      if (from && t.date < from) return false
      if (to && t.date > to) return false
      if (listIds.size > 0 && !wanted.includes(t.entity.toLowerCase())) return false
      if (names.size > 0 && !names.has(t.entity.toLowerCase())) return false
      return true
    })
    if (matching.length === 0)
      return el('TimeTrackingQueryRs', {
        requestID,
        statusCode: 1,
        statusSeverity: 'Info',
        statusMessage: 'A query request did not find a matching object in QuickBooks',
      })
    return el('TimeTrackingQueryRs', { requestID, statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' }, ...matching.map((t) => this.timeRet(t)))
  }

  private timeRet(t: TimeTracking): XmlNode {
    const ref = (name: string, full?: string) => (full ? el(name, {}, leaf('FullName', full)) : null)
    return el(
      'TimeTrackingRet',
      {},
      leaf('TxnID', t.txnId),
      leaf('TxnDate', t.date),
      ref('EntityRef', t.entity),
      ref('CustomerRef', t.customer),
      ref('ItemServiceRef', t.item),
      leaf('Duration', t.duration),
      ref('ClassRef', t.class),
      ref('PayrollItemWageRef', t.wageItem),
      leaf('Notes', t.notes),
      leaf('ExternalGUID', t.externalGuid),
    )
  }

  private deleteTxn(rq: XmlElement): XmlNode {
    const requestID = rq.attributes.requestID
    const txnId = childText(rq, 'TxnID')
    const index = this.timeTracking.findIndex((t) => t.txnId === txnId)
    if (childText(rq, 'TxnDelType') !== 'TimeTracking' || index < 0) {
      return el('TxnDelRs', {
        requestID,
        statusCode: 3120,
        statusSeverity: 'Error',
        statusMessage: `Object "${txnId}" specified in the request cannot be found.`,
      })
    }
    this.timeTracking.splice(index, 1)
    return el(
      'TxnDelRs',
      { requestID, statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' },
      leaf('TxnDelType', 'TimeTracking'),
      leaf('TxnID', txnId),
    )
  }
}

/** The first index whose full name is not below `name` (the list is in full-name order). */
function lowerBound(sorted: ListRecord[], name: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]!.sortKey < name) lo = mid + 1
    else hi = mid
  }
  return lo
}

const LIST_OF: Record<string, ListName> = {
  EmployeeQueryRq: 'Employee',
  VendorQueryRq: 'Vendor',
  CustomerQueryRq: 'Customer',
  ItemServiceQueryRq: 'ItemService',
  ClassQueryRq: 'Class',
  PayrollItemWageQueryRq: 'PayrollItemWage',
}
