import type { ConnectorView } from './connector-view.js'
/** Where a connection stands (OAuth or saved credentials). */
export type ConnectionStatus = 'connected' | 'reconnect_needed' | 'disconnected'
import { formatTimestamp } from '../../src/lib/format.js'

export type Health = {
  status: ConnectionStatus
  lastError: string | null
  lastErrorAt: string | null
  lastOkAt: string | null
  account: string | null
  accountName: string | null
}

const LABELS: Record<ConnectionStatus, string> = { connected: 'Connected', reconnect_needed: 'Reconnect needed', disconnected: 'Not connected' }

/** The connection's state in a word, with the last error when there is one. */
export function HealthBadge(props: { health: Health | undefined }) {
  const status = props.health?.status ?? 'disconnected'
  const failing = status === 'connected' && props.health?.lastError && (props.health.lastErrorAt ?? '') > (props.health.lastOkAt ?? '')
  const cls = status === 'reconnect_needed' || failing ? 'badge badge-error' : status === 'connected' ? 'badge badge-synced' : 'badge'
  return (
    <span class='connection-health'>
      <span class={cls}>{failing ? 'Connected, last call failed' : LABELS[status]}</span>
      {props.health?.lastError && (status === 'reconnect_needed' || failing) && (
        <>
          {' '}
          <small class='muted'>{props.health.lastError}</small>
        </>
      )}
    </span>
  )
}

/** Connect, Disconnect and Test on a cloud integration's Setup tab. */
export function ConnectionPanel(props: {
  connector: ConnectorView
  health: Health | undefined
  redirectUri: string
  canSetup: boolean
  notice?: { kind: 'success' | 'error'; text: string }
}) {
  const c = props.connector
  const base = `/integrations/${c.id}`
  const status = props.health?.status ?? 'disconnected'
  return (
    <section id='connection'>
      <h2>Connection status</h2>
      <p>
        <HealthBadge health={props.health} />
        {(props.health?.accountName || props.health?.account) && status !== 'disconnected' && (
          <>
            {' '}
            Account: <strong>{props.health.accountName ?? props.health.account}</strong>.
          </>
        )}
        {props.health?.lastOkAt && <small class='muted'> Last successful call {formatTimestamp(props.health.lastOkAt)}.</small>}
      </p>
      {props.notice && (
        <p class={`flash flash-${props.notice.kind}`} role={props.notice.kind === 'error' ? 'alert' : 'status'}>
          {props.notice.text}
        </p>
      )}
      {c.connects.oauth && (
        <p>
          Register this redirect URI in your app on developer.intuit.com: <code>{props.redirectUri}</code>
        </p>
      )}
      {props.canSetup && (
        <div class='button-row'>
          {c.connects.oauth && (
            <form method='post' action={`${base}/oauth/connect`} class='inline'>
              <button type='submit'>{status === 'disconnected' ? 'Connect' : 'Reconnect'}</button>
            </form>
          )}
          {c.connects.test && (
            <form
              method='post'
              action={`${base}/connection/test`}
              hx-post={`${base}/connection/test`}
              hx-target='#connection'
              hx-swap='outerHTML'
              class='inline'
            >
              <button type='submit' class='secondary'>
                Test connection
              </button>
            </form>
          )}
          {status !== 'disconnected' && (
            <form method='post' action={`${base}/connection/disconnect`} class='inline'>
              <button type='submit' class='secondary outline'>
                Disconnect
              </button>
            </form>
          )}
        </div>
      )}
    </section>
  )
}
