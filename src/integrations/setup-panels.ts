import type { Context } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { QBD_ID } from '../connectors/quickbooks-desktop/connector.js'
import { webConnectorPanel } from '../connectors/quickbooks-desktop/setup-routes.js'

/** Sections a connector adds to its Setup tab beyond the settings form, by connector id. */
export const SETUP_PANELS: Record<string, (c: Context<AppEnv>) => Promise<unknown>> = {
  [QBD_ID]: webConnectorPanel,
}
