import { createHash } from 'node:crypto'
import type { ModuleId } from '../kit/records.js'
import { child, childText, el, leaf, parseXml, path, writeXml, xmlSource, type XmlElement, type XmlNode } from '../../lib/xml.js'
import type { SourceRecord } from '../kit/pages.js'

// qbXML 13.0 as Clockbridge speaks it: the list queries that feed each module, the records they
// return mapped onto the module's fields, the host information of the first call, and the time
// tracking lines payroll publishes. Elements are written in the schema's order (qbxml-order.json).

export const QBXML_VERSION = '13.0'
export const PAGE_SIZE = 500

/**
 * One qbXML message set. A set that writes carries `newMessageSetID`: QuickBooks then keeps its
 * answer, and a later set with `oldMessageSetID` asks for it (Intuit's error recovery). The ids
 * are at most 23 characters.
 */
export function messageSet(
  requests: XmlNode[],
  onError: 'stopOnError' | 'continueOnError' = 'stopOnError',
  recovery: { newMessageSetID?: string; oldMessageSetID?: string } = {},
): string {
  const attributes = {
    ...(recovery.oldMessageSetID ? { oldMessageSetID: recovery.oldMessageSetID } : {}),
    ...(recovery.newMessageSetID ? { newMessageSetID: recovery.newMessageSetID } : {}),
    onError,
  }
  return `<?xml version="1.0" encoding="utf-8"?><?qbxml version="${QBXML_VERSION}"?>${writeXml(el('QBXML', {}, el('QBXMLMsgsRq', attributes, ...requests)))}`
}

/** A message set id for a write: unique, and within qbXML's 23 characters. */
export const newMessageSetId = () =>
  `cb-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`

type ModuleQuery = {
  request: string
  ret: string
  /** Whether qbXML 13.0 offers an iterator for this query; the others are paged by name. */
  iterator: boolean
  /** What QuickBooks calls the module's records, for messages. */
  noun: string
  map: (ret: XmlElement) => Record<string, unknown>
}

const yes = (v: string | undefined) => v === 'true'
const activeStatus = (ret: XmlElement) => (yes(childText(ret, 'IsActive') ?? 'true') ? 'active' : 'disabled')
const address = (a: XmlElement | undefined) => ({
  street: [childText(a, 'Addr1'), childText(a, 'Addr2'), childText(a, 'Addr3')].filter(Boolean).join(', ') || null,
  city: childText(a, 'City') ?? null,
  state: childText(a, 'State') ?? null,
  zip: childText(a, 'PostalCode') ?? null,
  country: twoLetterCountry(childText(a, 'Country')),
})
const COUNTRIES: Record<string, string> = {
  us: 'US',
  usa: 'US',
  'united states': 'US',
  ca: 'CA',
  canada: 'CA',
  uk: 'GB',
  gb: 'GB',
  'united kingdom': 'GB',
  au: 'AU',
  australia: 'AU',
}
const twoLetterCountry = (v: string | undefined) =>
  v ? (COUNTRIES[v.trim().toLowerCase()] ?? (/^[A-Za-z]{2}$/.test(v.trim()) ? v.trim().toUpperCase() : null)) : null

