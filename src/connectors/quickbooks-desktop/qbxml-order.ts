import { assetText } from '../../runtime/assets.js'
import type { XmlElement } from '../../lib/xml.js'

// The element order of qbXML 13.0 requests, as QuickBooks enforces it. The data comes from Intuit's
// qbxmlops130.xml through scripts/qbxml-order.ts; the connector's tests check every request it
// builds against it, and the simulator rejects what QuickBooks would reject.

export type QbxmlNode = {
  name: string
  attributes?: string[]
  children?: QbxmlNode[]
  optional?: true
  repeat?: true
  /** Elements of one "BEGIN OR ... END OR" choice share a group number. */
  or?: number
  /** Allowed values of an enumeration. */
  values?: string[]
  /** QuickBooks Online only: QuickBooks Desktop rejects it. */
  notInDesktop?: true
}

export type QbxmlOrder = { version: string; source: string; requests: Record<string, QbxmlNode> }

export const QBXML_ORDER: QbxmlOrder = JSON.parse(assetText('src/connectors/quickbooks-desktop/qbxml-order.json'))

/** Why QuickBooks would reject this request aggregate, or null if it follows the schema. */
export function orderProblem(request: XmlElement): string | null {
  const spec = QBXML_ORDER.requests[request.name]
  if (!spec) return `${request.name} is not a request this QuickBooks accepts`
  return check(request, spec, request.name)
}

function check(element: XmlElement, spec: QbxmlNode, where: string): string | null {
  for (const attr of Object.keys(element.attributes)) {
    if (!spec.attributes?.includes(attr)) return `${where}: unknown attribute ${attr}`
  }
  const specChildren = spec.children ?? []
  if (specChildren.length === 0) {
    if (element.children.length > 0) return `${where}: ${element.children[0]!.name} is not allowed here`
    if (spec.values && !spec.values.includes(element.text)) return `${where}: "${element.text}" is not one of ${spec.values.join(', ')}`
    return null
  }
  let last = -1
  const seen = new Set<string>()
  for (const c of element.children) {
    const index = specChildren.findIndex((s) => s.name === c.name)
    if (index < 0) return `${where}: ${c.name} is not allowed here`
    const childSpec = specChildren[index]!
    if (childSpec.notInDesktop) return `${where}: ${c.name} is not supported by QuickBooks Desktop`
    if (index < last) return `${where}: ${c.name} is out of order (it must come before ${specChildren[last]!.name})`
    if (index === last && !childSpec.repeat) return `${where}: ${c.name} appears more than once`
    last = index
    seen.add(c.name)
    const problem = check(c, childSpec, `${where}/${c.name}`)
    if (problem) return problem
  }
  const missing = specChildren.find((s) => !s.optional && !s.notInDesktop && !seen.has(s.name))
  return missing ? `${where}: ${missing.name} is required` : null
}
