import type { RunTrigger } from '../connectors/kit/pages.js'
import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

// Column types of the tables the migrations create. Dates are ISO-8601 text, booleans 0/1.

export interface Database {
  roles: RolesTable
  role_permissions: RolePermissionsTable
  users: UsersTable
  sessions: SessionsTable
  login_throttle: LoginThrottleTable
  settings: SettingsTable
  audit_log: AuditLogTable
  companies: CompaniesTable
  departments: DepartmentsTable
  employees: EmployeesTable
  job_sites: JobSitesTable
  cost_codes: CostCodesTable
  pay_ids: PayIdsTable
  payroll_items: PayrollItemsTable
  integrations: IntegrationsTable
  sync_runs: SyncRunsTable
  sync_run_errors: SyncRunErrorsTable
  staging_scopes: StagingScopesTable
  staged_records: StagedRecordsTable
  staging_counts: StagingCountsTable
  staged_search: StagedSearchTable
  staged_search_progress: StagedSearchProgressTable
  app_meta: AppMetaTable
  backup_runs: BackupRunsTable
  connector_state: ConnectorStateTable
  job_claims: JobClaimsTable
  sync_run_seen: SyncRunSeenTable
  integration_uploads: IntegrationUploadsTable
  import_batches: ImportBatchesTable
  import_attempts: ImportAttemptsTable
  request_gates: RequestGatesTable
  request_gate_holds: RequestGateHoldsTable
  request_gate_sends: RequestGateSendsTable
  import_batch_items: ImportBatchItemsTable
  sync_schedules: SyncSchedulesTable
  integration_connections: IntegrationConnectionsTable
  oauth_states: OAuthStatesTable
  publish_links: PublishLinksTable
  payroll_file_exports: PayrollFileExportsTable
  time_entries: TimeEntriesTable
  pay_periods: PayPeriodsTable
  api_tokens: ApiTokensTable
  idempotency_keys: IdempotencyKeysTable
  payroll_item_groups: PayrollItemGroupsTable
  payroll_item_mappings: PayrollItemMappingsTable
  employee_payroll_groups: EmployeePayrollGroupsTable
  publish_lines: PublishLinesTable
  publish_runs: PublishRunsTable
  field_overrides: FieldOverridesTable
  notification_incidents: NotificationIncidentsTable
  notification_deliveries: NotificationDeliveriesTable
  staged_source_pages: StagedSourcePagesTable
  staged_sources: StagedSourcesTable
}

export interface RolesTable {
  id: Generated<number>
  key: string
  name: string
  position: number
}

export interface RolePermissionsTable {
  role_id: number
  permission: string
}

export type UserStatus = 'active' | 'disabled'

export interface UsersTable {
  id: Generated<number>
  email: string
  name: string
  password_hash: string
  role_id: number
  status: UserStatus
  created_at: string
  updated_at: string
}

export interface SessionsTable {
  id: string
  user_id: number
  expires_at: string
  created_at: string
  ip: string | null
  user_agent: string | null
}

export interface LoginThrottleTable {
  key: string
  failures: number
  first_failure_at: string
  locked_until: string | null
}

export interface SettingsTable {
  key: string
  value: string
  updated_at: string
}

export interface AuditLogTable {
  id: Generated<number>
  at: string
  user_id: number | null
  actor: string
  action: string
  entity_type: string
  entity_id: string | null
  summary: string
  before: string | null
  after: string | null
  ip: string | null
  request_id: string | null
}

/** Columns shared by every record an integration can feed. */
export interface SyncedColumns {
  id: Generated<number>
  source_integration: string | null
  external_id: string | null
  created_at: string
  updated_at: string
}

export type ActiveStatus = 'active' | 'disabled'

export interface CompaniesTable extends SyncedColumns {
  name: string
  prefix: string | null
  status: ActiveStatus
  payroll_company: number
}

export interface DepartmentsTable extends SyncedColumns {
  code: string
  name: string
}

export type PayGroup = 'HOURLY' | 'SALARY'

export interface EmployeesTable extends SyncedColumns {
  first_name: string
  last_name: string
  employee_number: string | null
  email: string | null
  phone: string | null
  pay_group: PayGroup
  company_id: number | null
  department_id: number | null
  status: ActiveStatus
  hire_date: string | null
}

export type JobSiteStatus = 'active' | 'archived' | 'disabled'

