import { gatesOf } from './request-gates.js'
import { vendorsFor } from '../config.js'
import { DAY_MS } from '../lib/dates.js'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { AppDeps } from '../http/app-env.js'
import type { Db } from '../db/database.js'
import type { Insertable } from 'kysely'
import type { ConnectionStatus, IntegrationConnectionsTable } from '../db/schema.js'
import { recordAudit, systemActor, type Actor } from '../audit/audit-log.js'
import { OAuthError, type AccessGrant, type AnyConnector, type TokenGrant } from '../connectors/kit/types.js'
import { open, seal } from '../lib/secret-box.js'
import { connectorSetup, keyringOf } from './integration-service.js'

// A cloud integration's connection: Connect (OAuth 2.0 authorization code with a single-use state),
// tokens sealed at rest and refreshed before they expire, one refresh at a time across processes
// (a lease in the database), Disconnect (revoke), and the health the Overview shows.

type Deps = Pick<AppDeps, 'db' | 'config'>

const STATE_MINUTES = 10
/** An access token this close to expiry is refreshed before use. */
const REFRESH_MARGIN_MS = 5 * 60_000
const LEASE_MS = 30_000
const LEASE_POLL_MS = 50

export const redirectUriFor = (config: AppDeps['config'], connector: AnyConnector) => `${config.publicBaseUrl}/integrations/${connector.id}/oauth/callback`

/** The connection is gone or refused: an admin must Connect again. */
export class ReconnectNeeded extends Error {}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex')

function getConnection(db: Db, integration: string) {
  return db.selectFrom('integration_connections').selectAll().where('integration', '=', integration).executeTakeFirst()
}

type ConnectionValues = Omit<Insertable<IntegrationConnectionsTable>, 'integration'>

/** Writes a connection's row: `values` when it is new, `update` (by default the same) when it exists. */
function upsertConnection(db: Db, integration: string, values: ConnectionValues, update: Partial<ConnectionValues> = values) {
  return db
    .insertInto('integration_connections')
    .values({ integration, ...values })
    .onConflict((oc) => oc.column('integration').doUpdateSet(update))
    .execute()
}

/** What the Overview and the Setup tab show about each connection. */
export async function connectionHealth(db: Db): Promise<
  Map<
    string,
    {
      status: ConnectionStatus
      lastError: string | null
      lastErrorAt: string | null
      lastOkAt: string | null
      account: string | null
      accountName: string | null
    }
  >
> {
  const rows = await db
    .selectFrom('integration_connections')
    .select(['integration', 'status', 'last_error', 'last_error_at', 'last_ok_at', 'account', 'account_name'])
    .execute()
  return new Map(
    rows.map((r) => [
      r.integration,
      { status: r.status, lastError: r.last_error, lastErrorAt: r.last_error_at, lastOkAt: r.last_ok_at, account: r.account, accountName: r.account_name },
    ]),
  )
}

async function settingsAndSecrets(deps: Deps, connector: AnyConnector) {
  const setup = await connectorSetup(deps, connector)
  if (!setup.ok) return setup
  if (setup.missingSecrets.length > 0)
    return {
      ok: false as const,
      message: `The settings of ${connector.name} are incomplete: ${setup.missingSecrets.map((m) => `${m} is not set`).join('; ')}. Complete them on the Setup tab, then Connect.`,
    }
  return { ok: true as const, settings: setup.settings, secrets: setup.secrets }
}

/** Connect: a fresh single-use state, then the platform's consent page. */
export async function startConnect(deps: Deps, userId: number, connector: AnyConnector): Promise<{ ok: true; url: string } | { ok: false; message: string }> {
  if (!connector.oauth) return { ok: false, message: `${connector.name} does not connect through OAuth.` }
  const setup = await settingsAndSecrets(deps, connector)
  if (!setup.ok) return setup
  const state = randomBytes(24).toString('base64url')
  const now = new Date()
  await deps.db.deleteFrom('oauth_states').where('expires_at', '<', now.toISOString()).execute()
  await deps.db
    .insertInto('oauth_states')
    .values({
      state_hash: hashState(state),
      integration: connector.id,
      user_id: userId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + STATE_MINUTES * 60_000).toISOString(),
    })
    .execute()
  return {
    ok: true,
    url: connector.oauth.authorizeUrl({
      settings: setup.settings,
      secrets: setup.secrets,
      vendors: vendorsFor(deps.config, connector.id),
      state,
      redirectUri: redirectUriFor(deps.config, connector),
    }),
  }
}

/**
 * The platform sent the admin back. The state is consumed first, whatever happens next, so a
 * callback can never be replayed; then the code is exchanged and the tokens saved.
 */
