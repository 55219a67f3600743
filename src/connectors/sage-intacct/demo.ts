import type { ConnectorDemo } from '../kit/hub.js'

/** The demo's Sage Intacct: its XML gateway simulated on 127.0.0.1, the Setup filled with the simulator's sender and user. */
export const sageIntacctDemo: ConnectorDemo = {
  banner: 'Sage Intacct talks to a local simulator: Test connection on its Setup tab signs in at once; make it the sync source, SYNC.',
  startSimulator: async () => {
    const { IntacctSimulator } = await import('./simulator/server.js')
    const server = await new IntacctSimulator({ employees: 45, projects: 6 }).listen()
    return { env: { INTACCT_ENDPOINT_URL: server.endpoint }, close: server.close }
  },
  setup: async () => {
    const { SIM_INTACCT } = await import('./simulator/server.js')
    return { ...SIM_INTACCT, endpointUrl: '', weekStartsOn: 'monday' }
  },
}
