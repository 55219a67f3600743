import type { Migration } from 'kysely'
import * as mfoundation from '../../migrations/2026-11-24T00-00_foundation.js'
import * as mintegrationsHub from '../../migrations/2026-11-24T01-00_integrations-hub.js'
import * as mimportBatchCreatedRecords from '../../migrations/2026-11-25T00-00_import-batch-created-records.js'
import * as mwebConnectorSessions from '../../migrations/2026-11-25T01-00_web-connector-sessions.js'
import * as mtimeEntries from '../../migrations/2026-11-25T02-00_time-entries.js'
import * as mapiTokens from '../../migrations/2026-11-25T03-00_api-tokens.js'
import * as mpayrollItemMapping from '../../migrations/2026-11-25T04-00_payroll-item-mapping.js'
import * as mpublishing from '../../migrations/2026-11-25T05-00_publishing.js'
import * as mintegrationConnections from '../../migrations/2026-11-25T06-00_integration-connections.js'
import * as mpublishLinks from '../../migrations/2026-11-25T07-00_publish-links.js'
import * as mpayrollFileExports from '../../migrations/2026-11-25T08-00_payroll-file-exports.js'
import * as mstagingScopes from '../../migrations/2026-11-25T09-00_staging-scopes.js'
import * as munconfirmedWrites from '../../migrations/2026-12-06T00-00_unconfirmed-writes.js'
import * as muploadInspection from '../../migrations/2026-12-06T01-00_upload-inspection.js'
import * as mimportAttempts from '../../migrations/2026-12-06T02-00_import-attempts.js'
import * as mstagingCountsAndSearch from '../../migrations/2026-12-06T03-00_staging-counts-and-search.js'
import * as mappMeta from '../../migrations/2026-12-06T04-00_app-meta.js'
import * as mbackupRuns from '../../migrations/2026-12-06T05-00_backup-runs.js'
import * as mconnectorStore from '../../migrations/2026-12-06T06-00_connector-store.js'
import * as mjobClaims from '../../migrations/2026-12-06T07-00_job-claims.js'
import * as mrunHolders from '../../migrations/2026-12-06T08-00_run-holders.js'
import * as mrunSeen from '../../migrations/2026-12-06T09-00_run-seen.js'
import * as mimportHolders from '../../migrations/2026-12-06T10-00_import-holders.js'
import * as mrequestGates from '../../migrations/2026-12-06T11-00_request-gates.js'
import * as mstagedWordsFolded from '../../migrations/2026-12-06T12-00_staged-words-folded.js'
import * as memployeeEmailShared from '../../migrations/2026-12-06T13-00_employee-email-shared.js'
import * as mstagedImportErrors from '../../migrations/2026-12-06T14-00_staged-import-errors.js'
import * as mfieldOverrides from '../../migrations/2026-12-06T15-00_field-overrides.js'
import * as mnotifications from '../../migrations/2026-12-06T16-00_notifications.js'
import * as mstagedSources from '../../migrations/2026-12-06T17-00_staged-sources.js'

// Every migration, in order, listed by hand rather than read from the folder at run time: the
// one-file binary has no folder to read (a test checks that every file in migrations/ is here).
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-24T00-00_foundation': mfoundation,
  '2026-11-24T01-00_integrations-hub': mintegrationsHub,
  '2026-11-25T00-00_import-batch-created-records': mimportBatchCreatedRecords,
  '2026-11-25T01-00_web-connector-sessions': mwebConnectorSessions,
  '2026-11-25T02-00_time-entries': mtimeEntries,
  '2026-11-25T03-00_api-tokens': mapiTokens,
  '2026-11-25T04-00_payroll-item-mapping': mpayrollItemMapping,
  '2026-11-25T05-00_publishing': mpublishing,
  '2026-11-25T06-00_integration-connections': mintegrationConnections,
  '2026-11-25T07-00_publish-links': mpublishLinks,
  '2026-11-25T08-00_payroll-file-exports': mpayrollFileExports,
  '2026-11-25T09-00_staging-scopes': mstagingScopes,
  '2026-12-06T00-00_unconfirmed-writes': munconfirmedWrites,
  '2026-12-06T01-00_upload-inspection': muploadInspection,
  '2026-12-06T02-00_import-attempts': mimportAttempts,
  '2026-12-06T03-00_staging-counts-and-search': mstagingCountsAndSearch,
  '2026-12-06T04-00_app-meta': mappMeta,
  '2026-12-06T05-00_backup-runs': mbackupRuns,
  '2026-12-06T06-00_connector-store': mconnectorStore,
  '2026-12-06T07-00_job-claims': mjobClaims,
  '2026-12-06T08-00_run-holders': mrunHolders,
  '2026-12-06T09-00_run-seen': mrunSeen,
  '2026-12-06T10-00_import-holders': mimportHolders,
  '2026-12-06T11-00_request-gates': mrequestGates,
  '2026-12-06T12-00_staged-words-folded': mstagedWordsFolded,
  '2026-12-06T13-00_employee-email-shared': memployeeEmailShared,
  '2026-12-06T14-00_staged-import-errors': mstagedImportErrors,
  '2026-12-06T15-00_field-overrides': mfieldOverrides,
  '2026-12-06T16-00_notifications': mnotifications,
  '2026-12-06T17-00_staged-sources': mstagedSources,
}