export async function finishConnect(
  deps: Deps,
  actor: Actor & { userId: number },
  connector: AnyConnector,
  query: Record<string, string>,
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  if (!connector.oauth) return { ok: false, message: `${connector.name} does not connect through OAuth.` }
  const state = query.state ?? ''
  const consumed = state
    ? await deps.db
        .deleteFrom('oauth_states')
        .where('state_hash', '=', hashState(state))
        .where('integration', '=', connector.id)
        .returningAll()
        .executeTakeFirst()
    : undefined
  const again = 'Click Connect to try again.'
  if (!consumed) return { ok: false, message: `Not connected: this sign-in link is unknown or was already used (the state does not match). ${again}` }
  if (consumed.expires_at < new Date().toISOString())
    return { ok: false, message: `Not connected: the sign-in took longer than ${STATE_MINUTES} minutes. ${again}` }
  if (consumed.user_id !== actor.userId) return { ok: false, message: `Not connected: this sign-in was started by another user. ${again}` }
  if (query.error)
    return {
      ok: false,
      message: `Not connected: ${connector.name} answered "${query.error}"${query.error === 'access_denied' ? ' (the connection was declined on the consent page)' : ''}. ${again}`,
    }
  if (!query.code) return { ok: false, message: `Not connected: ${connector.name} sent no authorization code. ${again}` }
  const account = connector.oauth.accountFromCallback(query)
  if (!account) return { ok: false, message: `Not connected: ${connector.name} did not say which company was chosen (no realmId in the answer). ${again}` }
  const setup = await settingsAndSecrets(deps, connector)
  if (!setup.ok) return setup
  let grant: TokenGrant
  try {
    grant = await connector.oauth.exchangeCode({
      settings: setup.settings,
      secrets: setup.secrets,
      vendors: vendorsFor(deps.config, connector.id),
      code: query.code,
      redirectUri: redirectUriFor(deps.config, connector),
    })
  } catch (err) {
    return { ok: false, message: `Not connected: ${(err as Error).message} ${again}` }
  }
  await storeGrant(deps, actor, connector, account, grant)
  return { ok: true, message: `${connector.name} is connected to company ${account}.` }
}

/** Saves what a connect granted, sealed, and audits it as a connect or a reconnect. */
export async function storeGrant(deps: Deps, actor: Actor, connector: AnyConnector, account: string, grant: TokenGrant): Promise<void> {
  const previous = await getConnection(deps.db, connector.id)
  await deps.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    const values = {
      status: 'connected' as const,
      account,
      ...tokenColumns(deps, grant),
      refresh_lease_until: null,
      refresh_lease_owner: null,
      last_error: null,
      last_error_at: null,
      last_ok_at: now,
      connected_at: now,
      connected_by: actor.userId,
      updated_at: now,
    }
    await upsertConnection(trx, connector.id, values)
    const reconnect = previous && previous.status !== 'disconnected'
    await recordAudit(trx, actor, {
      action: reconnect ? 'integration.reconnect' : 'integration.connect',
      entityType: 'integration',
      entityId: connector.id,
      summary: `${reconnect ? 'Reconnected' : 'Connected'} ${connector.name} to company ${account}`,
    })
  })
}

function tokenColumns(deps: Deps, grant: TokenGrant) {
  const now = Date.now()
  return {
    tokens_blob: seal(keyringOf(deps.config), JSON.stringify({ accessToken: grant.accessToken, refreshToken: grant.refreshToken })),
    access_expires_at: new Date(now + grant.expiresInSeconds * 1000).toISOString(),
    refresh_expires_at: grant.refreshExpiresInSeconds ? new Date(now + grant.refreshExpiresInSeconds * 1000).toISOString() : null,
  }
}

/** Disconnect: the platform is asked to revoke the token; the saved tokens go either way. */
export async function disconnect(deps: Deps, actor: Actor, connector: AnyConnector): Promise<{ ok: true; message: string }> {
  const row = await getConnection(deps.db, connector.id)
  let note = ''
  if (row?.tokens_blob && connector.oauth) {
    const setup = await settingsAndSecrets(deps, connector)
    try {
      if (!setup.ok) throw new Error(setup.message)
      const tokens = JSON.parse(open(keyringOf(deps.config), row.tokens_blob)) as { refreshToken: string }
      await connector.oauth.revoke({
        settings: setup.settings,
        secrets: setup.secrets,
        vendors: vendorsFor(deps.config, connector.id),
        refreshToken: tokens.refreshToken,
      })
    } catch (err) {
      note = ` ${connector.name} could not revoke the authorization (${(err as Error).message}); remove Clockbridge under the connected apps of the company to be sure.`
    }
  }
  await deps.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    const values = {
      status: 'disconnected' as const,
      tokens_blob: null,
      access_expires_at: null,
      refresh_expires_at: null,
      refresh_lease_until: null,
      refresh_lease_owner: null,
      updated_at: now,
    }
    await upsertConnection(trx, connector.id, values)
    await recordAudit(trx, actor, {
      action: 'integration.disconnect',
      entityType: 'integration',
      entityId: connector.id,
      summary: `Disconnected ${connector.name}${note ? ' (revocation failed)' : ''}`,
    })
  })
  return { ok: true, message: `${connector.name} is disconnected.${note}` }
}

