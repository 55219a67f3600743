import type { Context, Hono } from 'hono'
import type { Logger } from 'pino'
import type { ModuleId } from './records.js'
import type { PullPage, RunTrigger } from './pages.js'

// What the hub lends a connector that has more to do than pull pages: an agent that calls us (the
// QuickBooks Web Connector), a Setup panel of its own, routes of its own. A connector keeps what it
// needs between calls in the store, hands pages to the hub's runs and settles publish lines through
// the hub; it never opens the database, and the hub never names it.

/**
 * Keyed values a connector keeps between calls (sessions, tickets, iterator positions, cursors),
 * in the hub's database, so every instance sees them. A value past its expiry reads as absent.
 */
export interface ConnectorStore {
  get(key: string): Promise<string | null>
  /** Every live value of this connector whose key starts with `prefix` (all of them without one), by key. */
  all(prefix?: string): Promise<Record<string, string>>
  set(key: string, value: string, opts?: { ttlMs?: number }): Promise<void>
  /**
   * Writes `next` (null deletes) only if the key holds `expected` now (null: absent or expired).
   * Atomic in the database: of two callers expecting the same value, one wins. True when it wrote.
   */
  compareAndSet(key: string, expected: string | null, next: string | null, opts?: { ttlMs?: number }): Promise<boolean>
  delete(key: string): Promise<void>
}

/** A sync run of this connector that is waiting for its agent, or in progress. */
export type AgentRun = { id: number; module: ModuleId; status: 'queued' | 'running'; trigger: RunTrigger; mode: 'full' | 'incremental' | null; pages: number }

/** A page the hub refused (malformed records, no answer in time): nothing of it was staged; the message says why. */
export class PageError extends Error {
  constructor(
    readonly page: number,
    message: string,
  ) {
    super(`Page ${page}: ${message}`)
  }
}

/** The hub's sync runs, as an agent drives them page by page. */
export interface AgentRuns {
  /** Queued and running runs, oldest first. */
  open(): Promise<AgentRun[]>
  begin(runId: number, mode: 'full' | 'incremental'): Promise<void>
  /** Stages one page in its own transaction, with its checkpoint; throws a PageError for a malformed page. */
  stagePage(runId: number, module: ModuleId, page: number, value: PullPage): Promise<void>
  /** Everything was read: the run ends (removals computed after a full read) and auto-import follows if it is on. */
  complete(runId: number, module: ModuleId): Promise<void>
  fail(runId: number, reason: string): Promise<void>
}

/** A publish line as the target's agent settles it. `payload` is what `publishPayload` made of it. */
export type AgentLine = {
  id: number
  action: 'add' | 'delete'
  payload: unknown
  externalRef: string | null
  /** The write that carried it last, when it may have been applied (a message set id). */
  attemptId: string | null
  attempts: number
  message: string | null
}

/** What the target said about a line (see LineOutcome in types.ts). */
export type RecordedOutcome = { status: 'sent'; ref: string } | { status: 'failed' | 'pending' | 'unconfirmed'; message: string }

/** Writes the target refused without applying them are tried this often before their lines fail. */
export const MAX_REFUSED_TRIES = 3

/** The hub's publish lines for this connector as a target. */
export interface AgentPublishing {
  /** Lines to send, deletions first; lines the target asked to retry since `retriedSince` wait for its next visit. */
  pending(limit: number, retriedSince: string): Promise<AgentLine[]>
  /** Whether anything waits to be sent or settled. */
  waiting(retriedSince: string): Promise<boolean>
  /** Lines whose last write may have been applied, oldest first: settled before anything is sent. */
  unconfirmed(): Promise<AgentLine[]>
  /** Of these lines, the ones still unconfirmed. */
  stillUnconfirmed(ids: number[]): Promise<AgentLine[]>
  /** Recorded, and committed, before the write that carries them leaves. */
  markUnconfirmed(ids: number[], attemptId: string): Promise<void>
  /** The write's own record of its answer is gone: these lines are to be looked up instead. */
  forgetAttempt(ids: number[]): Promise<void>
  record(id: number, outcome: RecordedOutcome): Promise<void>
  /** The target certainly did not apply the line: it goes in the next write. */
  sendAgain(id: number): Promise<void>
}