/** The queries per module, with how each QuickBooks record becomes a Clockbridge record. */
export const MODULE_QUERIES: Record<ModuleId, ModuleQuery> = {
  employees: {
    request: 'EmployeeQueryRq',
    ret: 'EmployeeRet',
    iterator: false,
    noun: 'employee',
    map: (r) => {
      const [first, ...rest] = (childText(r, 'Name') ?? '').split(' ')
      return {
        // Employee numbers live in AccountNumber in QuickBooks Desktop (there is no other field for them).
        employee_number: childText(r, 'AccountNumber') ?? null,
        first_name: childText(r, 'FirstName') ?? first ?? null,
        last_name: childText(r, 'LastName') ?? (rest.join(' ') || null),
        email: childText(r, 'Email') ?? null,
        phone: childText(r, 'Phone') ?? childText(r, 'Mobile') ?? null,
        pay_group: null,
        status: activeStatus(r),
        hire_date: childText(r, 'HiredDate') ?? null,
        company: null,
        department: path(r, 'EmployeePayrollInfo', 'ClassRef', 'FullName')?.text ?? null,
      }
    },
  },
  companies: {
    request: 'VendorQueryRq',
    ret: 'VendorRet',
    iterator: true,
    noun: 'vendor',
    map: (r) => ({ name: childText(r, 'Name') ?? null, prefix: null, status: activeStatus(r) }),
  },
  job_sites: {
    request: 'CustomerQueryRq',
    ret: 'CustomerRet',
    iterator: true,
    noun: 'customer or job',
    map: (r) => ({
      number: childText(r, 'FullName') ?? null,
      name: childText(r, 'Name') ?? null,
      ...address(child(r, 'ShipAddress') ?? child(r, 'BillAddress')),
      start_date: childText(r, 'JobStartDate') ?? null,
      end_date: childText(r, 'JobEndDate') ?? null,
      status: !yes(childText(r, 'IsActive') ?? 'true') ? 'disabled' : childText(r, 'JobStatus') === 'Closed' ? 'archived' : 'active',
    }),
  },
  cost_codes: {
    request: 'ItemServiceQueryRq',
    ret: 'ItemServiceRet',
    iterator: true,
    noun: 'service item',
    map: (r) => ({
      code: childText(r, 'FullName') ?? null,
      name: childText(r, 'Name') ?? null,
      description: path(r, 'SalesOrPurchase', 'Desc')?.text ?? path(r, 'SalesAndPurchase', 'SalesDesc')?.text ?? null,
      job_site: null,
    }),
  },
  departments: {
    request: 'ClassQueryRq',
    ret: 'ClassRet',
    iterator: false,
    noun: 'class',
    map: (r) => ({ code: childText(r, 'FullName') ?? null, name: childText(r, 'Name') ?? null }),
  },
  payroll_items: {
    request: 'PayrollItemWageQueryRq',
    ret: 'PayrollItemWageRet',
    iterator: false,
    noun: 'wage payroll item',
    map: (r) => ({ name: childText(r, 'Name') ?? null, description: wageTypeText(childText(r, 'WageType')) }),
  },
}

const WAGE_TYPES: Record<string, string> = {
  Bonus: 'Bonus',
  Commission: 'Commission',
  HourlyOvertime: 'Hourly overtime',
  HourlyRegular: 'Hourly regular',
  HourlySick: 'Hourly sick',
  HourlyVacation: 'Hourly vacation',
  SalaryRegular: 'Salary regular',
  SalarySick: 'Salary sick',
  SalaryVacation: 'Salary vacation',
}
const wageTypeText = (t: string | undefined) => (t ? (WAGE_TYPES[t] ?? t) : null)

/** Where a list query continues: an iterator of this QuickBooks session, or a name to start from. */
export type QueryPosition = { iteratorId?: string; fromName?: string }

export type QueryArgs = { module: ModuleId; requestId: string; position: QueryPosition; fromModified?: string }

/**
 * One page of a module's list: every record, active or not, from a name on (the page boundary or
 * a resume point) and, for incremental syncs, modified since a time. Queries with an iterator use
 * it within a session; an iterator never outlives its session, so a new session starts a new one.
 */
export function queryRequest({ module, requestId, position, fromModified }: QueryArgs): XmlNode {
  const q = MODULE_QUERIES[module]
  const iterator = q.iterator ? (position.iteratorId ? { iterator: 'Continue', iteratorID: position.iteratorId } : { iterator: 'Start' }) : {}
  const byName = !position.iteratorId && position.fromName
  return el(
    q.request,
    { requestID: requestId, ...iterator },
    leaf('MaxReturned', PAGE_SIZE),
    leaf('ActiveStatus', 'All'),
    leaf('FromModifiedDate', fromModified),
    byName ? el('NameRangeFilter', {}, leaf('FromName', position.fromName)) : null,
  )
}

export type QueryPage = {
  requestId: string
  statusCode: number
  statusSeverity: string
  statusMessage: string
  iteratorId?: string
  iteratorRemaining?: number
  records: SourceRecord[]
  /** Each record's full name, in order: pages by name start from the last one. */
  names: string[]
  /** The name the next page starts from (the last record's full name). */
  lastName?: string
  /** The latest TimeModified among the records, for the next incremental sync. */
  maxModified?: string
  returned: number
}