/**
 * A call to the platform worked: the connection is healthy. Without OAuth (Intacct) that is what
 * "connected" means; an OAuth connection's status follows its tokens.
 */
export async function markConnectionOk(db: Db, connector: AnyConnector): Promise<void> {
  const now = new Date().toISOString()
  const set = connector.oauth ? { last_ok_at: now, updated_at: now } : { status: 'connected' as const, last_ok_at: now, updated_at: now }
  await upsertConnection(db, connector.id, { status: 'connected', last_ok_at: now, updated_at: now }, set)
}

/** A call to the platform failed: the Overview shows why. */
export async function markConnectionError(db: Db, integration: string, message: string): Promise<void> {
  const now = new Date().toISOString()
  const error = { last_error: message.slice(0, 1000), last_error_at: now, updated_at: now }
  await upsertConnection(db, integration, { status: 'disconnected', ...error }, error)
}

/**
 * The access token for a connector's calls. A token near expiry, or one the platform just refused,
 * is refreshed by whoever takes the lease; everyone else waits for the lease and reads the result.
 * The rotated refresh token is saved with the new access token, in one statement.
 */
export function credentialsFor(deps: Deps, connector: AnyConnector, settings: unknown, secrets: Record<string, string>) {
  const keyring = keyringOf(deps.config)
  const current = async (rejected: string | null): Promise<AccessGrant> => {
    const owner = randomUUID()
    for (let waited = 0; waited < LEASE_MS * 2; waited += LEASE_POLL_MS) {
      const row = await getConnection(deps.db, connector.id)
      if (!row || row.status === 'disconnected' || !row.tokens_blob || !row.account)
        throw new ReconnectNeeded(`${connector.name} is not connected. Connect it on the Setup tab.`)
      if (row.status === 'reconnect_needed')
        throw new ReconnectNeeded(
          `${connector.name} needs to be reconnected: ${row.last_error ?? 'the authorization was refused'}. Click Connect on the Setup tab.`,
        )
      const tokens = JSON.parse(open(keyring, row.tokens_blob)) as { accessToken: string; refreshToken: string }
      const fresh = row.access_expires_at !== null && Date.parse(row.access_expires_at) - REFRESH_MARGIN_MS > Date.now()
      if (fresh && tokens.accessToken !== rejected) return { accessToken: tokens.accessToken, account: row.account }
      const now = new Date()
      const took = await deps.db
        .updateTable('integration_connections')
        .set({ refresh_lease_until: new Date(now.getTime() + LEASE_MS).toISOString(), refresh_lease_owner: owner })
        .where('integration', '=', connector.id)
        .where('tokens_blob', '=', row.tokens_blob)
        .where((eb) => eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<', now.toISOString())]))
        .executeTakeFirst()
      if (Number(took.numUpdatedRows) === 1) return refreshUnderLease(row.account, tokens.refreshToken, owner)
      await new Promise((r) => setTimeout(r, LEASE_POLL_MS))
    }
    throw new Error(`Another refresh of the ${connector.name} token did not finish within ${(LEASE_MS * 2) / 1000} s; try again.`)
  }

  const refreshUnderLease = async (account: string, refreshToken: string, owner: string): Promise<AccessGrant> => {
    const release = { refresh_lease_until: null, refresh_lease_owner: null }
    try {
      const vendors = vendorsFor(deps.config, connector.id)
      const grant = await connector.oauth!.refresh({ settings, secrets, vendors, refreshToken, account, gates: gatesOf(deps.db, vendors) })
      const now = new Date().toISOString()
      await deps.db
        .updateTable('integration_connections')
        .set({ ...tokenColumns(deps, grant), ...release, last_ok_at: now, updated_at: now })
        .where('integration', '=', connector.id)
        .where('refresh_lease_owner', '=', owner)
        .execute()
      return { accessToken: grant.accessToken, account }
    } catch (err) {
      const now = new Date().toISOString()
      if (err instanceof OAuthError && err.code === 'invalid_grant') {
        const message = `${connector.name} refused the saved authorization (invalid_grant): it was revoked, expired after 100 days unused, or replaced by another connection`
        await deps.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('integration_connections')
            .set({ ...release, status: 'reconnect_needed', last_error: message, last_error_at: now, updated_at: now })
            .where('integration', '=', connector.id)
            .execute()
          await recordAudit(trx, systemActor('token-refresh'), {
            action: 'integration.reconnect_needed',
            entityType: 'integration',
            entityId: connector.id,
            summary: `${connector.name} needs to be reconnected: ${message}`,
          })
        })
        throw new ReconnectNeeded(`${message}. Click Connect on the Setup tab.`)
      }
      await deps.db
        .updateTable('integration_connections')
        .set({ ...release, updated_at: now })
        .where('integration', '=', connector.id)
        .where('refresh_lease_owner', '=', owner)
        .execute()
      throw new Error(`Could not refresh the ${connector.name} access token: ${(err as Error).message}`, { cause: err })
    }
  }

  return { credentials: () => current(null), credentialsRejected: (rejected: string) => current(rejected) }
}

