import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { complain, EXIT, say } from './output.js'

/**
 * clockbridge healthcheck: asks the server on this machine for /healthz (for container and service
 * checks). The address the server listens on, with 127.0.0.1 for "all addresses"; https when it
 * serves TLS itself (its certificate is not checked: this only asks whether it answers).
 */
export function healthcheckCommand(settings: NodeJS.ProcessEnv): Promise<number> {
  const host = !settings.HOST || settings.HOST === '0.0.0.0' || settings.HOST === '::' ? '127.0.0.1' : settings.HOST
  const port = Number(settings.PORT ?? 3000)
  const tls = Boolean(settings.TLS_CERT_FILE)
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`
  return new Promise((resolve) => {
    const req = (tls ? httpsRequest : httpRequest)(url, { method: 'GET', timeout: 5000, rejectUnauthorized: false }, (res) => {
      res.resume()
      if (res.statusCode === 200) {
        say(`ok: ${url}`)
        resolve(EXIT.ok)
      } else {
        complain(`${url} answered ${res.statusCode}`)
        resolve(EXIT.failed)
      }
    })
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')))
    req.on('error', (err) => {
      complain(`${url}: ${err.message}`)
      resolve(EXIT.failed)
    })
    req.end()
  })
}
