import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { stripUnprintable } from './text.js'

// XML as the vendors speak it: an ordered element tree for reading (order matters to QuickBooks and
// to Intacct), and a small writer that emits elements exactly in the order given.

export type XmlElement = { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string }

export class XmlError extends Error {}

const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by unescapeXml below: the parser's decoder is slow on a SOAP envelope
  // that carries a whole escaped qbXML document.
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
}
const parsers = new Map<string, XMLParser>()
const parserFor = (rawElements: readonly string[]) => {
  const key = rawElements.join(',')
  let p = parsers.get(key)
  if (!p) parsers.set(key, (p = new XMLParser({ ...PARSER_OPTIONS, stopNodes: rawElements.map((e) => `*.${e}`) })))
  return p
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> }

function convert(node: Ordered): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ':@')
  if (!name || name === '#text' || name.startsWith('?')) return null
  const attributes: Record<string, string> = {}
  for (const [k, v] of Object.entries(node[':@'] ?? {})) attributes[k] = unescapeXml(v)
  const children: XmlElement[] = []
  let text = ''
  for (const child of (node[name] as Ordered[]) ?? []) {
    if ('#text' in child) text += unescapeXml(String(child['#text']))
    else {
      const converted = convert(child)
      if (converted) children.push(converted)
    }
  }
  // Namespace prefixes are dropped: soap:Envelope and Envelope are the same element to us.
  return { name: name.replace(/^[\w-]+:/, ''), attributes, children, text }
}

/**
 * Parses a document into its root element, or throws an XmlError that says where it is malformed.
 * The text of `rawElements` is taken whole without parsing inside it (a SOAP parameter carrying an
 * escaped document: ten times faster than walking it).
 */
export function parseXml(text: string, rawElements: readonly string[] = []): XmlElement {
  const valid = XMLValidator.validate(text)
  if (valid !== true) throw new XmlError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`)
  const roots = (parserFor(rawElements).parse(text) as Ordered[]).map(convert).filter((e): e is XmlElement => e !== null)
  if (roots.length !== 1) throw new XmlError('the document has no single root element')
  return roots[0]!
}

/** The first child with this name, if any. */
export const child = (el: XmlElement | undefined, name: string): XmlElement | undefined => el?.children.find((c) => c.name === name)

/** The text of the first child with this name, or undefined. */
export const childText = (el: XmlElement | undefined, name: string): string | undefined => child(el, name)?.text

/** Follows a path of child names: path(ret, 'EntityRef', 'FullName'). */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let at = el
  for (const n of names) at = child(at, n)
  return at
}

/** Text for an XML document: characters XML cannot carry are dropped (see lib/text.ts), the rest escaped. */
export const escapeXml = (s: string) =>
  stripUnprintable(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

/** The five XML entities and numeric character references, decoded (constant replacements: a SOAP envelope carries megabytes of them). */
export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s
  let out = s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
  if (out.includes('&#'))
    out = out.replace(/&#(\d+);|&#x([0-9a-fA-F]+);/g, (_m, dec: string | undefined, hex: string | undefined) =>
      String.fromCodePoint(dec ? Number(dec) : parseInt(hex!, 16)),
    )
  // Last, so "&amp;lt;" becomes "&lt;" and not "<".
  return out.replace(/&amp;/g, '&')
}

/** An element to write: children are written in the order given; undefined and null children are left out. */
export type XmlNode = {
  name: string
  attributes?: Record<string, string | number | undefined>
  children?: (XmlNode | null | undefined)[]
  text?: string | number
}

export const el = (name: string, attributes: XmlNode['attributes'] = {}, ...children: (XmlNode | null | undefined)[]): XmlNode => ({
  name,
  attributes,
  children,
})

/** A leaf with text, or nothing when the value is empty, so optional elements vanish. */
export const leaf = (name: string, value: string | number | null | undefined): XmlNode | null =>
  value === null || value === undefined || value === '' ? null : { name, text: value }

/** A parsed element as indented XML text: what a source sent, for View source. */
export function xmlSource(element: XmlElement, indent = ''): string {
  const attrs = Object.entries(element.attributes)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('')
  if (element.children.length === 0) return `${indent}<${element.name}${attrs}>${escapeXml(element.text)}</${element.name}>`
  return `${indent}<${element.name}${attrs}>\n${element.children.map((c) => xmlSource(c, `${indent}  `)).join('\n')}\n${indent}</${element.name}>`
}

export function writeXml(node: XmlNode): string {
  const attrs = Object.entries(node.attributes ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('')
  const kids = (node.children ?? []).filter((c): c is XmlNode => !!c)
  if (kids.length === 0 && node.text === undefined) return `<${node.name}${attrs}/>`
  const inner = node.text !== undefined ? escapeXml(String(node.text)) : kids.map(writeXml).join('')
  return `<${node.name}${attrs}>${inner}</${node.name}>`
}
