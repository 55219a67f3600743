import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Serves `fetch` on 127.0.0.1 (a free port unless one is given), as the simulators do. `close` ends
 * the connections still open too: a request a test left hanging (a simulated slow answer) or an idle
 * keep-alive socket would otherwise hold it for seconds.
 */
export function listenLocally(fetch: (request: Request) => Response | Promise<Response>, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => closeServer(server as Server) })
    })
  })
}

/** Stops listening and ends every open connection; resolves once the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
