// Turns Intuit's qbXML 13.0 sample schema (qbxmlops130.xml) into the data file the QuickBooks
// Desktop connector and its simulator read: for each request we send, its attributes and the
// element tree in the schema's order, which QuickBooks enforces. Run once when the list changes:
//   npx tsx scripts/qbxml-order.ts --ops ../shared/reference/qbxmlops130.xml
// Nothing reads the schema itself at run time.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { QbxmlNode, QbxmlOrder } from '../src/connectors/quickbooks-desktop/qbxml-order.js'

const REQUESTS = [
  'HostQueryRq',
  'CompanyQueryRq',
  'PreferencesQueryRq',
  'EmployeeQueryRq',
  'VendorQueryRq',
  'CustomerQueryRq',
  'ItemServiceQueryRq',
  'ClassQueryRq',
  'PayrollItemWageQueryRq',
  'TimeTrackingAddRq',
  'TimeTrackingQueryRq',
  'TxnDelRq',
]

const OUT = fileURLToPath(new URL('../src/connectors/quickbooks-desktop/qbxml-order.json', import.meta.url))

type Draft = QbxmlNode & { children?: Draft[] }

/** Reads the request message set line by line: the schema's comments carry optionality, repetition and enums. */
function parseRequests(text: string): Record<string, Draft> {
  const lines = text.split(/\r?\n/)
  const start = lines.findIndex((l) => l.trim().startsWith('<QBXMLMsgsRq '))
  const end = lines.findIndex((l, i) => i > start && l.trim() === '</QBXMLMsgsRq>')
  if (start < 0 || end < 0) throw new Error('No QBXMLMsgsRq in this file: is it qbxmlops130.xml?')
  const requests: Record<string, Draft> = {}
  const stack: Draft[] = []
  let orGroup = 0
  // An OR choice belongs to the level it opens at; the elements inside a chosen element are not part of it.
  const openGroups: { id: number; depth: number }[] = []
  let pendingValues: string[] | undefined
  for (const raw of lines.slice(start + 1, end)) {
    const line = raw.trim()
    const comment = /<!--(.*?)-->\s*$/.exec(line)?.[1]?.trim() ?? ''
    if (line.startsWith('<!--')) {
      if (/^<!--\s*BEGIN OR/.test(line)) openGroups.push({ id: ++orGroup, depth: stack.length })
      else if (/^<!--\s*END OR/.test(line)) openGroups.pop()
      // "<!-- ActiveStatus may have one of ... -->" precedes its element; "'metaData' is optional and may ..." is an attribute's.
      const values = /^<!--\s*\w+ may have one of the following values: (.*?)\s*-->/.exec(line)?.[1]
      if (values) pendingValues = values.split(',').map((v) => v.trim().replace(/\s*\[DEFAULT\]$/, ''))
      continue
    }
    const close = /^<\/(\w+)>/.exec(line)
    if (close) {
      stack.pop()
      continue
    }
    const open = /^<(\w+)((?:\s+\w+\s*=\s*"[^"]*")*)\s*>(.*)$/.exec(line)
    if (!open) continue
    const [, name, attrText, rest] = open
    const node: Draft = { name: name! }
    const attributes = [...attrText!.matchAll(/(\w+)\s*=/g)].map((m) => m[1]!)
    if (attributes.length > 0) node.attributes = attributes
    const group = openGroups.findLast((g) => g.depth === stack.length)
    if (/\bopt\b/.test(comment) || group) node.optional = true
    if (/\brep\b/.test(comment)) node.repeat = true
    if (group) node.or = group.id
    if (/not in (\w+\|)*QBD\b/.test(comment)) node.notInDesktop = true
    if (pendingValues) node.values = pendingValues
    pendingValues = undefined
    const parent = stack[stack.length - 1]
    const leaf = rest!.includes(`</${name}>`)
    if (parent) (parent.children ??= []).push(node)
    else if (REQUESTS.includes(name!)) requests[name!] = node
    if (!leaf) stack.push(node)
  }
  return requests
}

const { values } = parseArgs({ options: { ops: { type: 'string' } } })
if (!values.ops) throw new Error('Usage: tsx scripts/qbxml-order.ts --ops path/to/qbxmlops130.xml')
const all = parseRequests(readFileSync(values.ops, 'utf8'))
const missing = REQUESTS.filter((r) => !all[r])
if (missing.length > 0) throw new Error(`Not found in the schema: ${missing.join(', ')}`)
const order: QbxmlOrder = { version: '13.0', source: 'Intuit qbxmlops130.xml', requests: Object.fromEntries(REQUESTS.map((r) => [r, all[r]!])) }
writeFileSync(OUT, JSON.stringify(order, null, 1) + '\n')
process.stdout.write(`Wrote ${REQUESTS.length} requests to ${OUT}\n`)
