import { randomUUID } from 'node:crypto'
import type { ConnectorHub, ConnectorStore } from '../kit/hub.js'
import { escapeXml } from '../../lib/xml.js'
import { QBD_ID, QBD_OWNER_ID, type QbdSettings } from './settings.js'
import { STATUS_KEYS, STATUS_PREFIX } from './web-connector-service.js'

// What the Setup tab of QuickBooks Desktop needs: the Web Connector's password (stored hashed),
// the QWC file the customer adds to the Web Connector, and the connection status.

export const WEB_CONNECTOR_DOWNLOAD_URL = 'https://developer.intuit.com/app/developer/qbdesktop/docs/get-started/get-started-with-quickbooks-web-connector'

export async function setWebConnectorPassword(hub: ConnectorHub, password: string): Promise<{ error: string } | { ok: true }> {
  const { minLength, maxLength } = hub.passwords
  if (password.length < minLength) return { error: `At least ${minLength} characters` }
  if (password.length > maxLength) return { error: `At most ${maxLength} characters` }
  await hub.store.set(STATUS_KEYS.passwordHash, await hub.passwords.hash(password))
  await hub.audit({ action: 'integration.qbwc_password', summary: 'Set the QuickBooks Web Connector password' })
  return { ok: true }
}

/** The FileID of this Clockbridge's QWC file: made once, then always the same, so re-adding the file changes nothing. */
export async function webConnectorFileId(store: ConnectorStore): Promise<string> {
  const id = `{${randomUUID().toUpperCase()}}`
  // Two admins downloading at once still get one FileID: the first write wins.
  if (await store.compareAndSet(STATUS_KEYS.fileId, null, id)) return id
  return (await store.get(STATUS_KEYS.fileId)) ?? id
}

/** The QWC file (Intuit's Table 4-1). It never holds the password: the Web Connector asks for it. */
export function qwcFile(args: { publicBaseUrl: string; settings: QbdSettings; fileId: string }): string {
  const base = args.publicBaseUrl
  const tag = (name: string, value: string) => `  <${name}>${escapeXml(value)}</${name}>`
  return [
    '<?xml version="1.0"?>',
    '<QBWCXML>',
    tag('AppName', 'Clockbridge'),
    tag('AppID', ''),
    tag('AppURL', `${base}/qbwc`),
    tag('AppDescription', 'Syncs employees, customers and jobs, items, classes and wage items; sends approved hours.'),
    tag('AppSupport', `${base}/integrations/${QBD_ID}`),
    tag('UserName', args.settings.username),
    tag('OwnerID', QBD_OWNER_ID),
    tag('FileID', args.fileId),
    tag('QBType', 'QBFS'),
    tag('Style', 'Document'),
    '  <Scheduler>',
    `    <RunEveryNMinutes>${args.settings.runEveryMinutes}</RunEveryNMinutes>`,
    '  </Scheduler>',
    tag('IsReadOnly', 'false'),
    '</QBWCXML>',
    '',
  ].join('\r\n')
}

/** Why the Web Connector would refuse this server's address, if it would (it needs HTTPS except on localhost, and no IP address). */
export function addressProblem(publicBaseUrl: string): string | null {
  const url = new URL(publicBaseUrl)
  const local = url.hostname === 'localhost'
  if (url.protocol !== 'https:' && !local)
    return `The Web Connector only connects over HTTPS (except to localhost). Serve Clockbridge over HTTPS (see the README) and set PUBLIC_BASE_URL to its https:// address.`
  if (/^[\d.]+$/.test(url.hostname) || url.hostname.includes(':'))
    return `The Web Connector refuses an IP address (${url.hostname}) as the application URL; use a host name in PUBLIC_BASE_URL.`
  return null
}

export type ConnectionStatus = {
  hasPassword: boolean
  lastContact?: string
  companyFile?: string
  companyName?: string
  product?: string
  version?: string
  qbxmlVersions?: string
  lastError?: string
  lastErrorAt?: string
}

export async function connectionStatus(store: ConnectorStore): Promise<ConnectionStatus> {
  const s = await store.all(STATUS_PREFIX)
  const v = (k: string) => s[k] || undefined
  return {
    hasPassword: !!s[STATUS_KEYS.passwordHash],
    lastContact: v(STATUS_KEYS.lastContact),
    companyFile: v(STATUS_KEYS.companyFile),
    companyName: v(STATUS_KEYS.companyName),
    product: v(STATUS_KEYS.product),
    version: v(STATUS_KEYS.version),
    qbxmlVersions: v(STATUS_KEYS.qbxmlVersions),
    lastError: v(STATUS_KEYS.lastError),
    lastErrorAt: v(STATUS_KEYS.lastErrorAt),
  }
}
