import type { Logger } from 'pino'
import { vendorsFor } from '../config.js'
import type { AnyConnector, ConnectorContext } from '../connectors/kit/types.js'
import type { AppDeps } from '../http/app-env.js'
import { credentialsFor } from './connections.js'
import { gatesOf } from './request-gates.js'
import { connectorStore } from './connector-store.js'
import { connectorSetup, latestUpload } from './integration-service.js'

/** What a connector gets for one call: its settings, opened secrets, saved state and uploads. */
export async function connectorContext(
  deps: Pick<AppDeps, 'db' | 'config'>,
  connector: AnyConnector,
  signal: AbortSignal,
  log: Logger,
  mode: 'full' | 'incremental' = 'full',
): Promise<ConnectorContext<unknown>> {
  const setup = await connectorSetup(deps, connector)
  if (!setup.ok) throw new Error(setup.message)
  if (setup.missingSecrets.length > 0)
    throw new Error(`The settings of ${connector.name} are incomplete: ${setup.missingSecrets.join(', ')} not set. Complete them on the Setup tab.`)
  const { settings, secrets } = setup
  const vendors = vendorsFor(deps.config, connector.id)
  return {
    settings,
    secrets,
    vendors,
    gates: gatesOf(deps.db, vendors),
    mode,
    ...credentialsFor(deps, connector, settings, secrets),
    state: await connectorStore(deps.db, connector.id).all(),
    upload: async (module) => {
      const u = await latestUpload(deps.db, connector.id, module)
      return u ? { filename: u.filename, content: Buffer.from(u.content), uploadedAt: u.uploaded_at } : null
    },
    log,
    signal,
  }
}