export class QbxmlError extends Error {}

/** The response of one list query; throws a QbxmlError that says what is wrong with it. */
export function parseQueryResponse(text: string, module: ModuleId): QueryPage {
  const q = MODULE_QUERIES[module]
  const rs = responseAggregate(text, q.request.replace(/Rq$/, 'Rs'))
  const status = statusOf(rs)
  const rets = rs.children.filter((c) => c.name === q.ret)
  let maxModified: string | undefined
  const records = rets.map((ret, i) => {
    const listId = childText(ret, 'ListID')
    if (!listId) throw new QbxmlError(`${q.ret} ${i + 1} has no ListID`)
    const modified = childText(ret, 'TimeModified')
    if (modified && (!maxModified || modified > maxModified)) maxModified = modified
    return { externalId: listId, data: q.map(ret), source: xmlSource(ret) }
  })
  const names = rets.map((ret) => childText(ret, 'FullName') ?? childText(ret, 'Name') ?? '')
  return {
    ...status,
    iteratorId: rs.attributes.iteratorID,
    iteratorRemaining: rs.attributes.iteratorRemainingCount === undefined ? undefined : Number(rs.attributes.iteratorRemainingCount),
    records,
    names,
    lastName: names[names.length - 1],
    maxModified,
    returned: rets.length,
  }
}

function responseAggregate(text: string, name: string): XmlElement {
  let root: XmlElement
  try {
    root = parseXml(text)
  } catch (err) {
    throw new QbxmlError(`QuickBooks sent a response that is not XML (${(err as Error).message})`)
  }
  const rs = path(root, 'QBXMLMsgsRs', name)
  if (root.name !== 'QBXML' || !rs) throw new QbxmlError(`QuickBooks sent a response without ${name}`)
  return rs
}

function statusOf(rs: XmlElement) {
  const statusCode = Number(rs.attributes.statusCode)
  if (!Number.isInteger(statusCode)) throw new QbxmlError(`${rs.name} has no statusCode`)
  return {
    requestId: rs.attributes.requestID ?? '',
    statusCode,
    statusSeverity: rs.attributes.statusSeverity ?? '',
    statusMessage: rs.attributes.statusMessage ?? '',
  }
}

/** What QuickBooks says about itself in the first sendRequestXML (strHCPResponse). */
export type HostInfo = { product?: string; version?: string; qbxmlVersions: string[]; companyName?: string; fileId?: string }

export function parseHostResponse(text: string, ownerId: string): HostInfo {
  const root = parseXml(text)
  const msgs = child(root, 'QBXMLMsgsRs')
  const host = path(msgs, 'HostQueryRs', 'HostRet')
  const company = path(msgs, 'CompanyQueryRs', 'CompanyRet')
  const major = childText(host, 'MajorVersion')
  const minor = childText(host, 'MinorVersion')
  const fileId = company?.children.find(
    (d) => d.name === 'DataExtRet' && childText(d, 'OwnerID')?.toUpperCase() === ownerId.toUpperCase() && childText(d, 'DataExtName') === 'FileID',
  )
  return {
    product: childText(host, 'ProductName'),
    version: major ? `${major}.${minor ?? 0}` : undefined,
    qbxmlVersions: (host?.children ?? []).filter((c) => c.name === 'SupportedQBXMLVersion').map((c) => c.text),
    companyName: childText(company, 'CompanyName'),
    fileId: childText(fileId, 'DataExtValue'),
  }
}

// ── Publishing payroll: TimeTrackingAdd, TxnDel ────────────────────────────────────────────────

/** One line of hours for QuickBooks: an employee, a day, a customer:job, a service item, a class, a wage item. */
export type TimeLine = {
  /** Our stable key for the line (period, employee, day, pay ID, job, cost code); the ExternalGUID derives from it. */
  key: string
  date: string
  employee: { listId?: string; fullName?: string }
  customer?: { listId?: string; fullName?: string }
  item?: { listId?: string; fullName?: string }
  class?: { listId?: string; fullName?: string }
  wageItem?: { listId?: string; fullName?: string }
  minutes: number
  notes?: string
}

