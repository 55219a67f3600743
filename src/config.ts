import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import type { AnyConnector, VendorConfig } from './connectors/kit/types.js'
import { CONNECTORS } from './connectors/registry.js'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** The environment variables Clockbridge reads, each documented in the README. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_PATH: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/./, { message: 'must be a PostgreSQL address such as postgres://clockbridge:password@db.example.com/clockbridge' })
    .optional(),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  TZ: z.string().default('UTC').refine(isTimeZone, { message: 'must be an IANA time zone such as America/Chicago' }),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hexadecimal characters (32 bytes)' })
    .optional(),
  SECRET_KEYS_PREVIOUS: z
    .string()
    .regex(/^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$/, { message: 'must be a comma-separated list of 64-hex-character keys' })
    .optional(),
  // How many reverse proxies stand in front (each appends to X-Forwarded-For); true means one, false none.
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|yes|no|\d{1,2})$/, 'Give the number of proxies in front of Clockbridge (0, 1, 2…), or true (one) / false (none)')
    .transform((v) => (v === 'true' || v === 'yes' ? 1 : v === 'false' || v === 'no' ? 0 : Number(v)))
    .default(0),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // log2 of scrypt's N for new password hashes: 15 (32 MiB) in production; the tests lower it.
  PASSWORD_COST: z.coerce.number().int().min(10).max(20).default(15),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(25 * 1024 * 1024),
  SYNC_PAGE_TIMEOUT_SECONDS: z.coerce.number().min(0.01).max(3600).default(120),
  PUBLISH_RECHECK_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  VENDOR_TIMEOUT_SECONDS: z.coerce.number().min(0.01).max(600).default(60),
  VENDOR_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
})

export type Config = {
  port: number
  host: string
  dataDir: string
  databasePath: string
  /** PostgreSQL instead of the SQLite file (DATABASE_URL); null means the file. */
  databaseUrl: string | null
  publicBaseUrl: string
  logLevel: (typeof LOG_LEVELS)[number]
  timeZone: string
  /** 32 bytes used to encrypt credentials at rest. */
  secretKey: Buffer
  /** Earlier keys, still able to open what they sealed (see keys:rotate). */
  previousKeys: Buffer[]
  /** Reverse proxies in front of Clockbridge: the client address is the right-most hop they did not add. */
  trustProxy: number
  sessionDays: number
  passwordCost: number
  bodyLimitBytes: number
  /** Largest file upload accepted (spreadsheets), above the form body limit. */
  uploadLimitBytes: number
  /** How long a connector may take to deliver one page before the run fails. */
  syncPageTimeoutMs: number
  /** First wait before a publish line that could not be sent or confirmed is looked at again (doubled per try). */
  publishRecheckMs: number
  /** True when the public URL is https: cookies get the Secure flag. */
  secureCookies: boolean
  /** Certificate and key (PEM) when Clockbridge serves HTTPS itself. */
  /** The certificate and key, and the files they were read from (read again on SIGHUP). */
  tls: { cert: Buffer; key: Buffer; certFile: string; keyFile: string } | null
  /** Request timings for every platform, and each connector's own server settings (its platforms' addresses) by connector id. */
  vendors: Omit<VendorConfig, 'addresses'> & { addresses: Readonly<Record<string, VendorConfig['addresses']>> }
}

/** What a connector's calls get: the timings, and its own server settings. */
export function vendorsFor(config: Pick<Config, 'vendors'>, connectorId: string): VendorConfig {
  const { addresses, ...timings } = config.vendors
  return { ...timings, addresses: addresses[connectorId] ?? {} }
}

const serverUrl = z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })

/** Each connector's declared server settings, from the environment or their defaults; a bad value is an issue named by its variable. */
function connectorAddresses(env: Record<string, string>, connectors: readonly AnyConnector[], issues: string[]): Config['vendors']['addresses'] {
  const byConnector: Record<string, Record<string, string | null>> = {}
  for (const connector of connectors) {
    const values: Record<string, string | null> = {}
    for (const [key, setting] of Object.entries(connector.serverSettings ?? {})) {
      const raw = env[setting.env] ?? setting.default
      const checked = raw === null ? null : serverUrl.safeParse(raw)
      if (checked && !checked.success) issues.push(`  ${setting.env}: ${checked.error.issues[0]?.message ?? 'is not valid'}`)
      values[key] = checked?.success ? checked.data.replace(/\/+$/, '') : null
    }
    byConnector[connector.id] = values
  }
  return byConnector
}

