import { weekStart } from '../../lib/dates.js'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { fieldsExcept, type ModuleId } from '../kit/records.js'
import { addressOf, type Connector, type ConnectorContext, type LineOutcome, type OutgoingLine } from '../kit/types.js'
import type { PullPage, SourceRecord } from '../kit/pages.js'
import { child, childText, el, leaf, writeXml, xmlSource, type XmlElement, type XmlNode } from '../../lib/xml.js'
import { describeErrors, IntacctError, IntacctGateway, IntacctRepeatedRequest, type FunctionResult } from './xml-gateway.js'
import { VendorGaveUp } from '../kit/http-retry.js'
import { sageIntacctDemo } from './demo.js'

// Sage Intacct through its XML Web Services gateway: readByQuery / readMore pages of 1000 for each
// list, and payroll as one TIMESHEET per employee and week with an entry per line.

export const INTACCT_ID = 'sage-intacct'
const READ_PAGE_SIZE = 1000

export const intacctSettingsSchema = z.object({
  senderId: z.string().trim().min(1, 'Enter the Web Services sender id').max(100, 'At most 100 characters'),
  companyId: z.string().trim().min(1, 'Enter the company id').max(100, 'At most 100 characters'),
  userId: z.string().trim().min(1, 'Enter the Web Services user id').max(100, 'At most 100 characters'),
  endpointUrl: z
    .union([z.literal(''), z.url({ protocol: /^https?$/, message: 'Enter an http(s) URL, or leave it blank for the configured gateway' })])
    .default(''),
  weekStartsOn: z.enum(['monday', 'sunday', 'saturday'], { message: 'Choose the first day of a timesheet week' }).default('monday'),
  // Blank means Intacct's default of 2.
  concurrentRequests: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce
      .number({ message: 'Enter a whole number from 1 to 10' })
      .int('Enter a whole number from 1 to 10')
      .min(1, 'At least 1')
      .max(10, 'At most 10')
      .default(2),
  ),
})
export type IntacctSettings = z.output<typeof intacctSettingsSchema>

type Ctx = ConnectorContext<IntacctSettings>

/** Every caller of one Intacct company (each module's sync, publishing, Test connection) shares one gate. */
const gatewayFor = (ctx: Ctx) =>
  new IntacctGateway(
    ctx,
    {
      senderId: ctx.settings.senderId,
      senderPassword: ctx.secrets.senderPassword ?? '',
      companyId: ctx.settings.companyId,
      userId: ctx.settings.userId,
      userPassword: ctx.secrets.userPassword ?? '',
    },
    ctx.settings.endpointUrl || addressOf(ctx.vendors, 'endpointUrl'),
    ctx.gates(`sage-intacct:${ctx.settings.companyId}`, { concurrent: ctx.settings.concurrentRequests ?? 2 }),
  )

/** A field of a record, nested (<PERSONALINFO><FIRSTNAME>) or dotted (<PERSONALINFO.FIRSTNAME>) as Intacct may write it. */
function field(r: XmlElement, ...names: string[]): string | null {
  let at: XmlElement | undefined = r
  for (const n of names) at = child(at, n)
  const v = at?.text ?? childText(r, names.join('.'))
  return v && v.trim() !== '' ? v.trim() : null
}

