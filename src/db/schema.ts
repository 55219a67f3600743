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
