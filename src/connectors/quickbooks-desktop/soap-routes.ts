import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { anyone } from '../../auth/access.js'
import type { AppEnv } from '../../http/app-env.js'
import { parseSoapCall, soapFault, SoapFault, soapResult, wsdl } from './soap.js'
import { WebConnectorService } from './web-connector-service.js'

// /qbwc: the SOAP service the QuickBooks Web Connector calls. It is mounted ahead of the session,
// CSRF and form-size middleware: the Web Connector has no browser session, and its pages of
// records are larger than any form.

/** A page of 500 records is about 1 MB of qbXML, escaped inside SOAP; anything far beyond is refused. */
export const QBWC_BODY_LIMIT_BYTES = 32 * 1024 * 1024

const XML = { 'content-type': 'text/xml; charset=utf-8' }

export const qbwcRoutes = new Hono<AppEnv>()

qbwcRoutes.get('/', anyone(), (c) => {
  if (c.req.query('wsdl') === undefined && c.req.query('WSDL') === undefined) {
    return c.text(
      'This is the QuickBooks Web Connector service of Clockbridge. Its description is at ?wsdl; set it up from Administration > Integrations > QuickBooks Desktop.',
    )
  }
  return c.body(wsdl(`${c.var.config.publicBaseUrl}/qbwc`), 200, XML)
})

qbwcRoutes.post(
  '/',
  anyone(),
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
      c.var.log.warn({ event: 'qbwc_bad_request', error: err.message }, 'malformed Web Connector request')
      return c.body(soapFault(err), 500, XML)
    }
    const result = await new WebConnectorService(c.var.deps).handle(call, { clientAddress: c.var.clientIp })
    return c.body(soapResult(call.method, result), 200, XML)
  },
)
