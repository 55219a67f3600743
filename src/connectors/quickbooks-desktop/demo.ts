import type { ConnectorDemo } from '../kit/hub.js'
import { connectionStatus, setWebConnectorPassword } from './setup.js'

export const DEMO_QBWC_PASSWORD = 'clockbridge-demo-qbwc'
const VISIT_EVERY_MS = 15_000

/** The demo's QuickBooks Desktop: a Web Connector password, and a simulated Web Connector calling in on a timer as the real one would. */
export const quickbooksDesktopDemo: ConnectorDemo = {
  banner: `QuickBooks Desktop: make it the sync source on its Setup tab and SYNC; a simulated Web Connector calls every ${VISIT_EVERY_MS / 1000} s.`,
  prepare: async (hub) => {
    if (!(await connectionStatus(hub.store)).hasPassword) await setWebConnectorPassword(hub, DEMO_QBWC_PASSWORD)
  },
  run: (hub, company) => {
    let stopped = false
    const simulator = (async () => {
      const { QuickBooksCompany } = await import('./simulator/company.js')
      const { WebConnectorSimulator } = await import('./simulator/web-connector.js')
      // The simulated company's first employees are the demo company's people, as in a real office.
      return new WebConnectorSimulator(`${hub.publicBaseUrl}/qbwc`, new QuickBooksCompany({ employees: 40, customers: 12, people: company.people }))
    })()
    const visit = async () => {
      try {
        const result = await (await simulator).visit({ username: 'clockbridge', password: DEMO_QBWC_PASSWORD })
        if (result.outcome !== 'none' && !stopped)
          hub.log.info(
            { event: 'demo_qbwc_visit', outcome: result.outcome, requests: result.requests, error: result.lastError },
            'simulated Web Connector visit',
          )
      } catch (err) {
        hub.log.warn({ event: 'demo_qbwc_visit_failed', error: (err as Error).message }, 'simulated Web Connector visit failed')
      }
    }
    const timer = setInterval(() => void visit(), VISIT_EVERY_MS)
    timer.unref()
    return () => {
      stopped = true
      clearInterval(timer)
    }
  },
}
