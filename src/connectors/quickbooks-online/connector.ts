import { DAY_MS } from '../../lib/dates.js'
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { fieldsExcept, type ModuleId } from '../kit/records.js'
import type { Connector, ConnectorContext, LineOutcome, OutgoingLine } from '../kit/types.js'
import type { PullPage, SourceRecord } from '../kit/pages.js'
import { qboGate, QboClient, QboError } from './api-client.js'
import { VendorGaveUp } from '../kit/http-retry.js'
import { qboOAuth } from './oauth.js'
import { quickbooksOnlineDemo } from './demo.js'

// QuickBooks Online through Intuit's Accounting API: OAuth 2.0, `query` pages of 1000 for full syncs,
// Change Data Capture for incremental ones (within its 30-day window), TimeActivity for payroll.

export const QBO_ID = 'quickbooks-online'
const QUERY_PAGE_SIZE = 1000
/** A CDC answer holds at most 1000 objects: one that full may have left some out. */
const CDC_LIMIT = 1000

export const qboSettingsSchema = z.object({
  clientId: z.string().trim().min(1, 'Enter the client id of your Intuit app').max(200, 'At most 200 characters'),
  environment: z.enum(['production', 'sandbox'], { message: 'Choose Production or Sandbox' }).default('production'),
  departmentsFrom: z.enum(['Class', 'Department'], { message: 'Choose Class or Department' }).default('Class'),
})
export type QboSettings = z.output<typeof qboSettingsSchema>

type Entity = 'Employee' | 'Vendor' | 'Customer' | 'Item' | 'Class' | 'Department'
type QboObject = Record<string, unknown> & { Id?: unknown }

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null)
const nested = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, k) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[k] : undefined), o)
const activeStatus = (o: QboObject) => (o.Active === false ? 'disabled' : 'active')
const dateOnly = (v: unknown) => text(v)?.slice(0, 10) ?? null

/** Which QuickBooks Online entity feeds each module, and how one becomes a Clockbridge record. */
const MODULE_ENTITIES: Record<
  Exclude<ModuleId, 'payroll_items'>,
  { entity: (s: QboSettings) => Entity; where: string; map: (o: QboObject) => Record<string, unknown>; keep?: (o: QboObject) => boolean }
> = {
  employees: {
    entity: () => 'Employee',
    where: 'Active IN (true, false)',
    map: (o) => {
      const [first, ...rest] = (text(o.DisplayName) ?? '').split(' ')
      return {
        employee_number: text(o.EmployeeNumber),
        first_name: text(o.GivenName) ?? (first || null),
        last_name: text(o.FamilyName) ?? (rest.join(' ') || null),
        email: text(nested(o, 'PrimaryEmailAddr', 'Address')),
        phone: text(nested(o, 'PrimaryPhone', 'FreeFormNumber')) ?? text(nested(o, 'Mobile', 'FreeFormNumber')),
        pay_group: null,
        status: activeStatus(o),
        hire_date: dateOnly(o.HiredDate),
        company: null,
        department: null,
      }
    },
  },
  companies: {
    entity: () => 'Vendor',
    where: 'Active IN (true, false)',
    map: (o) => ({ name: text(o.DisplayName) ?? text(o.CompanyName), prefix: null, status: activeStatus(o) }),
  },
  job_sites: {
    entity: () => 'Customer',
    where: 'Active IN (true, false)',
    map: (o) => {
      const addr = (o.ShipAddr ?? o.BillAddr) as Record<string, unknown> | undefined
      const country = text(addr?.Country)
      return {
        number: text(o.FullyQualifiedName) ?? text(o.DisplayName),
        name: text(o.DisplayName),
        street: [addr?.Line1, addr?.Line2].map(text).filter(Boolean).join(', ') || null,
        city: text(addr?.City),
        state: text(addr?.CountrySubDivisionCode),
        zip: text(addr?.PostalCode),
        country: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : country && /^(usa|united states)$/i.test(country) ? 'US' : null,
        start_date: null,
        end_date: null,
        status: activeStatus(o),
      }
    },
  },
  cost_codes: {
    entity: () => 'Item',
    where: "Type = 'Service' AND Active IN (true, false)",
    keep: (o) => o.Type === 'Service',
    map: (o) => ({ code: text(o.FullyQualifiedName) ?? text(o.Name), name: text(o.Name), description: text(o.Description), job_site: null }),
  },
  departments: {
    entity: (s) => s.departmentsFrom,
    where: 'Active IN (true, false)',
    map: (o) => ({ code: text(o.FullyQualifiedName) ?? text(o.Name), name: text(o.Name) }),
  },
}