/** A GUID that is the same for the same line key, every time: a repeat is recognised, never doubled. */
export function externalGuid(key: string): string {
  const h = createHash('sha1').update(`clockbridge:time-line:${key}`).digest('hex')
  // Shaped as a version 5 (name-based) UUID, in QuickBooks' braces and capitals.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}}`.toUpperCase()
}

/** Minutes as a qbXML duration: 510 → PT8H30M. */
export function duration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes <= 0) throw new RangeError(`A time line needs a whole, positive number of minutes (got ${minutes})`)
  return `PT${Math.floor(minutes / 60)}H${minutes % 60}M`
}

const ref = (name: string, r: { listId?: string; fullName?: string } | undefined) =>
  r && (r.listId || r.fullName) ? el(name, {}, leaf('ListID', r.listId), r.listId ? null : leaf('FullName', r.fullName)) : null

export function timeTrackingAdd(line: TimeLine, requestId: string): XmlNode {
  return el(
    'TimeTrackingAddRq',
    { requestID: requestId },
    el(
      'TimeTrackingAdd',
      {},
      leaf('TxnDate', line.date),
      ref('EntityRef', line.employee),
      ref('CustomerRef', line.customer),
      ref('ItemServiceRef', line.item),
      leaf('Duration', duration(line.minutes)),
      ref('ClassRef', line.class),
      ref('PayrollItemWageRef', line.wageItem),
      leaf('Notes', line.notes?.slice(0, 4095)),
      leaf('BillableStatus', 'NotBillable'),
      leaf('ExternalGUID', externalGuid(line.key)),
    ),
  )
}

/** A correction removes the time QuickBooks holds for a line before its new hours are added. */
export function timeTrackingDelete(txnId: string, requestId: string): XmlNode {
  return el('TxnDelRq', { requestID: requestId }, leaf('TxnDelType', 'TimeTracking'), leaf('TxnID', txnId))
}

export type LineOutcome = { status: 'sent'; txnId: string } | { status: 'failed'; code: number; message: string; retry: boolean }

/**
 * The per-line result of a TimeTrackingAddRs. QuickBooks does not refuse a repeated ExternalGUID:
 * a line sent twice is added twice, so a write whose answer is lost is settled (recovery, lookup),
 * never simply sent again. 3170-3180 (a list locked by another user) is retried on the next visit;
 * the rest need the admin.
 */
export function lineOutcome(rs: XmlElement): LineOutcome {
  const { statusCode, statusMessage } = statusOf(rs)
  const txnId = path(rs, 'TimeTrackingRet', 'TxnID')?.text
  if (statusCode === 0 && txnId) return { status: 'sent', txnId }
  const retry = statusCode >= 3170 && statusCode <= 3180
  const advice: Record<number, string> = {
    1: 'QuickBooks found no matching record.',
    3120: 'An employee, customer:job, service item, class or wage item of this line does not exist in QuickBooks: SYNC and link it, then publish again.',
    3140: 'A reference of this line is not valid in QuickBooks: SYNC and link it, then publish again.',
    3200: 'The time entry changed in QuickBooks since it was sent; publish again to send the correction.',
    3250: 'Time tracking is turned off in this QuickBooks company: turn it on in Edit > Preferences > Time & Expenses.',
    3260: 'The QuickBooks user the Web Connector runs as may not enter time: give it that permission.',
  }
  const message = `QuickBooks ${statusCode}: ${statusMessage}${retry ? ' (a list was locked; it is sent again on the next visit)' : advice[statusCode] ? ` ${advice[statusCode]}` : ''}`
  return { status: 'failed', code: statusCode, message, retry }
}

