// What the integration pages show of a connector and its modules: plain data, made from the
// connector by src/integrations/connector-view.ts.

/** A module an integration syncs: its tab, its core list, its fields. */
export type ModuleView = { id: string; label: string; one: string; slug: string; corePath: string; fields: { key: string; label: string }[] }

export type SettingFieldView = { key: string; label: string; secret?: boolean; hint?: string; options?: { value: string; label: string }[] }

export type ConnectorView = {
  id: string
  name: string
  description: string
  hosting: string
  modules: ModuleView[]
  publishesPayroll: boolean
  settingFields: SettingFieldView[]
  /** How it connects: OAuth (Connect / Disconnect) and a test call; either gives it a connection status. */
  connects: { oauth: boolean; test: boolean }
}

export const hasConnectionStatus = (c: ConnectorView) => c.connects.oauth || c.connects.test
