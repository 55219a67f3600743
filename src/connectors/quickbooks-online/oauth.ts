import { z } from 'zod'
import type { VendorConfig } from '../kit/types.js'
import { addressOf, OAuthError, type OAuthSpec, type TokenGrant } from '../kit/types.js'
import { pacedFetch } from '../kit/http-retry.js'
import type { RequestGate, RequestGates } from '../kit/request-gate.js'

// Intuit's OAuth 2.0 endpoints: consent at appcenter.intuit.com, tokens and refreshes at the token
// endpoint (HTTP Basic with the app's client id and secret, form-encoded), revocation. Tokens and
// secrets never go into a message: errors carry Intuit's error code and description only.

const QBO_SCOPE = 'com.intuit.quickbooks.accounting'

export type QboAppCredentials = { clientId: string; clientSecret: string }

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  x_refresh_token_expires_in: z.coerce.number().positive().optional(),
})

async function tokenCall(vendors: VendorConfig, app: QboAppCredentials, form: Record<string, string>, what: string, gate?: RequestGate): Promise<TokenGrant> {
  const response = await pacedFetch(
    addressOf(vendors, 'tokenUrl'),
    {
      method: 'POST',
      headers: { authorization: basicAuth(app), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    },
    { vendors, what: `Intuit's token endpoint (${what})`, maxAttempts: 3, gate },
  )
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch {
    throw new OAuthError('bad_response', `Intuit's token endpoint sent an answer that is not JSON (HTTP ${response.status}) to the ${what}.`)
  }
  if (response.status !== 200) {
    const error = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : `http_${response.status}`
    const description =
      typeof (body as { error_description?: unknown })?.error_description === 'string' ? `: ${(body as { error_description: string }).error_description}` : ''
    const hint = error === 'invalid_client' ? ' Check the client id and secret on the Setup tab.' : ''
    throw new OAuthError(error, `Intuit refused the ${what} (${error}${description}).${hint}`)
  }
  const parsed = tokenResponse.safeParse(body)
  if (!parsed.success)
    throw new OAuthError('bad_response', `Intuit's answer to the ${what} lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}.`)
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresInSeconds: parsed.data.expires_in,
    refreshExpiresInSeconds: parsed.data.x_refresh_token_expires_in ?? null,
  }
}

const basicAuth = (app: QboAppCredentials) => `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`

/** The OAuth side of the QuickBooks Online connector, given how to read the app's credentials. */
export function qboOAuth<S>(
  app: (settings: S, secrets: Record<string, string>) => QboAppCredentials,
  gate: (gates: RequestGates, account: string) => RequestGate,
): OAuthSpec<S> {
  return {
    authorizeOrigin: (vendors) => new URL(addressOf(vendors, 'authUrl')).origin,
    authorizeUrl: ({ settings, secrets, vendors, state, redirectUri }) => {
      const url = new URL(addressOf(vendors, 'authUrl'))
      url.search = new URLSearchParams({
        client_id: app(settings, secrets).clientId,
        response_type: 'code',
        scope: QBO_SCOPE,
        redirect_uri: redirectUri,
        state,
      }).toString()
      return url.toString()
    },
    accountFromCallback: (query) => (query.realmId && /^\d{1,32}$/.test(query.realmId) ? query.realmId : null),
    exchangeCode: ({ settings, secrets, vendors, code, redirectUri }) =>
      tokenCall(vendors, app(settings, secrets), { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, 'authorization code'),
    // A refresh waits in the company's gate like every other call, and honours its pause.
    refresh: ({ settings, secrets, vendors, refreshToken, account, gates }) =>
      tokenCall(vendors, app(settings, secrets), { grant_type: 'refresh_token', refresh_token: refreshToken }, 'token refresh', gate(gates, account)),
    revoke: async ({ settings, secrets, vendors, refreshToken }) => {
      const response = await pacedFetch(
        addressOf(vendors, 'revokeUrl'),
        {
          method: 'POST',
          headers: { authorization: basicAuth(app(settings, secrets)), 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ token: refreshToken }),
        },
        { vendors, what: "Intuit's revoke endpoint", maxAttempts: 3 },
      )
      if (response.status !== 200) throw new Error(`Intuit answered HTTP ${response.status} to the revocation`)
    },
  }
}
