import type { ConnectorDemo } from '../kit/hub.js'

/** The demo's QuickBooks Online: Intuit simulated on 127.0.0.1, the Setup filled with the simulator's app credentials. */
export const quickbooksOnlineDemo: ConnectorDemo = {
  banner: 'QuickBooks Online talks to a local simulator: click Connect on its Setup tab (the consent page is simulated), make it the sync source, SYNC.',
  startSimulator: async () => {
    const { QboSimulator } = await import('./simulator/server.js')
    const simulator = new QboSimulator({ employees: 60, customers: 10 })
    const server = await simulator.listen()
    return { env: simulator.urls(server.url), close: server.close }
  },
  setup: async () => {
    const { SIM_CLIENT } = await import('./simulator/server.js')
    return { clientId: SIM_CLIENT.clientId, clientSecret: SIM_CLIENT.clientSecret, environment: 'sandbox', departmentsFrom: 'Class' }
  },
}
