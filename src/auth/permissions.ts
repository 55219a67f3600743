/** Every permission a role can hold, grouped as the role-permission matrix shows them. */
export const PERMISSION_GROUPS = [
  {
    name: 'Integrations',
    permissions: [
      { key: 'integrations.view', label: 'View "Integrations" tab' },
      { key: 'integrations.setup', label: 'Setup Integrations' },
      { key: 'integrations.actions', label: 'Integration Actions (SYNC, IMPORT, Archive, Unarchive, undo)' },
    ],
  },
  {
    name: 'Payroll',
    permissions: [
      { key: 'payroll.view', label: 'View "Payroll" tab' },
      { key: 'time_entries.manage', label: 'Enter and edit time' },
      { key: 'payroll.approve', label: 'Approve payroll' },
      { key: 'payroll.publish', label: 'Publish payroll' },
      { key: 'payroll.set_item_group', label: 'Set payroll item group' },
      { key: 'pay_ids.manage', label: 'Manage pay IDs' },
    ],
  },
  {
    name: 'Employees',
    permissions: [
      { key: 'employees.view', label: 'View employees' },
      { key: 'employees.manage', label: 'Manage employees' },
      { key: 'employees.import_export', label: 'Import/Export employees' },
    ],
  },
  {
    name: 'Master data',
    permissions: [
      { key: 'companies.view', label: 'View companies' },
      { key: 'companies.manage', label: 'Manage companies' },
      { key: 'job_sites.view', label: 'View job sites' },
      { key: 'job_sites.manage', label: 'Manage job sites' },
      { key: 'cost_codes.view', label: 'View cost codes' },
      { key: 'cost_codes.manage', label: 'Manage cost codes' },
      { key: 'departments.view', label: 'View departments' },
      { key: 'departments.manage', label: 'Manage departments' },
    ],
  },
  {
    name: 'Administration',
    permissions: [
      { key: 'users.manage', label: 'Manage users and roles' },
      { key: 'settings.manage', label: 'Manage settings' },
      { key: 'audit_log.view', label: 'View audit log' },
    ],
  },
] as const

export type Permission = (typeof PERMISSION_GROUPS)[number]['permissions'][number]['key']

export const ALL_PERMISSIONS: readonly Permission[] = PERMISSION_GROUPS.flatMap((g) => g.permissions.map((p) => p.key))

export function isPermission(value: string): value is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(value)
}

/** The Super Admin role always holds every permission, so nobody can lock the house. */
export const SUPER_ADMIN_ROLE = 'super_admin'
