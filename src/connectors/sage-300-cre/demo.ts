import type { ModuleId } from '../kit/records.js'
import type { ConnectorDemo } from '../kit/hub.js'
import { asset } from '../../runtime/assets.js'

const EXPORTS: [ModuleId, string][] = [
  ['employees', 'employees.csv'],
  ['job_sites', 'jobs.csv'],
  ['cost_codes', 'cost-codes.csv'],
  ['departments', 'departments.csv'],
]

/** The demo's Sage 300 CRE: the lists a Sage company exports, uploaded (mapped by Sage's own headings). */
export const sage300Demo: ConnectorDemo = {
  banner: 'Sage 300 CRE has Sage-style exports uploaded: make it the sync source and SYNC each list.',
  uploads: () => EXPORTS.map(([module, filename]) => ({ module, filename, content: asset(`src/connectors/sage-300-cre/demo/${filename}`) })),
}