const toRecord =
  (map: (o: QboObject) => Record<string, unknown>) =>
  (o: QboObject): SourceRecord => ({ externalId: text(o.Id) ?? '', data: map(o), source: JSON.stringify(o, null, 2) })

/** The objects of one entity in a query or CDC answer; anything but a list is a malformed answer. */
function objectsOf(container: unknown, entity: Entity, what: string): QboObject[] {
  const list = nested(container, entity)
  if (list === undefined) return []
  if (!Array.isArray(list)) throw new QboError(`QuickBooks Online sent a malformed ${what}: ${entity} is not a list.`)
  return list as QboObject[]
}

const stateKeys = (module: ModuleId) => ({ since: `cdc:${module}`, lastFull: `full:${module}` })

/** An admin's SYNC reads everything; a schedule reads changes when the last full read is under a week old and CDC can reach back. */
function planSync(module: ModuleId, ctx: ConnectorContext<QboSettings>, trigger: string): 'full' | 'incremental' {
  if (trigger === 'manual') return 'full'
  const keys = stateKeys(module)
  const since = Date.parse(ctx.state[keys.since] ?? '')
  const lastFull = Date.parse(ctx.state[keys.lastFull] ?? '')
  return Number.isFinite(since) && Date.now() - since < 29 * DAY_MS && Number.isFinite(lastFull) && Date.now() - lastFull < 7 * DAY_MS ? 'incremental' : 'full'
}

async function* pull(module: ModuleId, ctx: ConnectorContext<QboSettings>): AsyncGenerator<PullPage> {
  if (module === 'payroll_items')
    throw new Error('QuickBooks Online keeps pay types in QuickBooks Payroll, which its Accounting API does not expose. Create payroll items by hand.')
  const spec = MODULE_ENTITIES[module]
  const entity = spec.entity(ctx.settings)
  const client = new QboClient(ctx, ctx.settings.environment)
  const keys = stateKeys(module)
  const toRec = toRecord(spec.map)

  if (ctx.mode === 'incremental') {
    const body = await client.call({
      method: 'GET',
      path: '/cdc',
      query: { entities: entity, changedSince: ctx.state[keys.since]! },
      what: `${entity} change data capture`,
    })
    const responses = nested(body, 'CDCResponse', '0', 'QueryResponse')
    if (!Array.isArray(responses)) throw new QboError(`QuickBooks Online sent a malformed ${entity} change data capture answer: no CDCResponse.`)
    const objects = responses.flatMap((r) => objectsOf(r, entity, `${entity} change data capture answer`))
    if (objects.length < CDC_LIMIT) {
      const deleted = objects.filter((o) => o.status === 'Deleted')
      const changed = objects.filter((o) => o.status !== 'Deleted' && (spec.keep?.(o) ?? true))
      yield {
        records: changed.map(toRec),
        removedExternalIds: deleted.map((o) => text(o.Id)).filter((id): id is string => !!id),
        checkpoint: { [keys.since]: text(body.time) ?? new Date().toISOString() },
        request: `GET /v3/company/{realm}/cdc?entities=${entity}&changedSince=${ctx.state[keys.since]!}`,
      }
      return
    }
    ctx.log.info({ event: 'cdc_overflow', entity }, 'change data capture hit its limit; reading everything')
  }

  let watermark: string | null = null
  for (let start = 1; ; start += QUERY_PAGE_SIZE) {
    const statement = `SELECT * FROM ${entity} WHERE ${spec.where} ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${QUERY_PAGE_SIZE}`
    const body = await client.call({ method: 'GET', path: '/query', query: { query: statement }, what: `${entity} query` })
    const response = body.QueryResponse
    if (!response || typeof response !== 'object') throw new QboError(`QuickBooks Online sent a malformed answer to the ${entity} query: no QueryResponse.`)
    // The time of the first page is where the next incremental sync starts: changes made while this run read are read again.
    watermark ??= text(body.time) ?? new Date().toISOString()
    const objects = objectsOf(response, entity, `${entity} query answer`)
    const last = objects.length < QUERY_PAGE_SIZE
    yield {
      records: objects.filter((o) => spec.keep?.(o) ?? true).map(toRec),
      checkpoint: last ? { [keys.since]: watermark, [keys.lastFull]: watermark } : undefined,
      request: `GET /v3/company/{realm}/query?query=${statement}`,
    }
    if (last) return
  }
}

/** A line as stored for QuickBooks Online: ids of the linked records, names for messages. */
export type QboLine = {
  requestId: string
  date: string
  minutes: number
  employee: { id: string | null; name: string }
  customer: { id: string | null; name: string } | null
  item: { id: string | null; name: string } | null
  department: { id: string | null; name: string } | null
  payItem: string
}

