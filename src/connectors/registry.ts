import type { AnyConnector } from './kit/types.js'
import { spreadsheetConnector } from './spreadsheet/connector.js'
import { quickbooksDesktopConnector } from './quickbooks-desktop/connector.js'
import { quickbooksOnlineConnector } from './quickbooks-online/connector.js'
import { sageIntacctConnector } from './sage-intacct/connector.js'
import { sage300Connector } from './sage-300-cre/connector.js'
import { registerIntegrationName } from '../lists/synced-status.js'

/** Every connector this server offers, in Overview order. Adding one is one line here. */
export const CONNECTORS: readonly AnyConnector[] = [
  quickbooksDesktopConnector,
  quickbooksOnlineConnector,
  sageIntacctConnector,
  sage300Connector,
  spreadsheetConnector,
]

for (const c of CONNECTORS) registerIntegrationName(c.id, c.name)

export function connectorById(id: string): AnyConnector | undefined {
  return CONNECTORS.find((c) => c.id === id)
}
