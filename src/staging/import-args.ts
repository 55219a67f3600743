import type { ModuleId } from '../connectors/kit/records.js'

/** What an IMPORT is asked to do: which staged records of which module, and on whose behalf (it may run on a worker thread). */
export type ImportArgs = {
  integration: string
  integrationName: string
  module: ModuleId
  ids: number[]
  createNew?: ReadonlySet<number>
  /**
   * The columns the integration owns (ownedBy in field-conflicts.ts): the only ones written over an
   * existing record. The routes and the auto-import always say; left out, every column of the module.
   */
  owned?: readonly string[]
  trigger: 'manual' | 'auto'
  defaultTimeZone: string
}
