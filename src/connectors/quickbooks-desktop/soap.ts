import { escapeXml, parseXml, XmlError } from '../../lib/xml.js'

// SOAP 1.1, document/literal wrapped, as the QuickBooks Web Connector speaks it: Intuit's
// namespace, its method and parameter names, and its result conventions.

export const QBWC_NAMESPACE = 'http://developer.intuit.com/'

/** Each method's parameters, in order, with the result type the WSDL declares. */
export const QBWC_METHODS = {
  serverVersion: { params: [], result: 'string' },
  clientVersion: { params: ['strVersion'], result: 'string' },
  authenticate: { params: ['strUserName', 'strPassword'], result: 'ArrayOfString' },
  sendRequestXML: { params: ['ticket', 'strHCPResponse', 'strCompanyFileName', 'qbXMLCountry', 'qbXMLMajorVers', 'qbXMLMinorVers'], result: 'string' },
  receiveResponseXML: { params: ['ticket', 'response', 'hresult', 'message'], result: 'int' },
  connectionError: { params: ['ticket', 'hresult', 'message'], result: 'string' },
  getLastError: { params: ['ticket'], result: 'string' },
  closeConnection: { params: ['ticket'], result: 'string' },
} as const

export type QbwcMethod = keyof typeof QBWC_METHODS
export type SoapCall = { method: QbwcMethod; params: Record<string, string> }

export class SoapFault extends Error {
  constructor(
    readonly code: 'Client' | 'Server',
    message: string,
  ) {
    super(message)
  }
}

const isMethod = (name: string): name is QbwcMethod => Object.hasOwn(QBWC_METHODS, name)

/** Reads a Web Connector call; anything that is not one throws a SoapFault the caller answers with. */
export function parseSoapCall(body: string): SoapCall {
  let envelope
  try {
    envelope = parseXml(body, ['response', 'strHCPResponse'])
  } catch (err) {
    throw new SoapFault('Client', `The request is not well-formed XML: ${(err as XmlError).message}`)
  }
  if (envelope.name !== 'Envelope') throw new SoapFault('Client', 'The request is not a SOAP envelope')
  const call = envelope.children.find((c) => c.name === 'Body')?.children[0]
  if (!call) throw new SoapFault('Client', 'The SOAP body is empty')
  if (!isMethod(call.name)) throw new SoapFault('Client', `Unknown method ${call.name}; this service implements ${Object.keys(QBWC_METHODS).join(', ')}`)
  const namespace = Object.entries(call.attributes).find(([k]) => k === 'xmlns' || k.startsWith('xmlns:'))?.[1] ?? namespaceOf(envelope, call)
  if (namespace !== QBWC_NAMESPACE) throw new SoapFault('Client', `${call.name} must be in the namespace ${QBWC_NAMESPACE}`)
  const params: Record<string, string> = {}
  for (const name of QBWC_METHODS[call.name].params) params[name] = call.children.find((c) => c.name === name)?.text ?? ''
  return { method: call.name, params }
}

/** A prefixed method element (<tns:authenticate>) takes its namespace from a declaration on the envelope. */
function namespaceOf(envelope: { attributes: Record<string, string> }, call: { attributes: Record<string, string> }): string | undefined {
  return Object.entries({ ...envelope.attributes, ...call.attributes }).find(([k, v]) => k.startsWith('xmlns:') && v === QBWC_NAMESPACE)?.[1]
}

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>${body}</soap:Body></soap:Envelope>`

export function soapResult(method: QbwcMethod, result: string | number | string[]): string {
  const value = Array.isArray(result) ? result.map((s) => `<string>${escapeXml(s)}</string>`).join('') : escapeXml(String(result))
  return envelope(`<${method}Response xmlns="${QBWC_NAMESPACE}"><${method}Result>${value}</${method}Result></${method}Response>`)
}

export function soapFault(fault: SoapFault): string {
  return envelope(`<soap:Fault><faultcode>soap:${fault.code}</faultcode><faultstring>${escapeXml(fault.message)}</faultstring></soap:Fault>`)
}

/** The service description the Web Connector (and any SOAP tool) reads from GET /qbwc?wsdl. */
export function wsdl(serviceUrl: string): string {
  const types: Record<string, string> = { string: 's:string', int: 's:int', ArrayOfString: 'tns:ArrayOfString' }
  const paramType = (name: string) => (name === 'qbXMLMajorVers' || name === 'qbXMLMinorVers' ? 's:int' : 's:string')
  const methods = Object.entries(QBWC_METHODS) as [QbwcMethod, (typeof QBWC_METHODS)[QbwcMethod]][]
  const elements = methods
    .map(
      ([m, d]) =>
        `<s:element name="${m}"><s:complexType><s:sequence>${d.params.map((p) => `<s:element minOccurs="${paramType(p) === 's:int' ? 1 : 0}" maxOccurs="1" name="${p}" type="${paramType(p)}"/>`).join('')}</s:sequence></s:complexType></s:element>` +
        `<s:element name="${m}Response"><s:complexType><s:sequence><s:element minOccurs="${d.result === 'int' ? 1 : 0}" maxOccurs="1" name="${m}Result" type="${types[d.result]}"/></s:sequence></s:complexType></s:element>`,
    )
    .join('')
  const messages = methods
    .map(
      ([m]) =>
        `<wsdl:message name="${m}SoapIn"><wsdl:part name="parameters" element="tns:${m}"/></wsdl:message><wsdl:message name="${m}SoapOut"><wsdl:part name="parameters" element="tns:${m}Response"/></wsdl:message>`,
    )
    .join('')
  const portOps = methods
    .map(([m]) => `<wsdl:operation name="${m}"><wsdl:input message="tns:${m}SoapIn"/><wsdl:output message="tns:${m}SoapOut"/></wsdl:operation>`)
    .join('')
  const bindingOps = methods
    .map(
      ([m]) =>
        `<wsdl:operation name="${m}"><soap:operation soapAction="${QBWC_NAMESPACE}${m}" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`,
    )
    .join('')
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${QBWC_NAMESPACE}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="${QBWC_NAMESPACE}">
<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="${QBWC_NAMESPACE}"><s:complexType name="ArrayOfString"><s:sequence><s:element minOccurs="0" maxOccurs="unbounded" name="string" nillable="true" type="s:string"/></s:sequence></s:complexType>${elements}</s:schema></wsdl:types>
${messages}
<wsdl:portType name="QBWebConnectorSvcSoap">${portOps}</wsdl:portType>
<wsdl:binding name="QBWebConnectorSvcSoap" type="tns:QBWebConnectorSvcSoap"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps}</wsdl:binding>
<wsdl:service name="QBWebConnectorSvc"><wsdl:port name="QBWebConnectorSvcSoap" binding="tns:QBWebConnectorSvcSoap"><soap:address location="${escapeXml(serviceUrl)}"/></wsdl:port></wsdl:service>
</wsdl:definitions>
`
}
