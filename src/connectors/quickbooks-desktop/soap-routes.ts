import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ConnectorEnv, ConnectorPlugins } from '../kit/hub.js'
import { parseSoapCall, soapFault, SoapFault, soapResult, wsdl } from './soap.js'
import { WebConnectorService } from './web-connector-service.js'

// /qbwc: the SOAP service the QuickBooks Web Connector calls. The hub mounts it ahead of the session,
// CSRF and form-size middleware: the Web Connector has no browser session, and its pages of
// records are larger than any form.

/** A page of 500 records is about 1 MB of qbXML, escaped inside SOAP; anything far beyond is refused. */
export const QBWC_BODY_LIMIT_BYTES = 32 * 1024 * 1024

const XML = { 'content-type': 'text/xml; charset=utf-8' }

const qbwcRoutes = new Hono<ConnectorEnv>()

qbwcRoutes.get('/', (c) => {
  if (c.req.query('wsdl') === undefined && c.req.query('WSDL') === undefined) {
    return c.text(
      'This is the QuickBooks Web Connector service of Clockbridge. Its description is at ?wsdl; set it up from Administration > Integrations > QuickBooks Desktop.',
    )
  }
  return c.body(wsdl(`${c.var.hub.publicBaseUrl}/qbwc`), 200, XML)
})

qbwcRoutes.post(
  '/',
  bodyLimit({
    maxSize: QBWC_BODY_LIMIT_BYTES,
    onError: (c) =>
      c.body(soapFault(new SoapFault('Client', `The request is larger than ${QBWC_BODY_LIMIT_BYTES / 1024 / 1024} MB; nothing was read.`)), 413, XML),
  }),
  async (c) => {
    let call
    try {
      call = parseSoapCall(await c.req.text())
    } catch (err) {
      if (!(err instanceof SoapFault)) throw err
      c.var.hub.log.warn({ event: 'qbwc_bad_request', error: err.message }, 'malformed Web Connector request')
      return c.body(soapFault(err), 500, XML)
    }
    const result = await new WebConnectorService(c.var.hub).handle(call, { clientAddress: c.var.clientAddress })
    return c.body(soapResult(call.method, result), 200, XML)
  },
)

export const webConnectorEndpoint: ConnectorPlugins['agentEndpoint'] = { path: '/qbwc', routes: qbwcRoutes }
