import type { Logger } from 'pino'
import type { z } from 'zod'
import type { ModuleId } from '../integrations/modules.js'

// The contract between the hub and a connector. A connector only does I/O: it reads its platform
// and hands the hub records in the module's field names; it never touches the database, routes or
// views. The hub owns staging, runs, locks, schedules and history.

/** One record as the platform has it, mapped onto the module's fields. */
export type SourceRecord = { externalId: string; data: Record<string, unknown>; /** Row in the source file, for messages. */ row?: number }

/** A row the connector could not turn into a record (a spreadsheet line with a bad date, say). */
export type SourceRowError = { row?: number; externalId?: string; field?: string; message: string }

export type PullPage = {
  records: SourceRecord[]
  /** Rows skipped with a reason; the run ends partial and removals are not computed. */
  rowErrors?: SourceRowError[]
  /** Saved in the same transaction as this page's records, never before. */
  checkpoint?: Record<string, string>
}

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
}

export type Hosting = 'cloud' | 'on-premises' | 'file'

export type SettingField = { key: string; label: string; secret?: boolean; hint?: string }

export type UploadSpec = {
  /** File name endings accepted, such as .csv and .xlsx. */
  extensions: string[]
  maxBytes: number
  /** Reads the header row of an uploaded file, or says clearly why it cannot. */
  inspect: (file: { filename: string; content: Buffer }) => Promise<{ headers: string[]; rows: number } | { error: string }>
}

export interface Connector<Settings = Record<string, unknown>> {
  id: string
  name: string
  description: string
  hosting: Hosting
  syncModules: readonly ModuleId[]
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
  pull?: (module: ModuleId, ctx: ConnectorContext<Settings>) => AsyncIterable<PullPage>
  /**
   * What the hub does with a record whose fields fail validation: `skip-row` lists it as a row error
   * and stages the rest (a spreadsheet line); `fail-page` rejects the whole page and fails the run
   * (an API that sent malformed data).
   */
  invalidRecords: 'skip-row' | 'fail-page'
  upload?: UploadSpec
  /** For connectors that publish payroll: the target's form of a line (stored, then sent). */
  publishPayload?: (line: PublishLineInput) => unknown
}

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

export type AnyConnector = Connector<any>
