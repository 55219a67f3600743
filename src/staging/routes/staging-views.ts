import type { Context } from 'hono'
import type { AppEnv } from '../../http/app-env.js'
import type { StagingView, UploadView } from '../../../views/staging/staging-tab.js'
import type { ModuleSpec } from '../../connectors/kit/records.js'
import { guessUploadMapping, uploadColumns, uploadMappingProblems, type ColumnMapping } from '../../connectors/kit/sheets/column-mapping.js'
import { mappingStateKey } from '../../connectors/kit/sheets/mapped-sheet.js'
import { integrationPaths, type Found } from '../../integrations/integration-page.js'
import { connectorStore } from '../../integrations/connector-store.js'
import { latestUploadInfo } from '../../integrations/integration-service.js'
import type { Db } from '../../db/database.js'
import { conflictedIds } from '../field-conflicts.js'
import { STAGED_STATUSES, STAGING_SORTS, stagingPage, statusCounts, type StagingFilter, type StagingSort } from '../staging-queries.js'

// The data a staging tab's pieces are drawn from: its filter and sort from the query, the page of
// records with the counts, and the upload section of a file-based connector.

export function readFilter(q: Record<string, string | undefined>): { filter: StagingFilter; sort: StagingSort; page: number } {
  const status = STAGED_STATUSES.find((s) => s === q.status) ?? ''
  const removed = q.removed === 'yes' || q.removed === 'no' ? q.removed : ''
  const failed = q.status === 'failed'
  // The ids are filled in by withConflicts, which reads the database.
  const conflicts = q.status === 'conflicts' ? { conflicts: [] as number[] } : {}
  const sort = (Object.keys(STAGING_SORTS) as StagingSort['sort'][]).find((s) => s === q.sort) ?? 'label'
  return {
    filter: { status, removed, q: (q.q ?? '').trim().slice(0, 100), ...(failed ? { failed } : {}), ...conflicts },
    sort: { sort, dir: q.dir === 'desc' ? 'desc' : 'asc' },
    page: Math.max(1, Math.min(1_000_000, Number(q.page) || 1)),
  }
}

/** A filter on Conflicts with the records that have one (they are few: found from the overrides). */
export async function withConflicts(db: Db, f: Found, module: ModuleSpec, filter: StagingFilter): Promise<StagingFilter> {
  return filter.conflicts ? { ...filter, conflicts: await conflictedIds(db, f.connector, module.id) } : filter
}

export async function stagingView(
  c: Context<AppEnv>,
  f: Found,
  module: ModuleSpec,
  query: Record<string, string | undefined>,
  message?: StagingView['message'],
): Promise<StagingView> {
  const read = readFilter(query)
  const { sort, page: pageNo } = read
  const conflicts = await conflictedIds(c.var.db, f.connector, module.id)
  const filter = read.filter.conflicts ? { ...read.filter, conflicts } : read.filter
  return {
    ...integrationPaths(f.connector, module),
    module,
    filter,
    sort,
    page: await stagingPage(c.var.db, f.connector.id, module.id, filter, sort, pageNo),
    counts: { ...(await statusCounts(c.var.db, f.connector.id, module.id)), conflicts: conflicts.length },
    canAct: c.var.user!.permissions.has('integrations.actions'),
    message,
  }
}

export async function uploadView(c: Context<AppEnv>, f: Found, module: ModuleSpec, error?: string): Promise<UploadView | null> {
  const spec = f.connector.upload
  if (!spec) return null
  const upload = await latestUploadInfo(c.var.db, f.connector, module.id)
  const saved = await connectorStore(c.var.db, f.connector.id).get(mappingStateKey(module.id))
  const mapping = saved ? (JSON.parse(saved) as ColumnMapping) : null
  let file: UploadView['file'] = null
  let problems: string[] = []
  if (upload) {
    const inspected = upload.inspection
    if ('error' in inspected) error ??= inspected.error
    else {
      file = {
        filename: upload.filename,
        size: upload.size,
        uploadedAt: upload.uploaded_at,
        headers: inspected.headers,
        rows: inspected.rows,
        encoding: inspected.encoding ?? null,
        sample: inspected.sample ?? [],
      }
      problems = mapping ? uploadMappingProblems(spec, module.id, mapping, inspected.headers, upload.filename) : []
    }
  }
  return {
    accept: spec.extensions.join(','),
    maxBytes: Math.min(spec.maxBytes, c.var.config.uploadLimitBytes),
    file,
    columns: uploadColumns(spec, module.id),
    idFromColumns: !!spec.idFromColumns,
    mapping: mapping ?? (file ? guessUploadMapping(spec, module.id, file.headers) : null),
    problems,
    error,
  }
}
