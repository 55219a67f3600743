import type { RequestGates } from './request-gate.js'
import type { Logger } from 'pino'
import type { z } from 'zod'
import type { FieldSpec, ModuleId } from './records.js'
import type { PullPage, RunTrigger } from './pages.js'
import type { ConnectorPlugins } from './hub.js'

// The contract between the hub and a connector. A connector only does I/O: it reads its platform
// and hands the hub records in the module's field names; it never touches the database, routes or
// views. The hub owns staging, runs, locks, schedules and history.

/** What a connector sends of each module (see Connector.sends); undefined: every field. */
export type FieldsSent =
  Partial<Record<ModuleId, readonly string[]>> | ((module: ModuleId, state: Readonly<Record<string, string>>) => readonly string[] | undefined)

export type UploadedFile = { filename: string; content: Buffer; uploadedAt: string }

/** What the hub lends a connector for one call. */
export type ConnectorContext<Settings> = {
  settings: Settings
  secrets: Record<string, string>
  /** Values the connector saved in earlier runs (cursors, column mappings). */
  state: Readonly<Record<string, string>>
  /** The latest file uploaded for a module, for file-based connectors. */
  upload: (module: ModuleId) => Promise<UploadedFile | null>
  log: Logger
  /** Aborted when the run is cancelled or a page takes too long. */
  signal: AbortSignal
  /** The platforms' addresses and request limits from the server's configuration. */
  vendors: VendorConfig
  /** For a sync: whether this run reads everything or only what changed (see `planSync`). */
  mode: 'full' | 'incremental'
  /** For connectors with `oauth`: a current access token, refreshed as needed (one refresh at a time). */
  credentials: () => Promise<AccessGrant>
  /** The platform refused the token it just accepted (401): refresh now, whatever its expiry says. */
  credentialsRejected: (rejected: string) => Promise<AccessGrant>
  /** The request gate of a company at the platform, shared with every caller on every instance (kit/request-gate.ts). */
  gates: RequestGates
}

/** An access token and the account (QuickBooks realm) it opens. */
export type AccessGrant = { accessToken: string; account: string }

/** What a token endpoint granted. */
export type TokenGrant = { accessToken: string; refreshToken: string; expiresInSeconds: number; refreshExpiresInSeconds: number | null }

/** A token endpoint said no; `invalid_grant` means the customer must connect again. */
export class OAuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** The OAuth 2.0 authorization-code flow of a platform; each call is I/O only. */
export type OAuthSpec<Settings> = {
  /** Where Connect sends the browser: allowed as a form target by the content security policy. */
  authorizeOrigin: (vendors: VendorConfig) => string
  authorizeUrl: (a: { settings: Settings; secrets: Record<string, string>; vendors: VendorConfig; state: string; redirectUri: string }) => string
  /** The callback's query names the account (realmId); null when it is missing. */
  accountFromCallback: (query: Record<string, string>) => string | null
  exchangeCode: (a: { settings: Settings; secrets: Record<string, string>; vendors: VendorConfig; code: string; redirectUri: string }) => Promise<TokenGrant>
  /** `account`: the account the tokens open (the realm), so the refresh can share its request limits. */
  refresh: (a: {
    settings: Settings
    secrets: Record<string, string>
    vendors: VendorConfig
    refreshToken: string
    account: string
    gates: RequestGates
  }) => Promise<TokenGrant>
  revoke: (a: { settings: Settings; secrets: Record<string, string>; vendors: VendorConfig; refreshToken: string }) => Promise<void>
}

export type Hosting = 'cloud' | 'on-premises' | 'file'

export type SettingField = {
  key: string
  label: string
  secret?: boolean
  hint?: string
  /** A choice instead of free text. */ options?: { value: string; label: string }[]
}

/** What the pages need of an uploaded file, read once at upload: never parsed again for a page. */
export type UploadInspection = { headers: string[]; rows: number; encoding?: string | null; sample?: string[][] }

export type UploadSpec = {
  /** File name endings accepted, such as .csv and .xlsx. */
  extensions: string[]
  maxBytes: number
  /** Reads an uploaded file once (its headings, rows, encoding and first rows), or says clearly why it cannot. The hub stores the answer. */
  inspect: (file: { filename: string; content: Buffer }) => Promise<UploadInspection | { error: string }>
  /** The columns to map when they are not the module's own fields (a platform's export layout). */
  columns?: (module: ModuleId) => FieldSpec[]
  /** Headings a platform's exports use for each column, tried first when guessing the mapping. */
  presets?: (module: ModuleId) => Record<string, string[]>
  /** The external id is made from mapped columns, so there is no external id column to choose. */
  idFromColumns?: boolean
}

