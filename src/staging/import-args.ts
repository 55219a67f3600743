import type { ModuleId } from '../connectors/kit/records.js'

/** What an IMPORT is asked to do: which staged records of which module, and on whose behalf (it may run on a worker thread). */
export type ImportArgs = {
  integration: string
  integrationName: string
  module: ModuleId
  ids: number[]
  createNew?: ReadonlySet<number>
  trigger: 'manual' | 'auto'
  defaultTimeZone: string
}