/** A UUID made from the line key: the same line always carries the same requestid. */
function requestIdFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function timeActivityBody(line: QboLine, settings: QboSettings): { body: Record<string, unknown> } | { problem: string } {
  const who = `${line.employee.name} on ${line.date}`
  if (!line.employee.id) return { problem: `${line.employee.name} is not linked to QuickBooks Online` }
  for (const [what, ref] of [
    ['Job site', line.customer],
    ['Cost code', line.item],
    ['Department', line.department],
  ] as const) {
    if (ref && !ref.id)
      return {
        problem: `${what} ${ref.name} of ${who} is not linked to QuickBooks Online (it needs the QuickBooks id): IMPORT it from QuickBooks Online or link it`,
      }
  }
  const ref = (r: { id: string | null; name: string } | null) => (r ? { value: r.id!, name: r.name } : undefined)
  return {
    body: {
      TxnDate: line.date,
      NameOf: 'Employee',
      EmployeeRef: ref(line.employee),
      CustomerRef: ref(line.customer),
      ItemRef: ref(line.item),
      ...(line.department ? { [settings.departmentsFrom === 'Class' ? 'ClassRef' : 'DepartmentRef']: ref(line.department) } : {}),
      BillableStatus: 'NotBillable',
      Hours: Math.floor(line.minutes / 60),
      Minutes: line.minutes % 60,
      Description: `${line.payItem} hours from Clockbridge (line ${line.requestId.slice(0, 8)})`,
    },
  }
}

/**
 * Sends lines one by one, each with its own requestid: a line whose answer was lost is settled by
 * sending it again with the same requestid (QuickBooks Online answers a replay with the original
 * response and creates nothing twice). A refusal fails the line; a connection problem stops the
 * batch: the line it hit is unconfirmed when QuickBooks may have acted on it, the rest wait.
 */
async function publish(lines: OutgoingLine[], ctx: ConnectorContext<QboSettings>): Promise<LineOutcome[]> {
  const client = new QboClient(ctx, ctx.settings.environment)
  const outcomes: LineOutcome[] = []
  for (const [i, line] of lines.entries()) {
    const payload = line.payload as QboLine
    try {
      outcomes.push(line.action === 'add' ? await addTimeActivity(client, payload, ctx.settings) : await deleteTimeActivity(client, payload, line.externalRef))
    } catch (err) {
      // A refusal (4xx, not 401/429) means QuickBooks created nothing: the line fails with its reason.
      if (
        err instanceof QboError &&
        err.httpStatus !== null &&
        err.httpStatus >= 400 &&
        err.httpStatus < 500 &&
        err.httpStatus !== 401 &&
        err.httpStatus !== 429
      ) {
        outcomes.push({ status: 'failed', message: err.message })
        continue
      }
      const message = (err as Error).message
      const unknown = err instanceof VendorGaveUp ? err.mayHaveApplied : err instanceof QboError && (err.httpStatus === null || err.httpStatus < 400)
      outcomes.push(
        unknown || line.unconfirmed
          ? {
              status: 'unconfirmed',
              message: `Sent, no answer yet: ${message} It is sent again with the same requestid, which QuickBooks Online recognises, so it is never added twice.`,
            }
          : { status: 'pending', message: `Not sent yet: ${message}` },
      )
      for (let rest = i + 1; rest < lines.length; rest++)
        outcomes.push(
          lines[rest]!.unconfirmed
            ? { status: 'unconfirmed', message: `Not checked yet: ${message}` }
            : { status: 'pending', message: `Not sent yet: ${message}` },
        )
      break
    }
  }
  return outcomes
}

async function addTimeActivity(client: QboClient, line: QboLine, settings: QboSettings): Promise<LineOutcome> {
  const built = timeActivityBody(line, settings)
  if ('problem' in built) return { status: 'failed', message: built.problem }
  const body = await client.call({
    method: 'POST',
    path: '/timeactivity',
    query: { requestid: line.requestId },
    body: built.body,
    what: `TimeActivity of ${line.employee.name} on ${line.date}`,
  })
  const id = text(nested(body, 'TimeActivity', 'Id'))
  if (!id) throw new QboError(`QuickBooks Online accepted the TimeActivity of ${line.employee.name} on ${line.date} but sent no Id back.`)
  return { status: 'sent', ref: id }
}