/** The outcomes of a publishing message set, by requestID. */
export function parsePublishResponse(text: string): Map<string, LineOutcome> {
  const root = parseXml(text)
  const outcomes = new Map<string, LineOutcome>()
  for (const rs of child(root, 'QBXMLMsgsRs')?.children ?? []) {
    if (rs.name === 'TimeTrackingAddRs') outcomes.set(rs.attributes.requestID ?? '', lineOutcome(rs))
    if (rs.name === 'TxnDelRs') {
      const { statusCode, statusMessage } = statusOf(rs)
      outcomes.set(
        rs.attributes.requestID ?? '',
        statusCode === 0
          ? { status: 'sent', txnId: path(rs, 'TxnID')?.text ?? '' }
          : { status: 'failed', code: statusCode, message: `QuickBooks ${statusCode}: ${statusMessage}`, retry: statusCode >= 3170 && statusCode <= 3180 },
      )
    }
  }
  return outcomes
}

// ── Settling writes whose answer was lost ─────────────────────────────────────────────────────

/** Asks QuickBooks for the answer it kept to a message set (error recovery): an empty set with its id. */
export const recoveryCheck = (messageSetId: string) => messageSet([], 'continueOnError', { oldMessageSetID: messageSetId })

/**
 * What QuickBooks kept of a message set, by requestID: the outcomes of the requests it carried
 * out. An empty map means it has no record of the set (it never ran, or its record is gone).
 */
export function parseRecoveryResponse(text: string): Map<string, LineOutcome> {
  return parsePublishResponse(text)
}

/** A time entry as QuickBooks holds it, for finding the lines of a lost answer by their ExternalGUID. */
export type HeldTime = { txnId: string; externalGuid: string | null }

type EntityRef = { listId?: string; fullName?: string }

/**
 * Time entries that may be lines of a lost answer: those on the lines' days of their employees
 * (by ListID, and by name for employees sent by name), and the entries of `txnIds` (deletions).
 */
export function timeTrackingLookup(requestPrefix: string, q: { from?: string; to?: string; employees: EntityRef[]; txnIds: string[] }): XmlNode[] {
  const requests: XmlNode[] = []
  const byListId = [...new Set(q.employees.filter((e) => e.listId).map((e) => e.listId!))]
  const byName = [...new Set(q.employees.filter((e) => !e.listId && e.fullName).map((e) => e.fullName!))]
  const range = el('TxnDateRangeFilter', {}, leaf('FromTxnDate', q.from), leaf('ToTxnDate', q.to))
  if (q.from && byListId.length > 0)
    requests.push(
      el('TimeTrackingQueryRq', { requestID: `${requestPrefix}-id` }, range, el('TimeTrackingEntityFilter', {}, ...byListId.map((id) => leaf('ListID', id)))),
    )
  if (q.from && byName.length > 0)
    requests.push(
      el('TimeTrackingQueryRq', { requestID: `${requestPrefix}-name` }, range, el('TimeTrackingEntityFilter', {}, ...byName.map((n) => leaf('FullName', n)))),
    )
  if (q.txnIds.length > 0) requests.push(el('TimeTrackingQueryRq', { requestID: `${requestPrefix}-txn` }, ...q.txnIds.map((id) => leaf('TxnID', id))))
  return requests
}

/** The time entries the lookup found; a query QuickBooks could not run throws, so nothing is decided on it. */
export function parseTimeTrackingLookup(text: string): HeldTime[] {
  let root: XmlElement
  try {
    root = parseXml(text)
  } catch (err) {
    throw new QbxmlError(`QuickBooks sent a response that is not XML (${(err as Error).message})`)
  }
  const held: HeldTime[] = []
  for (const rs of child(root, 'QBXMLMsgsRs')?.children ?? []) {
    if (rs.name !== 'TimeTrackingQueryRs') continue
    const { statusCode, statusMessage } = statusOf(rs)
    // 1: nothing matched. A TxnID QuickBooks does not know is 500 (some objects not found) or 3120.
    if (statusCode !== 0 && statusCode !== 1 && statusCode !== 500 && statusCode !== 3120)
      throw new QbxmlError(`QuickBooks ${statusCode} while looking up time entries: ${statusMessage}`)
    for (const ret of rs.children.filter((c) => c.name === 'TimeTrackingRet'))
      held.push({ txnId: childText(ret, 'TxnID') ?? '', externalGuid: childText(ret, 'ExternalGUID')?.toUpperCase() ?? null })
  }
  return held
}
