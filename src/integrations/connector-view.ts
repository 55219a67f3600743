import type { ConnectorView, ModuleView } from '../../views/integrations/connector-view.js'
import { MODULE_IDS, MODULES, type ModuleSpec } from '../connectors/kit/records.js'
import type { AnyConnector } from '../connectors/kit/types.js'

/** A module as pages show it. */
export const moduleView = (m: ModuleSpec): ModuleView => ({
  id: m.id,
  label: m.label,
  one: m.one,
  slug: m.slug,
  corePath: m.corePath,
  fields: m.fields.map((f) => ({ key: f.key, label: f.label })),
})

/** Every module, in the Overview's column order. */
export const ALL_MODULES: ModuleView[] = MODULE_IDS.map((id) => moduleView(MODULES[id]))

/** A connector as pages show it: plain data. */
export function connectorView(c: AnyConnector): ConnectorView {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    hosting: c.hosting,
    modules: c.syncModules.map((m) => moduleView(MODULES[m])),
    publishesPayroll: c.publishesPayroll,
    settingFields: c.settingFields,
    connects: { oauth: !!c.oauth, test: !!c.testConnection },
  }
}