/** MM/DD/YYYY, as Intacct writes dates, to YYYY-MM-DD. */
export function isoDate(v: string | null): string | null {
  const m = v ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v) : null
  return m ? `${m[3]}-${m[1]}-${m[2]}` : v
}
const usDate = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`
const status = (r: XmlElement) => (field(r, 'STATUS')?.toLowerCase() === 'inactive' ? 'disabled' : 'active')

const OBJECTS: Record<ModuleId, { object: string; id: (r: XmlElement) => string | null; map: (r: XmlElement) => Record<string, unknown> }> = {
  employees: {
    object: 'EMPLOYEE',
    id: (r) => field(r, 'EMPLOYEEID'),
    map: (r) => ({
      employee_number: field(r, 'EMPLOYEEID'),
      first_name: field(r, 'PERSONALINFO', 'FIRSTNAME'),
      last_name: field(r, 'PERSONALINFO', 'LASTNAME'),
      email: field(r, 'PERSONALINFO', 'EMAIL1'),
      phone: field(r, 'PERSONALINFO', 'PHONE1'),
      pay_group: null,
      status: status(r),
      hire_date: isoDate(field(r, 'STARTDATE')),
      company: null,
      department: field(r, 'DEPARTMENTID'),
    }),
  },
  companies: { object: 'VENDOR', id: (r) => field(r, 'VENDORID'), map: (r) => ({ name: field(r, 'NAME'), prefix: null, status: status(r) }) },
  job_sites: {
    object: 'PROJECT',
    id: (r) => field(r, 'PROJECTID'),
    map: (r) => ({
      number: field(r, 'PROJECTID'),
      name: field(r, 'NAME'),
      start_date: isoDate(field(r, 'BEGINDATE')),
      end_date: isoDate(field(r, 'ENDDATE')),
      status: field(r, 'STATUS')?.toLowerCase() === 'inactive' ? 'disabled' : field(r, 'PROJECTSTATUS')?.toLowerCase() === 'completed' ? 'archived' : 'active',
    }),
  },
  // TASKKEY on a timesheet entry is the task's RECORDNO, so that is the external id.
  cost_codes: {
    object: 'TASK',
    id: (r) => field(r, 'RECORDNO'),
    map: (r) => ({ code: field(r, 'TASKID'), name: field(r, 'NAME'), description: field(r, 'DESCRIPTION'), job_site: field(r, 'PROJECTID') }),
  },
  departments: { object: 'DEPARTMENT', id: (r) => field(r, 'DEPARTMENTID'), map: (r) => ({ code: field(r, 'DEPARTMENTID'), name: field(r, 'TITLE') }) },
  payroll_items: { object: 'TIMETYPE', id: (r) => field(r, 'NAME'), map: (r) => ({ name: field(r, 'NAME'), description: null }) },
}

/** The records of a readByQuery / readMore answer, and what is left. */
function readPage(result: FunctionResult, object: string, what: string) {
  if (result.status !== 'success') throw new IntacctError(`Sage Intacct refused the ${what}: ${describeErrors(result.errors)}`, result.errors)
  const data = result.data
  if (!data) throw new IntacctError(`Sage Intacct answered the ${what} without data.`)
  const remaining = Number(data.attributes.numremaining ?? '0')
  if (!Number.isFinite(remaining)) throw new IntacctError(`Sage Intacct answered the ${what} with numremaining="${data.attributes.numremaining}".`)
  return { rows: data.children.filter((c) => c.name.toUpperCase() === object), remaining, resultId: data.attributes.resultId ?? '' }
}

async function* pull(module: ModuleId, ctx: Ctx): AsyncGenerator<PullPage> {
  const spec = OBJECTS[module]
  const gateway = gatewayFor(ctx)
  const what = `${spec.object} read`
  const toRecord = (r: XmlElement): SourceRecord => ({ externalId: spec.id(r) ?? '', data: spec.map(r), source: xmlSource(r) })
  const readByQuery = el(
    'readByQuery',
    {},
    leaf('object', spec.object),
    el('query'),
    leaf('fields', '*'),
    leaf('pagesize', READ_PAGE_SIZE),
    leaf('returnFormat', 'xml'),
  )
  let [result] = await gateway.run([el('function', { controlid: `${module}-1` }, readByQuery)], { what })
  let request = writeXml(readByQuery)
  for (let page = 2; ; page++) {
    const { rows, remaining, resultId } = readPage(result!, spec.object, what)
    yield { records: rows.map(toRecord), request }
    if (remaining === 0) return
    if (!resultId) throw new IntacctError(`Sage Intacct said ${remaining} ${spec.object} record(s) remain but gave no resultId to read them.`)
    const readMore = el('readMore', {}, leaf('resultId', resultId))
    request = writeXml(readMore)
    ;[result] = await gateway.run([el('function', { controlid: `${module}-${page}` }, readMore)], { what })
  }
}

/** A line as stored for Intacct: the ids a TIMESHEETENTRY carries. */
export type IntacctLine = {
  key: string
  employeeId: string | null
  employeeName: string
  date: string
  hours: number
  projectId: string | null
  taskKey: string | null
  departmentId: string | null
  timeType: string
  unlinked: string[]
}

/** The first day of the timesheet week a date falls in. */
export function weekBegin(date: string, weekStartsOn: IntacctSettings['weekStartsOn']): string {
  return weekStart(date, weekStartsOn)
}

/** Lines of one employee and week go in one timesheet; the marker in its description finds it again after a crash. */
export function groupOf(line: IntacctLine, weekStartsOn: IntacctSettings['weekStartsOn']) {
  return `${line.employeeId}|${weekBegin(line.date, weekStartsOn)}`
}
/** A short hash of a set of keys, whatever their order (the keys are not reordered in place). */
const keysHash = (keys: string[]) =>
  createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex')
    .slice(0, 16)

const marker = (keys: string[]) => `Clockbridge ${keysHash(keys)}`

function timesheet(lines: IntacctLine[], begin: string, description: string): XmlNode {
  return el(
    'TIMESHEET',
    {},
    leaf('EMPLOYEEID', lines[0]!.employeeId),
    leaf('BEGINDATE', usDate(begin)),
    leaf('DESCRIPTION', description),
    el(
      'TIMESHEETENTRIES',
      {},
      ...[...lines]
        .sort((a, b) => a.date.localeCompare(b.date))
        .map((l) =>
          el(
            'TIMESHEETENTRY',
            {},
            leaf('ENTRYDATE', usDate(l.date)),
            leaf('QTY', l.hours),
            leaf('NOTES', `Clockbridge ${l.key.slice(0, 60)}`),
            leaf('TASKKEY', l.taskKey),
            leaf('TIMETYPE', l.timeType),
            leaf('BILLABLE', 'false'),
            leaf('DEPARTMENTID', l.departmentId),
            leaf('PROJECTID', l.projectId),
          ),
        ),
    ),
  )
}

/** A control id for a write: the same for every retry of this try, new for the next try (`attempt`). */
const controlIdOf = (what: string, keys: string[], attempt: number) => `${what}-${keysHash(keys)}-${attempt}`

/**
 * Deletions go alone (the sender never mixes them with adds): each deletes the timesheet that held
 * the line, and the lines sent with it go again. Adds become one timesheet per employee and week.
 * Every write carries a control id with uniqueid true, the same through the retries of one try:
 * a retry of a write that reached Intacct is refused as a repeat, and what Intacct holds is then
 * read back. Before creating, timesheets already in Intacct under the same marker (sent before a
 * crash or a lost answer) count as sent.
 */
async function publish(lines: OutgoingLine[], ctx: Ctx): Promise<LineOutcome[]> {
  const gateway = gatewayFor(ctx)
  const outcomes = new Map<number, LineOutcome>()
  const attempt = Math.max(1, ...lines.map((l) => l.attempt))
  let wrote = false
  try {
    const deletes = lines.filter((l) => l.action === 'delete')
    const refs = [...new Set(deletes.map((l) => l.externalRef).filter((r): r is string => !!r))]
    if (refs.length > 0) {
      wrote = true
      const gone = await deleteTimesheets(gateway, refs, attempt)
      for (const ref of refs) {
        const result = gone.get(ref)!
        for (const l of deletes.filter((d) => d.externalRef === ref)) outcomes.set(l.id, result === true ? { status: 'sent', ref, resendRef: ref } : result)
      }
    }
    for (const l of deletes) if (!l.externalRef) outcomes.set(l.id, { status: 'sent', ref: '' })

    const groups = new Map<string, OutgoingLine[]>()
    for (const l of lines.filter((x) => x.action === 'add')) {
      const line = l.payload as IntacctLine
      if (!line.employeeId || line.unlinked.length > 0) {
        outcomes.set(l.id, {
          status: 'failed',
          message: `${[...(line.employeeId ? [] : [`${line.employeeName} is`]), ...line.unlinked.map((u) => `${u} is`)].join(' and ')} not linked to Sage Intacct: IMPORT from Sage Intacct or link it`,
        })
        continue
      }
      const g = groupOf(line, ctx.settings.weekStartsOn)
      groups.set(g, [...(groups.get(g) ?? []), l])
    }
    if (groups.size > 0) {
      const sheets = [...groups.values()].map((group) => ({
        group,
        description: marker(group.map((l) => l.key)),
        begin: weekBegin((group[0]!.payload as IntacctLine).date, ctx.settings.weekStartsOn),
      }))
      const existing = await existingTimesheets(
        gateway,
        sheets.map((s) => s.description),
      )
      const toCreate = sheets.filter((s) => !existing.has(s.description))
      for (const s of sheets)
        if (existing.has(s.description)) for (const l of s.group) outcomes.set(l.id, { status: 'sent', ref: existing.get(s.description)! })
      if (toCreate.length > 0) {
        const functions = toCreate.map((s) =>
          el(
            'function',
            { controlid: s.description.replace(' ', '-') },
            el(
              'create',
              {},
              timesheet(
                s.group.map((l) => l.payload as IntacctLine),
                s.begin,
                s.description,
              ),
            ),
          ),
        )
        wrote = true
        let results: FunctionResult[]
        try {
          results = await gateway.run(functions, {
            what: 'timesheet creation',
            uniqueId: true,
            controlId: controlIdOf(
              'ts',
              toCreate.map((s) => s.description),
              attempt,
            ),
          })
        } catch (err) {
          if (!(err instanceof IntacctRepeatedRequest)) throw err
          // An earlier try of this very request reached Intacct: what it created is read back.
          const created = await existingTimesheets(
            gateway,
            toCreate.map((s) => s.description),
          )
          for (const s of toCreate)
            for (const l of s.group)
              outcomes.set(
                l.id,
                created.has(s.description)
                  ? { status: 'sent', ref: created.get(s.description)! }
                  : { status: 'pending', message: 'Sage Intacct had received this timesheet before but holds none; it is sent again.' },
              )
          results = []
        }
        results.forEach((r, i) => {
          const s = toCreate[i]!
          const recordNo = childText(
            r.data?.children.find((c) => c.name.toLowerCase() === 'timesheet'),
            'RECORDNO',
          )
          const first = s.group[0]!.payload as IntacctLine
          for (const l of s.group) {
            outcomes.set(
              l.id,
              r.status === 'success' && recordNo
                ? { status: 'sent', ref: recordNo }
                : {
                    status: 'failed',
                    message: `Sage Intacct refused the timesheet of ${first.employeeName} for the week of ${s.begin}: ${describeErrors(r.errors)}`,
                  },
            )
          }
        })
      }
    }
  } catch (err) {
    // A write Intacct may have carried out (no answer, a broken connection, a 5xx, an answer that
    // could not be read) is unconfirmed: the next send reads back before writing again.
    const definite = !wrote || (err instanceof VendorGaveUp && !err.mayHaveApplied) || (err instanceof IntacctError && err.errors.length > 0)
    const message = (err as Error).message
    for (const l of lines) {
      if (outcomes.has(l.id)) continue
      outcomes.set(
        l.id,
        definite && !l.unconfirmed
          ? { status: 'pending', message: `Not sent yet: ${message}` }
          : {
              status: 'unconfirmed',
              message: `Sent, no answer yet: ${message} Before sending again Clockbridge reads back what Intacct holds, so nothing is added twice.`,
            },
      )
    }
  }
  return lines.map((l) => outcomes.get(l.id)!)
}

/**
 * Deletes timesheets (uniqueid true, a control id per try); true for each one gone, or why not. A
 * repeat of a deletion that reached Intacct is settled by reading back which are still there.
 */
async function deleteTimesheets(gateway: IntacctGateway, refs: string[], attempt: number): Promise<Map<string, true | LineOutcome>> {
  const gone = new Map<string, true | LineOutcome>()
  try {
    const results = await gateway.run(
      refs.map((ref) => el('function', { controlid: `delete-${ref}` }, el('delete', {}, leaf('object', 'TIMESHEET'), leaf('keys', ref)))),
      { what: 'timesheet deletion', uniqueId: true, controlId: controlIdOf('del', refs, attempt) },
    )
    refs.forEach((ref, i) => {
      const r = results[i]!
      const deleted = r.status === 'success' || r.errors.some((e) => /not found|does not exist/i.test(`${e.description} ${e.description2}`))
      gone.set(ref, deleted ? true : { status: 'failed', message: `Sage Intacct did not delete timesheet ${ref}: ${describeErrors(r.errors)}` })
    })
  } catch (err) {
    if (!(err instanceof IntacctRepeatedRequest)) throw err
    const still = await timesheetsStillThere(gateway, refs)
    for (const ref of refs)
      gone.set(
        ref,
        still.has(ref)
          ? { status: 'pending', message: `Sage Intacct had received the deletion of timesheet ${ref} before, but it is still there; it is deleted again.` }
          : true,
      )
  }
  return gone
}

/** Which of these timesheets (RECORDNO) Intacct still holds. */
async function timesheetsStillThere(gateway: IntacctGateway, refs: string[]): Promise<Set<string>> {
  const query = `RECORDNO IN (${refs.map((r) => `'${r.replace(/'/g, '')}'`).join(', ')})`
  const [result] = await gateway.run(
    [
      el(
        'function',
        { controlid: 'timesheets-left' },
        el(
          'readByQuery',
          {},
          leaf('object', 'TIMESHEET'),
          leaf('query', query),
          leaf('fields', 'RECORDNO,DESCRIPTION'),
          leaf('pagesize', READ_PAGE_SIZE),
          leaf('returnFormat', 'xml'),
        ),
      ),
    ],
    { what: 'timesheet lookup' },
  )
  return new Set(readPage(result!, 'TIMESHEET', 'timesheet lookup').rows.map((r) => field(r, 'RECORDNO') ?? ''))
}

/** Timesheets already in Intacct with these descriptions, by description. */
async function existingTimesheets(gateway: IntacctGateway, descriptions: string[]): Promise<Map<string, string>> {
  const query = `DESCRIPTION IN (${descriptions.map((d) => `'${d}'`).join(', ')})`
  const [result] = await gateway.run(
    [
      el(
        'function',
        { controlid: 'existing-timesheets' },
        el(
          'readByQuery',
          {},
          leaf('object', 'TIMESHEET'),
          leaf('query', query),
          leaf('fields', 'RECORDNO,DESCRIPTION'),
          leaf('pagesize', READ_PAGE_SIZE),
          leaf('returnFormat', 'xml'),
        ),
      ),
    ],
    { what: 'timesheet lookup' },
  )
  const { rows } = readPage(result!, 'TIMESHEET', 'timesheet lookup')
  return new Map(rows.map((r) => [field(r, 'DESCRIPTION') ?? '', field(r, 'RECORDNO') ?? '']))
}

export const sageIntacctConnector: Connector<IntacctSettings> = {
  id: INTACCT_ID,
  name: 'Sage Intacct',
  description:
    'Sage Intacct through its XML Web Services: SYNC employees, vendors, projects, tasks, departments and time types, and publish approved hours as timesheets.',
  hosting: 'cloud',
  syncModules: ['employees', 'companies', 'job_sites', 'cost_codes', 'departments', 'payroll_items'],
  // What the objects it reads carry (OBJECTS above): a PROJECT has no address here, a TIMETYPE no description.
  sends: {
    employees: fieldsExcept('employees', 'pay_group', 'company'),
    companies: fieldsExcept('companies', 'prefix'),
    job_sites: fieldsExcept('job_sites', 'street', 'city', 'state', 'zip', 'country'),
    payroll_items: fieldsExcept('payroll_items', 'description'),
  },
  publishesPayroll: true,
  settingsSchema: intacctSettingsSchema,
  settingFields: [
    {
      key: 'senderId',
      label: 'Web Services sender id',
      hint: 'Your Web Services developer license; the company must authorize it (Company > Setup > Company > Security).',
    },
    { key: 'senderPassword', label: 'Web Services sender password', secret: true },
    { key: 'companyId', label: 'Company id' },
    { key: 'userId', label: 'User id', hint: 'A Web Services user of the company.' },
    { key: 'userPassword', label: 'User password', secret: true },
    {
      key: 'endpointUrl',
      label: 'Endpoint URL (optional)',
      hint: "Blank: Intacct's gateway (or INTACCT_ENDPOINT_URL). Each session then uses the endpoint Intacct names for the company.",
    },
    {
      key: 'concurrentRequests',
      label: 'Requests at a time',
      hint: 'How many requests Intacct takes from this company at once (its performance tier; 2 unless Sage raised it). Every sync and publish shares them.',
    },
    {
      key: 'weekStartsOn',
      label: 'Timesheet weeks start on',
      options: [
        { value: 'monday', label: 'Monday' },
        { value: 'sunday', label: 'Sunday' },
        { value: 'saturday', label: 'Saturday' },
      ],
      hint: 'As set in Intacct (Time & Expenses configuration).',
    },
  ],
  shape: 'pull',
  invalidRecords: 'fail-page',
  pull,
  publishPayload: (line): IntacctLine => ({
    key: line.key,
    employeeId: line.employee.externalId,
    employeeName: line.employee.name,
    date: line.date,
    hours: Math.round((line.minutes / 60) * 10_000) / 10_000,
    projectId: line.jobSite?.externalId ?? null,
    taskKey: line.costCode?.externalId ?? null,
    departmentId: line.department?.externalId ?? null,
    timeType: line.payrollItem.externalId ?? line.payrollItem.name,
    unlinked: [
      line.jobSite && !line.jobSite.externalId ? `Job site ${line.jobSite.number}` : null,
      line.costCode && !line.costCode.externalId ? `Cost code ${line.costCode.code}` : null,
      line.department && !line.department.externalId ? `Department ${line.department.code}` : null,
    ].filter((u): u is string => !!u),
  }),
  publish,
  publishBatchSize: 500,
  publishGroup: (payload, settings) => groupOf(payload as IntacctLine, (settings as IntacctSettings).weekStartsOn),
  demo: sageIntacctDemo,
  serverSettings: {
    endpointUrl: {
      env: 'INTACCT_ENDPOINT_URL',
      default: 'https://api.intacct.com/ia/xml/xmlgw.phtml',
      description: "Sage Intacct's XML gateway (a connection's own Endpoint URL setting overrides it)",
      kind: 'url',
    },
  },
  testConnection: async (ctx) => {
    await gatewayFor(ctx).openSession()
    return ctx.settings.companyId
  },
}
