// What a connector hands the hub when it reads its platform: records mapped onto a module's fields,
// a page at a time, and the rows it could not read.

/** One record as the platform has it, mapped onto the module's fields. */
export type SourceRecord = {
  externalId: string
  data: Record<string, unknown>
  /** Row in the source file, for messages. */
  row?: number
  /** The record as the platform sent it (its XML element, its JSON object, the sheet's row), for View source. */
  source?: string
}

/** A row the connector could not turn into a record (a spreadsheet line with a bad date, say). */
export type SourceRowError = { row?: number; externalId?: string; field?: string; message: string }

export type PullPage = {
  records: SourceRecord[]
  /** Rows skipped with a reason; the run ends partial and removals are not computed. */
  rowErrors?: SourceRowError[]
  /** Saved in the same transaction as this page's records, never before. */
  checkpoint?: Record<string, string>
  /** Records the source reports deleted (change data capture): flagged removed at source. */
  removedExternalIds?: string[]
  /** The request that fetched this page, without credentials (a query, a qbXML request, a file), for View source. */
  request?: string
}

/** What started a sync run. */
export type RunTrigger = 'manual' | 'schedule' | 'agent'