/** Deleting needs the current SyncToken; a TimeActivity already gone counts as deleted. */
async function deleteTimeActivity(client: QboClient, line: QboLine, id: string | null): Promise<LineOutcome> {
  if (!id) return { status: 'sent', ref: '' }
  const what = `TimeActivity ${id} of ${line.employee.name} on ${line.date}`
  let syncToken: string | null
  try {
    syncToken = text(nested(await client.call({ method: 'GET', path: `/timeactivity/${encodeURIComponent(id)}`, what }), 'TimeActivity', 'SyncToken'))
  } catch (err) {
    if (err instanceof QboError && err.code === '610') return { status: 'sent', ref: id }
    throw err
  }
  await client.call({
    method: 'POST',
    path: '/timeactivity',
    query: { operation: 'delete', requestid: requestIdFor(`delete ${line.requestId}`) },
    body: { Id: id, SyncToken: syncToken ?? '0' },
    what,
  })
  return { status: 'sent', ref: id }
}

export const quickbooksOnlineConnector: Connector<QboSettings> = {
  id: QBO_ID,
  name: 'QuickBooks Online',
  description:
    "QuickBooks Online through Intuit's Accounting API: connect once with your Intuit app, then SYNC employees, vendors, customers and jobs, service items and classes or departments, and publish approved hours as time activities.",
  hosting: 'cloud',
  syncModules: ['employees', 'companies', 'job_sites', 'cost_codes', 'departments'],
  // The Accounting API's Employee has no pay group, company or department; a Customer no job dates; an Item no job.
  sends: {
    employees: fieldsExcept('employees', 'pay_group', 'company', 'department'),
    companies: fieldsExcept('companies', 'prefix'),
    job_sites: fieldsExcept('job_sites', 'start_date', 'end_date'),
    cost_codes: fieldsExcept('cost_codes', 'job_site'),
  },
  publishesPayroll: true,
  settingsSchema: qboSettingsSchema,
  settingFields: [
    { key: 'clientId', label: 'Client id', hint: 'From your app on developer.intuit.com (Keys & credentials).' },
    { key: 'clientSecret', label: 'Client secret', secret: true },
    {
      key: 'environment',
      label: 'Environment',
      options: [
        { value: 'production', label: 'Production' },
        { value: 'sandbox', label: 'Sandbox' },
      ],
      hint: 'Sandbox companies use the sandbox API host and the development keys.',
    },
    {
      key: 'departmentsFrom',
      label: 'Departments come from',
      options: [
        { value: 'Class', label: 'Classes' },
        { value: 'Department', label: 'Departments (Locations)' },
      ],
      hint: 'Time activities carry the same choice.',
    },
  ],
  shape: 'pull',
  invalidRecords: 'fail-page',
  oauth: qboOAuth<QboSettings>((settings, secrets) => ({ clientId: settings.clientId, clientSecret: secrets.clientSecret ?? '' }), qboGate),
  planSync,
  pull,
  publishPayload: (line): QboLine => ({
    requestId: requestIdFor(line.key),
    date: line.date,
    minutes: line.minutes,
    employee: { id: line.employee.externalId, name: line.employee.name },
    customer: line.jobSite ? { id: line.jobSite.externalId, name: line.jobSite.number } : null,
    item: line.costCode ? { id: line.costCode.externalId, name: line.costCode.code } : null,
    department: line.department ? { id: line.department.externalId, name: line.department.code } : null,
    payItem: line.payrollItem.name,
  }),
  publish,
  publishBatchSize: 50,
  demo: quickbooksOnlineDemo,
  serverSettings: {
    authUrl: { env: 'QBO_AUTH_URL', default: 'https://appcenter.intuit.com/connect/oauth2', description: "Intuit's consent page (Connect)", kind: 'url' },
    tokenUrl: {
      env: 'QBO_TOKEN_URL',
      default: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      description: "Intuit's token endpoint",
      kind: 'url',
    },
    revokeUrl: {
      env: 'QBO_REVOKE_URL',
      default: 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
      description: "Intuit's revocation endpoint (Disconnect)",
      kind: 'url',
    },
    apiBaseUrl: {
      env: 'QBO_API_BASE_URL',
      default: null,
      description: "The Accounting API's host; unset: Intuit's production or sandbox host, as the connection's environment says",
      kind: 'url',
    },
  },
  testConnection: async (ctx) => {
    const client = new QboClient(ctx, ctx.settings.environment)
    const grant = await ctx.credentials()
    const body = await client.call({ method: 'GET', path: `/companyinfo/${encodeURIComponent(grant.account)}`, what: 'company information' })
    return text(nested(body, 'CompanyInfo', 'CompanyName')) ?? grant.account
  },
}