export class ConfigError extends Error {}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value })
    return true
  } catch {
    return false
  }
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, connectors: readonly AnyConnector[] = CONNECTORS): Config {
  const given = stripEmpty(env)
  const parsed = envSchema.safeParse(given)
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
  const addresses = connectorAddresses(given, connectors, issues)
  if (!parsed.success || issues.length > 0) throw new ConfigError(`Invalid configuration:\n${issues.join('\n')}`)
  const e = parsed.data
  const dataDir = resolve(e.DATA_DIR)
  const tls = readTls(e.TLS_CERT_FILE, e.TLS_KEY_FILE)
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `${tls ? 'https' : 'http'}://${displayHost(e.HOST)}:${e.PORT}`).replace(/\/+$/, '')
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databasePath: e.DATABASE_PATH === ':memory:' ? ':memory:' : resolve(e.DATABASE_PATH ?? join(dataDir, 'clockbridge.db')),
    databaseUrl: e.DATABASE_URL ?? null,
    publicBaseUrl,
    logLevel: e.LOG_LEVEL,
    timeZone: e.TZ,
    secretKey: e.SECRET_KEY ? Buffer.from(e.SECRET_KEY, 'hex') : readOrCreateKeyFile(dataDir),
    previousKeys: [...(e.SECRET_KEYS_PREVIOUS?.split(',') ?? []), ...readPreviousKeyFile(dataDir)].map((hex) => Buffer.from(hex, 'hex')),
    trustProxy: e.TRUST_PROXY,
    sessionDays: e.SESSION_DAYS,
    passwordCost: e.PASSWORD_COST,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    uploadLimitBytes: e.UPLOAD_LIMIT_BYTES,
    syncPageTimeoutMs: e.SYNC_PAGE_TIMEOUT_SECONDS * 1000,
    publishRecheckMs: e.PUBLISH_RECHECK_SECONDS * 1000,
    secureCookies: publicBaseUrl.startsWith('https://'),
    tls,
    vendors: {
      addresses,
      requestTimeoutMs: e.VENDOR_TIMEOUT_SECONDS * 1000,
      retryBaseMs: e.VENDOR_RETRY_BASE_MS,
    },
  }
}

/** Both files or neither; each must be readable PEM. */
export function readTls(certFile: string | undefined, keyFile: string | undefined): Config['tls'] {
  if (!certFile && !keyFile) return null
  if (!certFile || !keyFile) throw new ConfigError('Invalid configuration:\n  TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS, or neither.')
  const read = (name: string, file: string, marker: string) => {
    let content: Buffer
    try {
      content = readFileSync(resolve(file))
    } catch (err) {
      throw new ConfigError(`Invalid configuration:\n  ${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    }
    if (!content.toString('latin1').includes(marker))
      throw new ConfigError(`Invalid configuration:\n  ${name}: ${file} is not a PEM file (no "${marker}" line)`)
    return content
  }
  return { cert: read('TLS_CERT_FILE', certFile, '-----BEGIN CERTIFICATE-----'), key: read('TLS_KEY_FILE', keyFile, 'PRIVATE KEY-----'), certFile, keyFile }
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => !!kv[1]))
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host
}

export const previousKeyFile = (dataDir: string) => join(dataDir, 'secret.key.previous')
export const keyFile = (dataDir: string) => join(dataDir, 'secret.key')

function readPreviousKeyFile(dataDir: string): string[] {
  const file = previousKeyFile(dataDir)
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-fA-F]{64}$/.test(l))
}

/** The generated key lives beside the database, readable by its owner only. */
function readOrCreateKeyFile(dataDir: string): Buffer {
  const file = keyFile(dataDir)
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim()
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      throw new ConfigError(`${file} does not hold 64 hexadecimal characters; restore it from a backup or set SECRET_KEY`)
    }
    return Buffer.from(hex, 'hex')
  }
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32)
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return key
}