/** Everything the hub lends a connector for one request. */
export interface ConnectorHub {
  connectorId: string
  /** Whether it is activated, and its Setup settings as saved (parse them with the connector's schema). */
  integration(): Promise<{ activated: boolean; settings: unknown }>
  store: ConnectorStore
  runs: AgentRuns
  publishing: AgentPublishing
  /** Hashing for secrets an agent signs in with; `verify(null, …)` spends the same time and says no. */
  passwords: { hash(password: string): Promise<string>; verify(hash: string | null, password: string): Promise<boolean>; minLength: number; maxLength: number }
  /** Recorded in the audit log under the user (or agent) of this request. */
  audit(event: { action: string; summary: string }): Promise<void>
  log: Logger
  /** This server's address as its users and agents reach it (PUBLIC_BASE_URL). */
  publicBaseUrl: string
}

/** What a connector's routes see on each request. */
export type ConnectorEnv = {
  Variables: {
    hub: ConnectorHub
    /** Where the request came from (behind a trusted proxy, the proxy's word for it). */
    clientAddress: string | null
    /** Set on Setup routes and panels: the page helpers of the signed-in user. */
    page: SetupPage
  }
}

/** Page helpers the hub gives a connector's Setup panel and routes. */
export type SetupPage = {
  /** The signed-in user may change this integration's setup. */
  canSetup: boolean
  /** The form fields posted (a broken body reads as no fields). */
  readForm(): Promise<Record<string, string>>
  /** htmx asked for a fragment, not a whole page. */
  wantsFragment: boolean
  /** A message for the next page the user sees, then a redirect to the integration's Setup tab. */
  backToSetup(message: string, kind?: 'success' | 'error'): Response
  /** Where the connector's Setup routes are mounted (/integrations/<id>/setup). */
  basePath: string
}

/** Routes and pieces of page a connector adds to the hub; the hub mounts and renders them without naming the connector. */
export type ConnectorPlugins = {
  /** The endpoint an agent calls (a SOAP service): mounted at `path`, ahead of sign-in, CSRF and form limits. */
  agentEndpoint?: { path: string; routes: Hono<ConnectorEnv> }
  /** A section of the Setup tab, and the routes its forms and downloads use (at /integrations/<id>/setup, for users who may set it up). */
  setupPanel?: { render: (c: Context<ConnectorEnv>) => Promise<unknown>; routes?: Hono<ConnectorEnv> }
  /** What it adds to the demo (`clockbridge demo`): its simulator and a Setup ready to try. */
  demo?: ConnectorDemo
}

/** The demo's company, which every simulator and sheet of the demo describes: its people, and a sheet per module. */
export type DemoCompany = {
  people: { first: string; last: string }[]
  sheet(module: ModuleId): { filename: string; content: Buffer } | null
}

/**
 * A connector's part of the demo. The hub starts each simulator before the server (its settings point
 * the connector at it), then on every start activates the connector and, the first time only, saves
 * its Setup and uploads its files with the guessed mapping; `prepare` and `run` go through the hub.
 */
export type ConnectorDemo = {
  /** What the demo's banner tells the user to try with it. */
  banner: string
  /** Starts the platform's simulator on 127.0.0.1; `env` holds the server settings (by variable) that point at it. */
  startSimulator?: (company: DemoCompany) => Promise<{ env: Record<string, string>; close: () => Promise<void> }>
  /** The Setup form as the demo saves it, secret fields included. */
  setup?: () => Promise<Record<string, string>>
  /** Files uploaded for its modules. */
  uploads?: (company: DemoCompany) => { module: ModuleId; filename: string; content: Buffer }[]
  /** The demo's sync source (one connector at most). */
  syncSource?: boolean
  /** Anything else set up through the hub (a Web Connector password); runs at every start, so it checks first. */
  prepare?: (hub: ConnectorHub) => Promise<void>
  /** Runs beside the demo server (a simulated agent calling in); returns how to stop it. */
  run?: (hub: ConnectorHub, company: DemoCompany) => () => void
}
