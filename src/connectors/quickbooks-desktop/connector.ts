import { MODULE_IDS, fieldsExcept } from '../kit/records.js'
import type { Connector } from '../kit/types.js'
import type { TimeLine } from './qbxml.js'
import { QBD_ID, qbdSettingsSchema, type QbdSettings } from './settings.js'
import { webConnectorEndpoint } from './soap-routes.js'
import { STATUS_KEYS } from './web-connector-service.js'
import { webConnectorSetupPanel } from './setup-panel.js'
import { quickbooksDesktopDemo } from './demo.js'

// QuickBooks Desktop runs on the customer's Windows PC. Intuit's QuickBooks Web Connector, on that
// PC, calls our SOAP service (/qbwc) on a schedule: a SYNC queues work that is done on its next
// visit (web-connector-service.ts). Nothing here reaches out to QuickBooks.

export const quickbooksDesktopConnector: Connector<QbdSettings> = {
  id: QBD_ID,
  name: 'QuickBooks Desktop',
  description:
    "QuickBooks Desktop on your Windows PC, through Intuit's QuickBooks Web Connector: it calls Clockbridge on a schedule, runs the queued syncs against your company file, and brings approved hours back.",
  hosting: 'on-premises',
  syncModules: MODULE_IDS,
  // QuickBooks keeps no pay group or company on an employee, no prefix on a vendor, no job on a service item.
  sends: {
    employees: fieldsExcept('employees', 'pay_group', 'company'),
    companies: fieldsExcept('companies', 'prefix'),
    cost_codes: fieldsExcept('cost_codes', 'job_site'),
  },
  publishesPayroll: true,
  publishByName: true,
  agentSchedule: (state, settings) => {
    const every = Number(settings.runEveryMinutes)
    return { lastContactAt: state[STATUS_KEYS.lastContact] ?? null, everyMinutes: Number.isFinite(every) && every > 0 ? every : 15 }
  },
  settingsSchema: qbdSettingsSchema,
  settingFields: [
    { key: 'username', label: 'Web Connector user name', hint: 'Goes into the QWC file; the Web Connector asks for the password.' },
    {
      key: 'runEveryMinutes',
      label: 'Web Connector runs every (minutes)',
      hint: 'Written into the QWC file as its schedule. Download the QWC file again after changing it.',
    },
    {
      key: 'companyFile',
      label: 'Company file (optional)',
      hint: 'Full path of the .QBW file, such as C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Acme.QBW. When set, any other company file is refused.',
    },
  ],
  shape: 'agent',
  agentName: 'the QuickBooks Web Connector',
  agentEndpoint: webConnectorEndpoint,
  setupPanel: webConnectorSetupPanel,
  demo: quickbooksDesktopDemo,
  // One record QuickBooks holds that Clockbridge cannot take (a class name too long, say) is listed
  // on the run and the rest of the page is staged.
  invalidRecords: 'skip-row',
  // A line becomes a TimeTrackingAdd: QuickBooks' ids where the records are linked, else full names.
  publishPayload: (line): TimeLine => ({
    key: line.key,
    date: line.date,
    minutes: line.minutes,
    employee: line.employee.externalId ? { listId: line.employee.externalId } : { fullName: line.employee.name },
    customer: line.jobSite ? (line.jobSite.externalId ? { listId: line.jobSite.externalId } : { fullName: line.jobSite.number }) : undefined,
    item: line.costCode ? (line.costCode.externalId ? { listId: line.costCode.externalId } : { fullName: line.costCode.code }) : undefined,
    class: line.department ? (line.department.externalId ? { listId: line.department.externalId } : { fullName: line.department.code }) : undefined,
    wageItem: line.payrollItem.externalId ? { listId: line.payrollItem.externalId } : { fullName: line.payrollItem.name },
    notes: `Clockbridge ${line.date}`,
  }),
}