export interface JobSitesTable extends SyncedColumns {
  number: string
  name: string
  street: string | null
  city: string | null
  state: string | null
  zip: string | null
  country: string | null
  start_date: string | null
  end_date: string | null
  status: JobSiteStatus
}

export interface CostCodesTable extends SyncedColumns {
  code: string
  name: string
  description: string | null
  job_site_id: number | null
}

export type PayIdKind = 'fixed' | 'leave'

export interface PayIdsTable {
  id: Generated<number>
  code: string
  name: string
  kind: PayIdKind
  position: number
  created_at: string
  updated_at: string
}

export interface PayrollItemsTable extends SyncedColumns {
  name: string
  description: string | null
  note: string | null
}

export interface IntegrationsTable {
  id: string
  activated: number
  is_sync_source: number
  settings: string
  secrets_blob: string | null
  activated_at: string | null
  updated_at: string
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled' | 'timed_out'

export interface SyncRunsTable {
  id: Generated<number>
  integration: string
  module: string
  trigger: RunTrigger
  mode: 'full' | 'incremental'
  status: RunStatus
  requested_by: number | null
  pages: Generated<number>
  records: Generated<number>
  new_count: Generated<number>
  updated_count: Generated<number>
  unchanged_count: Generated<number>
  removed_count: Generated<number>
  error_count: Generated<number>
  error: string | null
  created_at: string
  started_at: string | null
  heartbeat_at: string | null
  /** The instance (host:pid) running it; with heartbeat_at, how another instance tells a live run from an abandoned one. */
  held_by: string | null
  finished_at: string | null
}

export interface SyncRunErrorsTable {
  id: Generated<number>
  run_id: number
  page: number | null
  row_number: number | null
  external_id: string | null
  field: string | null
  message: string
}

export type StagedStatus = 'new' | 'updated' | 'imported' | 'archived'

/** One integration's module: what its staged rows share, as a small number. */
export interface StagingScopesTable {
  id: Generated<number>
  integration: string
  module: string
}

export interface StagedRecordsTable {
  id: Generated<number>
  scope_id: number
  external_id: string
  label: string
  payload: string
  hash: string
  status: StagedStatus
  archived: number
  removed: number
  core_id: number | null
  imported_payload: string | null
  imported_hash: string | null
  first_seen_at: string
  last_changed_at: string
  imported_at: string | null
  last_changed_run_id: number
  /** Why its last IMPORT failed; null once an IMPORT of it succeeds (or it never failed). */
  import_error: Generated<string | null>
}

/** How many staged rows of a scope have a status and removal flag; kept by the staging code. */
export interface StagingCountsTable {
  scope_id: number
  status: StagedStatus
  removed: number
  n: number
}

/** The full-text index of staged rows (FTS5, contentless): rowid is the staged record's id. */
export interface StagedSearchTable {
  rowid: number
  words: string
}

/** The highest staged record id the search index holds (one row). */
export interface StagedSearchProgressTable {
  id: number
  indexed_through: number
}

/** Facts about the database: schema_by is the version that last migrated it. */
export interface AppMetaTable {
  key: string
  value: string
}

/** A backup Clockbridge took by itself (scheduled or "Back up now"). */
export interface BackupRunsTable {
  id: Generated<number>
  trigger: 'scheduled' | 'manual'
  status: 'running' | 'succeeded' | 'failed'
  file: string | null
  bytes: number | null
  /** Older backups deleted after this one, to keep the number the settings ask for. */
  removed: number
  error: string | null
  started_at: string
  finished_at: string | null
}

/** A staged record a sync run has seen (PostgreSQL; SQLite keeps these in a temporary table). */
export interface SyncRunSeenTable {
  run_id: number
  staged_id: number
}

/** An occurrence of a scheduled job taken by one instance (src/integrations/job-claims.ts). */
export interface JobClaimsTable {
  job: string
  /** The minute it was due, as an ISO text (2026-12-06T03:17). */
  due_at: string
  /** host:pid of the instance that runs it. */
  claimed_by: string
  claimed_at: string
}

/** The connectors' store (src/integrations/connector-store.ts): a value past `expires_at` reads as absent. */
export interface ConnectorStateTable {
  integration: string
  key: string
  value: string
  updated_at: string
  expires_at: string | null
}

export interface IntegrationUploadsTable {
  integration: string
  module: string
  filename: string
  content: Buffer
  size: number
  uploaded_by: number | null
  uploaded_at: string
  /** JSON UploadInspection, read once when the file arrived (null for files uploaded before it was kept). */
  inspection: string | null
}

export interface ImportBatchesTable {
  id: Generated<number>
  integration: string
  module: string
  trigger: 'manual' | 'auto'
  user_id: number | null
  created_count: number
  updated_count: number
  linked_count: number
  failed_count: number
  created_at: string
  /** JSON [[staged id, core id], ...] of the records the batch created from never-imported staged records. */
  created_records: string | null
  undone_at: string | null
  undone_by: number | null
}

/** An IMPORT from before it starts to its end: `interrupted` when the server stopped during it (nothing of it was kept). */
export interface ImportAttemptsTable {
  id: Generated<number>
  integration: string
  module: string
  trigger: 'manual' | 'auto'
  user_id: number | null
  records: number
  status: 'running' | 'done' | 'failed' | 'interrupted'
  batch_id: number | null
  error: string | null
  started_at: string
  finished_at: string | null
  /** The instance running it (host:pid); null before the column existed. */
  held_by: string | null
}

/** A company's request gate at a platform, as every instance sees it (src/integrations/request-gates.ts). */
export interface RequestGatesTable {
  key: string
  paused_until: string | null
}

export interface RequestGateHoldsTable {
  token: string
  key: string
  holder: string
  expires_at: string
}

export interface RequestGateSendsTable {
  id: Generated<number>
  key: string
  sent_at: string
}

/** `held`: not imported because a field it changes has an unresolved conflict (see FieldOverridesTable). */
export type ImportAction = 'created' | 'updated' | 'linked' | 'failed' | 'held'

export interface ImportBatchItemsTable {
  id: Generated<number>
  batch_id: number
  staged_record_id: number
  external_id: string
  action: ImportAction
  core_id: number | null
  core_updated_at: string | null
  message: string | null
  previous_imported_payload: string | null
  previous_imported_hash: string | null
  previous_core_id: number | null
  previous_imported_at: string | null
  /** The record's overrides as they stood before this batch (JSON of SavedOverride[]), for its undo. */
  previous_overrides: Generated<string | null>
}

/** A field of a synced record kept locally: IMPORT leaves it alone until it is released. */
export interface FieldOverridesTable {
  id: Generated<number>
  core_table: string
  core_id: number
  field: string
  /** The value the source last sent for the field (JSON of the column's value): what a release restores. */
  upstream: string | null
  /** The admin's choice when the source changed the field too: keep ours, or take the upstream value. */
  resolution: 'ours' | 'theirs' | null
  /** The upstream value (as `upstream`) the choice was made for; a later change asks again. */
  resolved_upstream: string | null
  created_by: number | null
  created_at: string
}

export interface SyncSchedulesTable {
  integration: string
  module: string
  cron: string | null
  time_zone: string
  auto_import_new: number
  auto_import_updated: number
  updated_at: string
}

export type User = Selectable<UsersTable>
export type Role = Selectable<RolesTable>
export type Employee = Selectable<EmployeesTable>
export type NewEmployee = Insertable<EmployeesTable>
export type EmployeeUpdate = Updateable<EmployeesTable>
export type Company = Selectable<CompaniesTable>
export type Department = Selectable<DepartmentsTable>
export type JobSite = Selectable<JobSitesTable>
export type CostCode = Selectable<CostCodesTable>
export type PayId = Selectable<PayIdsTable>
export type AuditEntry = Selectable<AuditLogTable>

export type TimeEntrySource = 'manual' | 'csv' | 'api'

export interface TimeEntriesTable {
  id: Generated<number>
  employee_id: number
  date: string
  start_time: string | null
  end_time: string | null
  minutes: number
  job_site_id: number | null
  cost_code_id: number | null
  department_id: number | null
  pay_id: string
  note: string | null
  source: TimeEntrySource
  created_by: number | null
  created_at: string
  updated_at: string
}

export interface PayPeriodsTable {
  start_date: string
  end_date: string
  status: 'open' | 'approved'
  approved_by: number | null
  approved_at: string | null
  updated_at: string
}

export interface ApiTokensTable {
  id: Generated<number>
  user_id: number
  name: string
  token_hash: string
  /** The token's last four characters, to tell tokens apart on the account page. */
  hint: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface IdempotencyKeysTable {
  user_id: number
  key: string
  request_hash: string
  status: number
  body: string
  created_at: string
}

export interface PayrollItemGroupsTable {
  id: Generated<number>
  /** A publishing integration's id, or "file:<format>" for a payroll file. */
  target: string
  name: string
  is_default: number
  created_at: string
  updated_at: string
}

export interface PayrollItemMappingsTable {
  group_id: number
  pay_id: string
  payroll_item_id: number
}

export interface EmployeePayrollGroupsTable {
  employee_id: number
  target: string
  group_id: number
}

/** `unconfirmed`: the write left for the target and its outcome is not known yet; it is settled, never re-sent blindly. */
export type PublishLineStatus = 'pending' | 'unconfirmed' | 'sent' | 'failed' | 'superseded'

export interface PublishLinesTable {
  id: Generated<number>
  target: string
  period_start: string
  /** Target, employee, day, pay ID, job site, cost code and department: the same line keeps it. */
  line_key: string
  revision: number
  action: 'add' | 'delete'
  employee_id: number
  date: string
  pay_id: string
  minutes: number
  /** What the target receives, in its terms (JSON). */
  payload: string
  status: PublishLineStatus
  /** The target's id of the sent line (a QuickBooks TxnID), needed to delete it. */
  external_ref: string | null
  message: string | null
  sent_at: string | null
  updated_at: string
  /** The vendor's handle of the last write that carried this line (message set id, requestid, control id). */
  attempt_id: string | null
  /** How many writes carried this line; bounded for writes the target refused without applying. */
  attempts: Generated<number>
  /** When an unconfirmed or waiting line is looked at again (null: at the agent's next visit). */
  next_check_at: string | null
}

export interface PublishRunsTable {
  id: Generated<number>
  target: string
  period_start: string
  requested_by: number | null
  added: number
  corrected: number
  removed: number
  unchanged: number
  created_at: string
}

export type ConnectionStatus = 'connected' | 'reconnect_needed' | 'disconnected'

export interface IntegrationConnectionsTable {
  integration: string
  status: ConnectionStatus
  /** The account the credentials open (the QuickBooks realm id): set by the connect flow only. */
  account: string | null
  /** The company's name as the platform last reported it, for display. */
  account_name: string | null
  /** Sealed JSON {accessToken, refreshToken}. */
  tokens_blob: string | null
  access_expires_at: string | null
  refresh_expires_at: string | null
  refresh_lease_until: string | null
  refresh_lease_owner: string | null
  last_error: string | null
  last_error_at: string | null
  last_ok_at: string | null
  connected_at: string | null
  connected_by: number | null
  updated_at: string
}

export interface OAuthStatesTable {
  state_hash: string
  integration: string
  user_id: number
  created_at: string
  expires_at: string
}

export interface PublishLinksTable {
  integration: string
  module: string
  core_id: number
  external_id: string
  /** The natural key that matched: "employee number", "name", ... */
  matched_by: string
  created_at: string
}

export interface PayrollFileExportsTable {
  id: Generated<number>
  target: string
  period_start: string
  period_end: string
  filename: string
  lines: number
  /** SHA-256 of the file, hex. */
  checksum: string
  exported_by: number | null
  exported_by_name: string
  exported_at: string
}

/** An incident people are told of once, and once more when it recovers (src/notifications/incidents.ts). */
export interface NotificationIncidentsTable {
  key: string
  kind: string
  summary: string
  opened_at: string
  last_seen_at: string
  resolved_at: string | null
}

/** One message to one recipient or webhook, waiting, sent or given up (src/notifications/outbox.ts). */
export interface NotificationDeliveriesTable {
  id: Generated<number>
  channel: 'email' | 'webhook'
  target: string
  event: string
  subject: string
  body: string
  status: 'pending' | 'sent' | 'failed'
  attempts: Generated<number>
  next_attempt_at: string
  claimed_by: string | null
  claimed_until: string | null
  last_error: string | null
  response_status: number | null
  created_at: string
  sent_at: string | null
}

/** A page of records as the source sent them, compressed (src/staging/staged-sources.ts). */
export interface StagedSourcePagesTable {
  id: Generated<number>
  scope_id: number
  run_id: number
  page: number
  request: string | null
  fetched_at: string
  content: Buffer
}

/** Which page holds a staged record's latest copy as sent. */
export interface StagedSourcesTable {
  staged_id: number
  page_id: number
}