/** A connector; what it adds to the hub beyond reading and publishing (an agent endpoint, a Setup panel) comes through `ConnectorPlugins`. */
export interface Connector<Settings = Record<string, unknown>> extends ConnectorPlugins {
  id: string
  name: string
  description: string
  hosting: Hosting
  syncModules: readonly ModuleId[]
  /**
   * The fields of each module its platform fills (see `fieldsSent`); default every field. The
   * others stay empty in what it sends, so IMPORT never writes them over a record and the admin
   * keeps editing them in Clockbridge (a QuickBooks employee has no pay group). A function answers
   * from the connector's saved values (a spreadsheet sends the columns its mapping names).
   */
  sends?: FieldsSent
  publishesPayroll: boolean
  /** Validates the Setup tab; secret fields are stored encrypted and never shown again. */
  settingsSchema: z.ZodType<Settings>
  settingFields: SettingField[]
  /**
   * `pull`: the hub calls `pull` and stages each page it yields.
   * `agent`: the platform's agent calls us; a SYNC queues work and pages arrive through the hub.
   */
  shape: 'pull' | 'agent'
  /** For `agent` connectors: who calls in, as runs waiting for it say ("the QuickBooks Web Connector"). */
  agentName?: string
  /** For `agent` connectors: when the agent last called and how often it should, from its saved values and settings (a silent agent is told of). */
  agentSchedule?: (state: Readonly<Record<string, string>>, settings: Record<string, unknown>) => { lastContactAt: string | null; everyMinutes: number } | null
  pull?: (module: ModuleId, ctx: ConnectorContext<Settings>) => AsyncIterable<PullPage>
  /**
   * What the hub does with a record whose fields fail validation: `skip-row` lists it as a row error
   * and stages the rest (a spreadsheet line); `fail-page` rejects the whole page and fails the run
   * (an API that sent malformed data).
   */
  invalidRecords: 'skip-row' | 'fail-page'
  upload?: UploadSpec
  /** Every job site and cost code a line names must be linked to the target (Sage 300 CRE matches them exactly): unlinked ones block. */
  publishRequiresLinks?: boolean
  /**
   * For targets that take payroll as a file the admin carries over (Sage 300 CRE's Import Time):
   * `problems` adds what blocks the file beyond the usual checks; `build` writes it from the lines' payloads.
   */
  publishFile?: {
    label: string
    problems: (payloads: unknown[]) => string[]
    build: (payloads: unknown[], settings: Settings, period: { start: string; end: string }) => { filename: string; content: string }
  }
  /** The target accepts records by name where they are not linked (QuickBooks Desktop's full names): unlinked ones only warn. */
  publishByName?: boolean
  /** For connectors that publish payroll: the target's form of a line (stored, then sent). */
  publishPayload?: (line: PublishLineInput) => unknown
  /**
   * For `pull` connectors that publish: sends a batch of lines (deletions first) and answers for
   * each, in order. The hub records every line as unconfirmed before the call; a line whose write
   * may have been applied comes back with `unconfirmed` set and must be settled, not re-sent blindly.
   * A thrown error leaves the whole batch unconfirmed.
   */
  publish?: (lines: OutgoingLine[], ctx: ConnectorContext<Settings>) => Promise<LineOutcome[]>
  /** How many lines one `publish` call takes. */
  publishBatchSize?: number
  /** Lines that must travel in one call (an Intacct timesheet: one employee, one week) share a group. */
  publishGroup?: (payload: unknown, settings: Settings) => string
  /** Full or incremental for this run (an incremental run never computes removals). Default: full. */
  planSync?: (module: ModuleId, ctx: ConnectorContext<Settings>, trigger: RunTrigger) => 'full' | 'incremental'
  /** Connect through OAuth 2.0 (Connect / Disconnect on the Setup tab). */
  oauth?: OAuthSpec<Settings>
  /** Checks the saved credentials with one harmless call (a session, a company read); throws with the reason. */
  testConnection?: (ctx: ConnectorContext<Settings>) => Promise<string>
  /** Server-wide values it reads from the configuration (its platform's addresses), by key; they reach it as `vendors.addresses`. */
  serverSettings?: Record<string, ServerSetting>
}

/**
 * A publish line on its way to the target. `externalRef` is what the target answered when it was
 * added. `attempt` counts the writes that carried it, this one included. `unconfirmed`: an earlier
 * write may have been applied (its answer was lost): settle it by the target's own mechanism (replay
 * with the same request id, read it back) before anything is sent again.
 */
export type OutgoingLine = {
  id: number
  key: string
  action: 'add' | 'delete'
  payload: unknown
  externalRef: string | null
  attempt: number
  unconfirmed: boolean
}

/**
 * What the target said about one line. `resendRef`: deleting this line removed a whole group at
 * the target (an Intacct timesheet), so the other lines sent under that reference go again.
 * `pending`: certainly not applied, sent again later. `unconfirmed`: it may have been applied (no
 * answer came back): never re-sent blindly, settled at the next send.
 */
export type LineOutcome = { status: 'sent'; ref: string; resendRef?: string } | { status: 'failed' | 'pending' | 'unconfirmed'; message: string }

/** One line of approved hours, as a publishing connector receives it: the target's ids where the records are linked. */
export type PublishLineInput = {
  /** Never changes for this line (and revision): a target that keys on it recognises a repeat. */
  key: string
  date: string
  minutes: number
  employee: { externalId: string | null; name: string }
  jobSite: { externalId: string | null; number: string } | null
  costCode: { externalId: string | null; code: string } | null
  department: { externalId: string | null; code: string } | null
  payrollItem: { externalId: string | null; name: string }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds connectors whatever their settings
export type AnyConnector = Connector<any>

/** An integration with a connection to watch (OAuth or a test call): its health shows on the Overview. */
export const hasConnection = (connector: AnyConnector) => !!(connector.oauth || connector.testConnection)

/**
 * A value the server's configuration gives a connector, such as its platform's address (tests and
 * the demo point it at a simulator). Read from the environment variable `env` (or the config file);
 * `default: null` means unset unless configured.
 */
export type ServerSetting = { env: string; description: string; default: string | null; kind: 'url' }

/** A configured address of this connector; unset only for a setting whose default is null, which callers must then handle. */
export function addressOf(vendors: VendorConfig, key: string): string {
  const value = vendors.addresses[key]
  if (!value) throw new Error(`No address is configured for "${key}"; check the server settings of this connector.`)
  return value
}

/** The addresses and timings the configuration gives a connector. */
export type VendorConfig = {
  /** This connector's `serverSettings`, as configured or by default. */
  addresses: Readonly<Record<string, string | null>>
  /** One request to a platform may take this long before it counts as failed (and is retried). */
  requestTimeoutMs: number
  /** First wait before retrying a 5xx or network error; doubled per attempt, with jitter. */
  retryBaseMs: number
}