/** Disconnect for a connector without OAuth (Intacct): its stored credentials are erased. */
export async function forgetCredentials(deps: Deps, actor: Actor, connector: AnyConnector): Promise<{ ok: true; message: string }> {
  await deps.db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    await trx.updateTable('integrations').set({ secrets_blob: null, updated_at: now }).where('id', '=', connector.id).execute()
    const values = { status: 'disconnected' as const, updated_at: now }
    await upsertConnection(trx, connector.id, values)
    await recordAudit(trx, actor, {
      action: 'integration.disconnect',
      entityType: 'integration',
      entityId: connector.id,
      summary: `Disconnected ${connector.name}: its stored passwords were erased`,
    })
  })
  return { ok: true, message: `${connector.name} is disconnected; its passwords were erased. Enter them again to reconnect.` }
}

/**
 * A successful test of saved credentials: a first one (or one after a disconnect) is a connect,
 * audited. The company's name is kept for display; the account (an OAuth realm) is never touched.
 */
export async function recordTestSuccess(deps: Deps, actor: Actor, connector: AnyConnector, account: string): Promise<void> {
  const before = await getConnection(deps.db, connector.id)
  const now = new Date().toISOString()
  await deps.db.transaction().execute(async (trx) => {
    const values = {
      status: 'connected' as const,
      account_name: account,
      last_ok_at: now,
      updated_at: now,
      ...(before?.status === 'connected' ? {} : { connected_at: now, connected_by: actor.userId }),
    }
    await upsertConnection(trx, connector.id, values)
    if (before?.status !== 'connected' && !connector.oauth) {
      await recordAudit(trx, actor, {
        action: before ? 'integration.reconnect' : 'integration.connect',
        entityType: 'integration',
        entityId: connector.id,
        summary: `${before ? 'Reconnected' : 'Connected'} ${connector.name} (${account})`,
      })
    }
  })
}

/** A refresh token this close to its end (Intuit's last 100 days unused) is renewed by the daily job. */
const REFRESH_AHEAD_DAYS = 30

/**
 * Daily: every OAuth connection whose refresh token ends within 30 days is refreshed, so a company
 * that syncs rarely never falls into Reconnect needed. Returns the connectors refreshed.
 */
export async function keepConnectionsAlive(deps: Pick<AppDeps, 'db' | 'config' | 'logger' | 'connectors'>): Promise<string[]> {
  const refreshed: string[] = []
  const soon = new Date(Date.now() + REFRESH_AHEAD_DAYS * DAY_MS).toISOString()
  for (const connector of deps.connectors.filter((c) => c.oauth)) {
    const row = await getConnection(deps.db, connector.id)
    if (row?.status !== 'connected' || !row.tokens_blob || !row.refresh_expires_at || row.refresh_expires_at > soon) continue
    const setup = await settingsAndSecrets(deps, connector)
    if (!setup.ok) continue
    const { accessToken } = JSON.parse(open(keyringOf(deps.config), row.tokens_blob)) as { accessToken: string }
    try {
      await credentialsFor(deps, connector, setup.settings, setup.secrets).credentialsRejected(accessToken)
      refreshed.push(connector.id)
      deps.logger.info({ event: 'connection_kept_alive', integration: connector.id }, 'refresh token renewed')
    } catch (err) {
      deps.logger.warn({ event: 'connection_keep_alive_failed', integration: connector.id, error: (err as Error).message }, 'refresh token renewal failed')
    }
  }
  return refreshed
}
