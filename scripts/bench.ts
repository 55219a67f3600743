// npm run bench: the staging pipeline's speed and memory, as ratios against a bare better-sqlite3
// baseline measured in the same run. Prints a table; never asserts (tests don't time things).
//   --records N   records per sync (default 100000)   --big N   rows for the page query (default 1000000)
//   --phase speed   only the staging and import ratios   --phase responsive   /healthz during SYNC, IMPORT, Undo; XLSX vs CSV
//   --phase pages   the staging page, counts and search over --big staged rows
//   --db postgres://…   on PostgreSQL instead (a database is created and dropped per round): SYNC and IMPORT against a
//                       bare PostgreSQL baseline (the same rows inserted by one statement over arrays in one transaction),
//                       then the staging page over --big rows (--phase speed or --phase pages for one of the two)
//   (the executable's rows: scripts/bench-binary.ts, which this runs last)
import { execFileSync } from 'node:child_process'
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { readSheet } from '../src/connectors/kit/sheets/read-sheet.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import SQLite from 'better-sqlite3'
import { z } from 'zod'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.js'
import { openDatabase, openPostgres } from '../src/db/database.js'
import pg from 'pg'
import { migrateToLatest } from '../src/db/migrator.js'
import { createLogger } from '../src/lib/logger.js'
import { createDeps } from '../src/app.js'
import { systemActor } from '../src/audit/audit-log.js'
import type { Connector } from '../src/connectors/kit/types.js'
import type { PullPage } from '../src/connectors/kit/pages.js'
import { activate, makeSyncSource } from '../src/integrations/integration-service.js'
import { requestSync, type HubDeps } from '../src/staging/sync-runs.js'
import { runImport, undoBatch } from '../src/staging/import-service.js'
import { stagingPage, statusCounts } from '../src/staging/staging-queries.js'
import { catchUpSearchIndex } from '../src/staging/staged-search.js'
import { recountStaging } from '../src/staging/staged-counts.js'
import { MODULES, canonicalJson } from '../src/connectors/kit/records.js'
import { createApp } from '../src/app.js'
import { quickbooksDesktopConnector } from '../src/connectors/quickbooks-desktop/connector.js'
import { setWebConnectorPassword } from '../src/connectors/quickbooks-desktop/setup.js'
import { connectorHub } from '../src/integrations/connector-hub.js'
import { QuickBooksCompany } from '../src/connectors/quickbooks-desktop/simulator/company.js'
import { WebConnectorSimulator } from '../src/connectors/quickbooks-desktop/simulator/web-connector.js'
import { getPayrollSettings, savePayrollSettings } from '../src/payroll/payroll-settings.js'
import { approvePeriod, periodSummary } from '../src/payroll/period-service.js'
import { saveFileSettings, payrollFileFor } from '../src/payroll/file-service.js'
import { groupsOf, saveMapping } from '../src/payroll/mapping-service.js'
import { checkPublish } from '../src/payroll/publish-service.js'
import { FILE_LABELS, type FileFormat } from '../src/payroll/payroll-files.js'
import type { AnyConnector } from '../src/connectors/kit/types.js'
import { quickbooksOnlineConnector } from '../src/connectors/quickbooks-online/connector.js'
import { QboSimulator, SIM_CLIENT } from '../src/connectors/quickbooks-online/simulator/server.js'
import { sageIntacctConnector } from '../src/connectors/sage-intacct/connector.js'
import { IntacctSimulator, SIM_INTACCT } from '../src/connectors/sage-intacct/simulator/server.js'
import { saveSettings } from '../src/integrations/integration-service.js'
import { storeGrant } from '../src/integrations/connections.js'
import { checkpointsDone } from '../src/db/wal-checkpointer.js'
import { createSession, generateSessionToken } from '../src/auth/sessions.js'
import { SESSION_COOKIE } from '../src/auth/session-cookie.js'

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    big: { type: 'string', default: '1000000' },
    phase: { type: 'string' },
    json: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
})
const N = Number(args.records)
const BIG = Number(args.big)
const PAGE = 1000

/** A platform of `count` employees; `changed` of them differ from the first version. */
function generator(count: number, changedEvery = 0): Connector<Record<string, never>> {
  return {
    id: 'bench',
    name: 'Bench',
    description: 'generated employees',
    hosting: 'cloud',
    syncModules: ['employees'],
    publishesPayroll: false,
    settingsSchema: z.object({}) as never,
    settingFields: [],
    shape: 'pull',
    invalidRecords: 'fail-page',
    async *pull() {
      for (let start = 0; start < count; start += PAGE) {
        const page: PullPage = {
          records: [],
          request: `GET /v3/company/bench/query?query=SELECT * FROM Employee STARTPOSITION ${start + 1} MAXRESULTS ${PAGE}`,
        }
        for (let i = start; i < Math.min(count, start + PAGE); i++)
          page.records.push({ externalId: `80000${i}-1`, data: employee(i, changedEvery > 0 && i % changedEvery === 0), source: sourceOf(i) })
        yield page
      }
    },
  }
}

/**
 * What the platform sent for employee i, as a QuickBooks Online answer has it (about 600 bytes of
 * JSON); View source keeps it. The first N are made once and reused, since a real connector has them
 * in hand already; beyond N, and in the memory and responsiveness runs, each is made as it is sent,
 * so the bench itself holds none of them (60 MB of strings) while memory or pauses are measured.
 */
const sources: string[] = []
function sourceOf(i: number): string {
  return i < N && args.phase !== 'memory' && args.phase !== 'responsive' ? (sources[i] ??= qboEmployee(i)) : qboEmployee(i)
}

function qboEmployee(i: number): string {
  return JSON.stringify(
    {
      Id: `80000${i}-1`,
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      DisplayName: `First${i} Last${i}`,
      GivenName: `First${i}`,
      FamilyName: `Last${i}`,
      EmployeeNumber: `E${i}`,
      PrimaryEmailAddr: { Address: `person${i}@example.com` },
      PrimaryPhone: { FreeFormNumber: '555-0100' },
      PrimaryAddr: { Line1: `${i} Main St`, City: 'Springfield', CountrySubDivisionCode: 'IL', PostalCode: '62701' },
      BillableTime: false,
      HiredDate: '2024-01-15',
      Active: true,
      MetaData: { CreateTime: '2024-01-15T09:00:00-08:00', LastUpdatedTime: '2024-06-01T12:00:00-08:00' },
    },
    null,
    2,
  )
}

function employee(i: number, changed: boolean) {
  return {
    employee_number: `E${i}`,
    first_name: `First${i}`,
    last_name: changed ? `Changed${i}` : `Last${i}`,
    email: `person${i}@example.com`,
    phone: '555-0100',
    pay_group: 'HOURLY',
    status: 'active',
    hire_date: '2024-01-15',
    company: null,
    department: null,
  }
}

async function hub(dir: string, connector: AnyConnector) {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SECRET_KEY: 'ab'.repeat(32) })
  const { db, sqlite } = openDatabase(config.databasePath)
  await migrateToLatest(db)
  const deps = createDeps({ db, sqlite, config, logger: createLogger('silent'), connectors: [connector] })
  await activate(db, systemActor('bench'), connector)
  await makeSyncSource(db, systemActor('bench'), connector, [connector], true)
  // The bench runs on the SQLite file: its connection is there.
  return { ...deps, sqlite }
}

/**
 * Before a large measurement the heap left by the previous one is collected (npm run bench exposes
 * gc), so no phase pays for another. Not before small ones: a collection also drops warm code.
 */
const collect = () => (globalThis as { gc?: () => void }).gc?.()

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now()
  const value = await fn()
  return [performance.now() - t0, value]
}

async function sync(deps: HubDeps) {
  const start = await requestSync(deps, { integration: 'bench', module: 'employees', trigger: 'manual', userId: null })
  if (!start.ok) throw new Error(start.message)
  await start.done
  return deps.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
}

/**
 * A run or import ends by handing its WAL checkpoint to a worker thread. The next measurement
 * waits for it, untimed, as the baseline's own checkpoint (at close) is untimed.
 */
async function timedThenCheckpointed<T>(deps: Awaited<ReturnType<typeof hub>>, fn: () => Promise<T>): Promise<[number, T]> {
  collect()
  const measured = await timed(fn)
  await checkpointsDone(deps.sqlite)
  return measured
}

/** The bare baseline: the same rows, one prepared insert each, one transaction, a unique key. */
function baseline(dir: string, count: number, attempt: number): number {
  collect()
  const sqlite = new SQLite(join(dir, `baseline-${attempt}.db`))
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.exec(
    'create table t (id integer primary key, integration text not null, module text not null, external_id text not null, payload text not null, unique (integration, module, external_id))',
  )
  const insert = sqlite.prepare('insert into t (integration, module, external_id, payload) values (?, ?, ?, ?)')
  const t0 = performance.now()
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) insert.run('bench', 'employees', `80000${i}-1`, canonicalJson(MODULES.employees, employee(i, false) as never))
  })()
  const ms = performance.now() - t0
  sqlite.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `baseline-${attempt}.db${suffix}`), { force: true })
  return ms
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)
const rows: [string, string, string, string][] = []
const row = (what: string, ms: number, base: number | null, target: string) => rows.push([what, fmt(ms), base ? `${(ms / base).toFixed(2)}x` : '', target])

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
/** The median ratio, then the lowest and highest round's. */
const ratioRange = (ratios: number[]) => `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`

/**
 * Seven rounds on fresh databases. Every measurement is paired with the baseline measured just
 * before it (the best of two: a hiccup of the machine must not make the pipeline look faster than
 * it is), and the table reports the median of those ratios with their range: on a shared 2-core
 * machine the speed drifts within seconds by more than the differences measured.
 */
async function speed() {
  const rounds = 7
  type Paired = { ms: number; base: number }[]
  const measured = { stage: [] as Paired, index: [] as Paired, resync: [] as Paired, changed: [] as Paired, import: [] as Paired, floor: [] as Paired }
  for (let round = 0; round < rounds; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
    let attempt = 0
    const base = () => Math.min(baseline(dir, N, ++attempt), baseline(dir, N, ++attempt))
    const paired = async <T>(key: keyof typeof measured, fn: () => Promise<[number, T]>): Promise<T> => {
      const b = base()
      const [ms, value] = await fn()
      measured[key].push({ ms, base: b })
      return value
    }
    try {
      const deps = await hub(dir, generator(N))
      await paired('stage', () => timedThenCheckpointed(deps, () => sync(deps)))
      // The run's end started the search index's catch-up, which may have finished by now: it is let
      // finish, emptied, and timed again from nothing.
      await catchUpSearchIndex(deps)
      deps.sqlite.exec(`insert into staged_search (staged_search) values ('delete-all'); update staged_search_progress set indexed_through = 0`)
      const indexed = await paired('index', () => timedThenCheckpointed(deps, () => catchUpSearchIndex(deps)))
      if (indexed !== N) throw new Error(`the search index took ${indexed} records`)
      const again = await paired('resync', () => timedThenCheckpointed(deps, () => sync(deps)))
      if (again.unchanged_count !== N) throw new Error(`re-sync saw ${again.unchanged_count} unchanged`)
      deps.connectors[0]!.pull = generator(N, 10).pull
      const changed = await paired('changed', () => timedThenCheckpointed(deps, () => sync(deps)))
      if (changed.updated_count !== N / 10) throw new Error(`re-sync saw ${changed.updated_count} changed`)
      const ids = (await deps.db.selectFrom('staged_records').select('id').execute()).map((r) => r.id)
      const result = await paired('import', () =>
        timedThenCheckpointed(deps, () =>
          runImport(deps, systemActor('bench'), {
            integration: 'bench',
            integrationName: 'Bench',
            module: 'employees',
            ids,
            trigger: 'manual',
            defaultTimeZone: 'UTC',
          }),
        ),
      )
      if (result.created !== N) throw new Error(`import created ${result.created}`)
      await deps.db.destroy()
      await paired('floor', async () => [await importFloor(), null])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const n = N.toLocaleString('en-US')
  const ratioRow = (what: string, key: keyof typeof measured, target: string) =>
    rows.push([`${what} (median of ${rounds})`, fmt(median(measured[key].map((m) => m.ms))), ratioRange(measured[key].map((m) => m.ms / m.base)), target])
  row(`baseline: bare insert of ${n} rows (median of ${rounds * 5})`, median(Object.values(measured).flatMap((list) => list.map((m) => m.base))), null, '')
  ratioRow(`stage ${n} new records`, 'stage', '≤ 1.5x')
  ratioRow(`  then, after the run, add them to the search index`, 'index', '')
  ratioRow(`re-sync ${n} unchanged`, 'resync', '< 1x')
  ratioRow(`re-sync with 10% changed`, 'changed', '')
  ratioRow(`import ${n} records`, 'import', '≤ 2x')
  ratioRow(`  the same writes as two set-based SQL statements`, 'floor', '')
}

/**
 * What IMPORT's writes cost with no JavaScript at all: every staged employee inserted into the core
 * table and its staged row marked imported, as two INSERT ... SELECT / UPDATE statements. IMPORT
 * cannot be cheaper than this; it also plans, checks natural keys and records the batch.
 */
async function importFloor(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const deps = await hub(dir, generator(N))
    await sync(deps)
    await checkpointsDone(deps.sqlite)
    const now = new Date().toISOString()
    const insert = deps.sqlite.prepare(
      `insert into employees (first_name, last_name, employee_number, email, phone, pay_group, status, hire_date, source_integration, external_id, created_at, updated_at)
       select payload->>'first_name', payload->>'last_name', payload->>'employee_number', payload->>'email', payload->>'phone', payload->>'pay_group', payload->>'status', payload->>'hire_date', 'bench', external_id, ?, ? from staged_records`,
    )
    const mark = deps.sqlite.prepare(
      `update staged_records set core_id = (select id from employees e where e.source_integration = 'bench' and e.external_id = staged_records.external_id),
       imported_hash = hash, imported_at = ?, status = 'imported'`,
    )
    collect()
    const [ms] = await timed(() => deps.sqlite.transaction(() => (insert.run(now, now), mark.run(now)))())
    await deps.db.destroy()
    return ms
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function pageQuery() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const deps = await hub(dir, generator(BIG))
    const [fillMs] = await timedThenCheckpointed(deps, () => sync(deps))
    await catchUpSearchIndex(deps)
    deps.sqlite.exec(`insert into staged_search (staged_search) values ('delete-all'); update staged_search_progress set indexed_through = 0`)
    const [indexMs] = await timedThenCheckpointed(deps, () => catchUpSearchIndex(deps))
    // A realistic mix of statuses: a tenth imported, a hundredth archived (written here directly, so counted again).
    deps.sqlite.exec(
      `update staged_records set status = 'imported' where id % 10 = 0; update staged_records set status = 'archived', archived = 1 where id % 100 = 1;`,
    )
    recountStaging(deps.sqlite)
    deps.sqlite.exec('analyze')
    await timePages(deps.db, '')
    row(`(filling ${BIG.toLocaleString('en-US')} staged rows took)`, fillMs, null, '')
    row(`(then indexing them for search)`, indexMs, null, '')
    await deps.db.destroy()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The staging tab's queries over BIG staged rows: each case's page and per-status counts, median of 7. */
async function timePages(db: Awaited<ReturnType<typeof hub>>['db'], prefix: string) {
  const cases: [string, Parameters<typeof stagingPage>[3], Parameters<typeof stagingPage>[4], number][] = [
    ['New, by name, page 1', { status: 'new', removed: '', q: '' }, { sort: 'label', dir: 'asc' }, 1],
    ['New, by name, page 200', { status: 'new', removed: '', q: '' }, { sort: 'label', dir: 'asc' }, 200],
    ['Imported, by name desc, page 1', { status: 'imported', removed: '', q: '' }, { sort: 'label', dir: 'desc' }, 1],
    ['every status, by external id, page 1', { status: '', removed: '', q: '' }, { sort: 'external_id', dir: 'asc' }, 1],
    ['every status, by name, page 1 (the tab as it opens)', { status: '', removed: '', q: '' }, { sort: 'label', dir: 'asc' }, 1],
    ['every status, by name, last page', { status: '', removed: '', q: '' }, { sort: 'label', dir: 'asc' }, BIG / 50],
    ['every status, by name, middle page (the worst)', { status: '', removed: '', q: '' }, { sort: 'label', dir: 'asc' }, BIG / 100],
    ['every status, by last change, page 1', { status: '', removed: '', q: '' }, { sort: 'changed', dir: 'desc' }, 1],
    ['every status, by status, page 1', { status: '', removed: '', q: '' }, { sort: 'status', dir: 'asc' }, 1],
    ['New, by name, middle page', { status: 'new', removed: '', q: '' }, { sort: 'label', dir: 'asc' }, Math.round((BIG * 0.89) / 100)],
    ['search one name "last654321"', { status: '', removed: '', q: 'last654321' }, { sort: 'label', dir: 'asc' }, 1],
    [
      'search two words "last654321 first" ("first" begins 1,000,000 different words)',
      { status: '', removed: '', q: 'last654321 first' },
      { sort: 'label', dir: 'asc' },
      1,
    ],
    ['search an external id "80000123456-1"', { status: '', removed: '', q: '80000123456-1' }, { sort: 'label', dir: 'asc' }, 1],
    ['search "first9" (111,111 match), page 1', { status: '', removed: '', q: 'first9' }, { sort: 'label', dir: 'asc' }, 1],
  ]
  for (const [name, filter, sort, page] of cases) {
    const times: number[] = []
    // What the tab's fragment queries: the page of rows and the per-status counts.
    for (let i = 0; i < 7; i++)
      times.push((await timed(() => Promise.all([stagingPage(db, 'bench', 'employees', filter, sort, page), statusCounts(db, 'bench', 'employees')])))[0])
    times.sort((a, b) => a - b)
    row(`${prefix}page over ${BIG.toLocaleString('en-US')} staged: ${name} (median of 7)`, times[3]!, null, prefix ? '< 15 ms' : '< 50 ms')
  }
}

/** A migrated PostgreSQL database at `url` with the bench connector activated as the sync source: hub() on PostgreSQL. */
async function postgresHub(url: string, connector: Connector<Record<string, never>>) {
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cb-bench-')), LOG_LEVEL: 'silent', SECRET_KEY: 'ab'.repeat(32), DATABASE_URL: url })
  const db = openPostgres(url)
  await migrateToLatest(db)
  const deps = createDeps({ db, sqlite: null, config, logger: createLogger('silent'), connectors: [connector] })
  await activate(db, systemActor('bench'), connector)
  await makeSyncSource(db, systemActor('bench'), connector, [connector], true)
  return { db, deps }
}

/** The staging pages on PostgreSQL, over BIG rows staged by a real sync. */
async function postgresPages(url: string) {
  const database = await roundDatabase(url, 99)
  try {
    const { db, deps } = await postgresHub(database.url, generator(BIG))
    const [fillMs] = await timed(() => sync(deps))
    // The same mix of statuses as on SQLite, counted again.
    await sql`update staged_records set status = 'imported' where id % 10 = 0`.execute(db)
    await sql`update staged_records set status = 'archived', archived = 1 where id % 100 = 1`.execute(db)
    await sql`delete from staging_counts`.execute(db)
    await sql`insert into staging_counts (scope_id, status, removed, n) select scope_id, status, removed, count(*) from staged_records group by scope_id, status, removed`.execute(
      db,
    )
    await sql`vacuum analyze staged_records`.execute(db)
    await timePages(db, 'PostgreSQL: ')
    row(`PostgreSQL: (filling ${BIG.toLocaleString('en-US')} staged rows took)`, fillMs, null, '')
    await db.destroy()
  } finally {
    await database.drop()
  }
}

/** Runs in a child process so its peak resident memory is the sync's own. */
async function memory() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const deps = await hub(dir, generator(BIG))
    let peak = process.memoryUsage().rss
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    await sync(deps)
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage().rss)
    process.stdout.write(JSON.stringify({ peakMb: peak / 1024 / 1024 }))
    await deps.db.destroy()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * N employees from a simulated QuickBooks company, through the SOAP service as the Web Connector
 * delivers them: qbXML pages of 500, each a receiveResponseXML staged in its own transaction. Runs
 * in a child process for its peak memory; the simulator's own time (building QuickBooks' answers) is
 * measured apart so Clockbridge's share can be told.
 */
async function webConnector() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SECRET_KEY: 'ab'.repeat(32) })
    const { db, sqlite } = openDatabase(config.databasePath)
    await migrateToLatest(db)
    const deps = createDeps({ db, sqlite, config, logger: createLogger('silent') })
    await activate(db, systemActor('bench'), quickbooksDesktopConnector)
    await makeSyncSource(db, systemActor('bench'), quickbooksDesktopConnector, deps.connectors, true)
    await setWebConnectorPassword(connectorHub(deps, quickbooksDesktopConnector, systemActor('bench')), 'bench web connector')
    const app = createApp(deps)
    const company = new QuickBooksCompany({ employees: N, customers: 1 })
    let simulatorMs = 0
    const process_ = company.process.bind(company)
    company.process = (xml, session) => {
      const t0 = performance.now()
      try {
        return process_(xml, session)
      } finally {
        simulatorMs += performance.now() - t0
      }
    }
    const webConnector = new WebConnectorSimulator('http://localhost/qbwc', company, (url, init) => Promise.resolve(app.request(url, init)))
    const start = await requestSync(deps, { integration: 'quickbooks-desktop', module: 'employees', trigger: 'manual', userId: null })
    if (!start.ok) throw new Error(start.message)
    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const [ms, visit] = await timed(() => webConnector.visit({ username: 'clockbridge', password: 'bench web connector' }))
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage().rss)
    const run = await db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
    if (visit.outcome !== 'done' || run.new_count !== N)
      throw new Error(`Web Connector visit ${visit.outcome}: ${visit.lastError ?? ''} (${run.new_count} staged)`)
    process.stdout.write(
      JSON.stringify({ ms, simulatorMs, pages: run.pages, peakMb: peak / 1024 / 1024, growthMb: (peak - before) / 1024 / 1024, base: baseline(dir, N, 1) }),
    )
    await db.destroy()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * N employees through each cloud simulator over real HTTP on 127.0.0.1: QuickBooks Online query
 * pages of 1000, Sage Intacct readByQuery / readMore pages of 1000. The simulators run in this
 * process; their time answering is measured apart so Clockbridge's share per record can be told.
 */
async function cloud() {
  const out: { name: string; ms: number; simulatorMs: number; requests: number; pages: number }[] = []
  const measure = async (
    connector: AnyConnector,
    env: Record<string, string>,
    prepare: (deps: ReturnType<typeof createDeps>) => Promise<void>,
    simulatorMs: () => number,
    requests: () => number,
  ) => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
    try {
      const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SECRET_KEY: 'ab'.repeat(32), ...env })
      const { db, sqlite } = openDatabase(config.databasePath)
      await migrateToLatest(db)
      const deps = createDeps({ db, sqlite, config, logger: createLogger('silent') })
      await activate(db, systemActor('bench'), connector)
      await makeSyncSource(db, systemActor('bench'), connector, deps.connectors, true)
      await prepare(deps)
      const simBefore = simulatorMs()
      const [ms, run] = await timed(async () => {
        const start = await requestSync(deps, { integration: connector.id, module: 'employees', trigger: 'manual', userId: null })
        if (!start.ok) throw new Error(start.message)
        await start.done
        return db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirstOrThrow()
      })
      if (run.new_count !== N) throw new Error(`${connector.name}: ${run.status} ${run.error ?? ''} (${run.new_count} staged)`)
      out.push({ name: connector.name, ms, simulatorMs: simulatorMs() - simBefore, requests: requests(), pages: run.pages })
      await db.destroy()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const qbo = new QboSimulator({ employees: N, customers: 1 })
  const qboServer = await qbo.listen()
  await measure(
    quickbooksOnlineConnector,
    qbo.urls(qboServer.url),
    async (deps) => {
      await saveSettings(deps, systemActor('bench'), quickbooksOnlineConnector, {
        clientId: SIM_CLIENT.clientId,
        environment: 'sandbox',
        departmentsFrom: 'Class',
        clientSecret: SIM_CLIENT.clientSecret,
      })
      const tokens = qbo.issueTokens()
      await storeGrant(deps, systemActor('bench'), quickbooksOnlineConnector, qbo.company.realmId, {
        ...tokens,
        expiresInSeconds: 3600,
        refreshExpiresInSeconds: null,
      })
    },
    () => qbo.handlerMs,
    () => qbo.log.length,
  )
  await qboServer.close()
  const intacct = new IntacctSimulator({ employees: N, projects: 1 })
  const intacctServer = await intacct.listen()
  const { senderPassword, userPassword, ...plain } = SIM_INTACCT
  await measure(
    sageIntacctConnector,
    { INTACCT_ENDPOINT_URL: intacctServer.endpoint },
    (deps) =>
      saveSettings(deps, systemActor('bench'), sageIntacctConnector, { ...plain, endpointUrl: '', weekStartsOn: 'monday', senderPassword, userPassword }),
    () => intacct.handlerMs,
    () => intacct.log.length,
  )
  await intacctServer.close()
  process.stdout.write(JSON.stringify(out))
}

/**
 * Payroll: 1,000 employees x 14 days x 3 job sites (42,000 entries) in an approved biweekly period,
 * with daily and weekly overtime: classify and aggregate, every payroll file, and the publish lines.
 */
async function payroll() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', SECRET_KEY: 'ab'.repeat(32) })
    const { db, sqlite } = openDatabase(config.databasePath)
    await migrateToLatest(db)
    const actor = systemActor('bench')
    const now = new Date().toISOString()
    sqlite.transaction(() => {
      const emp = sqlite.prepare(
        `insert into employees (first_name, last_name, employee_number, pay_group, status, created_at, updated_at) values (?, ?, ?, 'HOURLY', 'active', ?, ?)`,
      )
      for (let i = 0; i < 1000; i++) emp.run(`First${i}`, `Last${i}`, String(1000 + i), now, now)
      const job = sqlite.prepare(`insert into job_sites (number, name, status, created_at, updated_at) values (?, ?, 'active', ?, ?)`)
      for (let j = 0; j < 3; j++) job.run(`J-${j}`, `Job ${j}`, now, now)
      const entry = sqlite.prepare(
        `insert into time_entries (employee_id, date, start_time, end_time, minutes, job_site_id, pay_id, source, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 'REG', 'api', ?, ?)`,
      )
      for (let e = 1; e <= 1000; e++) {
        for (let d = 0; d < 14; d++) {
          const date = new Date(Date.UTC(2024, 5, 3 + d)).toISOString().slice(0, 10)
          for (let j = 0; j < 3; j++) entry.run(e, date, `0${6 + j * 3}:00`.slice(-5), `${String(9 + j * 3).padStart(2, '0')}:00`, 180, j + 1, now, now)
        }
      }
    })()
    await savePayrollSettings(db, actor, await getPayrollSettings(db, 'UTC'), {
      weeklyOvertimeHours: 40,
      dailyOvertime: true,
      dailyOvertimeHours: 8,
      dailyDoubleTime: true,
      dailyDoubleTimeHours: 12,
      seventhDayRule: true,
      frequency: 'biweekly',
      anchor: '2024-06-03',
    })
    const settings = await getPayrollSettings(db, 'UTC')
    const period = { start: '2024-06-03', end: '2024-06-16' }
    await approvePeriod(db, actor, period)
    await saveFileSettings(db, actor, {
      iifCompanyName: 'Bench Co',
      iifCompanyCreateTime: '1405767000',
      iifEmployeeName: 'first-last',
      adpCoCode: 'BC',
      adpRunIid: 'BENCH1',
      paychexClientId: '12345678',
    })
    const item = async (name: string) =>
      (await db.insertInto('payroll_items').values({ name, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id
    const items = { REG: await item('R'), OT: await item('O'), DT: await item('D') }
    for (const target of ['file:iif', 'file:adp-wfn', 'file:adp-run', 'file:paychex', 'file:gusto', 'file:csv', 'quickbooks-desktop']) {
      const [group] = await groupsOf(db, target)
      await saveMapping(db, actor, group!.id, items)
    }
    const entries = 42_000
    const formats = Object.keys(FILE_LABELS) as FileFormat[]
    // Five rounds, medians: one round on a shared machine is noise.
    const times = { summary: [] as number[], files: [] as number[], lines: [] as number[] }
    for (let round = 0; round < 5; round++) {
      collect()
      const [summaryMs, summary] = await timed(() => periodSummary(db, settings, period))
      let filesMs = 0
      for (const format of formats) filesMs += (await timed(() => payrollFileFor(db, actor, settings, period, format, summary)))[0]
      collect() // the six files leave megabytes of strings behind
      const [linesMs, check] = await timed(() => checkPublish(db, settings, period, quickbooksDesktopConnector, summary))
      if (summary.employees.length !== 1000 || check.blocking.length > 0 || check.warnings.length < 1000) throw new Error('payroll bench: unexpected summary')
      times.summary.push(summaryMs)
      times.files.push(filesMs)
      times.lines.push(linesMs)
    }
    const [summaryMs, filesMs, linesMs] = [median(times.summary), median(times.files), median(times.lines)]
    const perSecond = (ms: number) => `${Math.round((entries / ms) * 1000).toLocaleString('en-US')} entries/s`
    rows.push([
      `payroll: classify and aggregate ${entries.toLocaleString('en-US')} entries (1,000 employees x 14 days x 3 job sites, median of 5)`,
      fmt(summaryMs),
      '',
      '',
    ])
    rows.push([`payroll: every payroll file (${formats.length}), from that summary`, fmt(filesMs), '', ''])
    rows.push([`payroll: the publish lines for QuickBooks Desktop and their checks, from that summary`, fmt(linesMs), '', ''])
    rows.push([`payroll: classify, aggregate and build the publish lines`, perSecond(summaryMs + linesMs), '', '> 100,000 entries/s'])
    rows.push([`payroll: everything above, files included`, perSecond(summaryMs + filesMs + linesMs), '', ''])
    await db.destroy()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The largest wait for /healthz while `work` runs: a request due every 10 ms through the app, each
 * timed from when it was due (a blocked event loop delays the asking too) to its answer. What a
 * monitoring probe or another admin would see.
 */
async function healthzDuring(app: ReturnType<typeof createApp>, work: () => Promise<unknown>): Promise<{ maxMs: number; answered: number }> {
  let running = true
  let maxMs = 0
  let answered = 0
  const probe = (async () => {
    while (running) {
      const due = performance.now() + 10
      await new Promise((r) => setTimeout(r, 10))
      const res = await app.request('/healthz')
      await res.text()
      maxMs = Math.max(maxMs, performance.now() - due)
      answered++
    }
  })()
  await new Promise((r) => setImmediate(r))
  try {
    await work()
  } finally {
    running = false
    await probe
  }
  return { maxMs, answered }
}

/** /healthz during a 100,000-record SYNC, IMPORT and Undo; an XLSX against a CSV of the same rows. */
async function responsive() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const deps = await hub(dir, generator(N))
    const app = createApp(deps)
    const idle = await healthzDuring(app, () => new Promise((r) => setTimeout(r, 300)))
    rows.push([`/healthz, idle (the same probe)`, fmt(idle.maxMs), '', ''])
    const stage = await healthzDuring(app, async () => (await sync(deps), await catchUpSearchIndex(deps)))
    rows.push([`largest /healthz wait during a ${N.toLocaleString('en-US')}-record SYNC and its search indexing`, fmt(stage.maxMs), '', '< 100 ms'])
    await checkpointsDone(deps.sqlite)
    const ids = (await deps.db.selectFrom('staged_records').select('id').execute()).map((r) => r.id)
    let batchId = 0
    const imported = await healthzDuring(app, async () => {
      batchId =
        (
          await runImport(deps, systemActor('bench'), {
            integration: 'bench',
            integrationName: 'Bench',
            module: 'employees',
            ids,
            trigger: 'manual',
            defaultTimeZone: 'UTC',
          })
        ).batchId ?? 0
    })
    rows.push([`largest /healthz wait during an IMPORT of ${N.toLocaleString('en-US')}`, fmt(imported.maxMs), '', '< 100 ms'])
    await checkpointsDone(deps.sqlite)
    const undone = await healthzDuring(app, () => undoBatch(deps, systemActor('bench'), batchId))
    rows.push([`largest /healthz wait during the Undo of that batch`, fmt(undone.maxMs), '', '< 100 ms'])
    await checkpointsDone(deps.sqlite)
    await deps.db.destroy()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  await bigCompanyPages()
  for (const count of [10_000, 100_000]) {
    const [xlsx, csv] = await sheetFiles(count)
    const [csvMs] = await timed(() => readSheet('bench.csv', csv))
    const [xlsxMs] = await timed(() => readSheet('bench.xlsx', xlsx))
    row(`XLSX of ${count.toLocaleString('en-US')} rows read (on its worker), against the same rows as CSV`, xlsxMs, csvMs, '≤ 5x, linear')
  }
}

/** The time entries and payroll mapping pages of a company of N employees: their size and time (median of 7). */
async function bigCompanyPages() {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-'))
  try {
    const deps = await hub(dir, generator(1))
    const app = createApp(deps)
    const now = new Date().toISOString()
    deps.sqlite.transaction(() => {
      const insert = deps.sqlite.prepare(
        `insert into employees (first_name, last_name, employee_number, pay_group, status, created_at, updated_at) values (?, ?, ?, 'HOURLY', 'active', ?, ?)`,
      )
      for (let i = 0; i < N; i++) insert.run(`First${i}`, `Last${i}`, `E${i}`, now, now)
    })()
    const role = await deps.db.selectFrom('roles').select('id').where('key', '=', 'super_admin').executeTakeFirstOrThrow()
    const user = await deps.db
      .insertInto('users')
      .values({ email: 'bench@example.com', name: 'Bench', password_hash: 'x', role_id: role.id, status: 'active', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow()
    const token = generateSessionToken()
    await createSession(deps.db, token, user.id, 30, { ip: null, userAgent: 'bench' })
    const headers = { cookie: `${SESSION_COOKIE}=${token}` }
    for (const [name, path] of [
      ['time entries', '/time-entries?period=2024-06-03'],
      ['payroll item mapping', '/payroll/mapping'],
    ] as const) {
      const times: number[] = []
      let bytes = 0
      for (let i = 0; i < 7; i++) {
        const [ms, size] = await timed(async () => (await (await app.request(path, { headers })).arrayBuffer()).byteLength)
        times.push(ms)
        bytes = size
      }
      rows.push([
        `the ${name} page with ${N.toLocaleString('en-US')} employees (no time entered; median of 7; its size)`,
        `${fmt(median(times))}, ${(bytes / 1024).toFixed(0)} KB`,
        '',
        '< 50 ms, < 100 KB',
      ])
    }
    await deps.db.destroy()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The same employees as an XLSX workbook and as a CSV file. */
async function sheetFiles(count: number): Promise<[Buffer, Buffer]> {
  const chunks: Buffer[] = []
  const out = new PassThrough()
  out.on('data', (c: Buffer) => chunks.push(c))
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false })
  const sheet = wb.addWorksheet('Employees')
  const header = ['External ID', 'Employee number', 'First name', 'Last name', 'Email']
  const lines = [header.join(',')]
  sheet.addRow(header).commit()
  for (let i = 0; i < count; i++) {
    const cells = [`E${i}`, String(1000 + i), `First${i}`, `Last${i}`, `p${i}@example.com`]
    sheet.addRow(cells).commit()
    lines.push(cells.join(','))
  }
  sheet.commit()
  await wb.commit()
  return [Buffer.concat(chunks), Buffer.from(lines.join('\n'))]
}

/** A new, empty database on the server `url` names, for one round; dropped by the returned function. */
async function roundDatabase(url: string, round: number): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cb_bench_${process.pid}_${round}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`drop database if exists ${name}`)
  await admin.query(`create database ${name}`)
  await admin.end()
  const target = new URL(url)
  target.pathname = `/${name}`
  return {
    url: target.href,
    drop: async () => {
      const again = new pg.Client({ connectionString: url })
      await again.connect()
      await again.query(`drop database if exists ${name} with (force)`)
      await again.end()
    },
  }
}

/** PostgreSQL's bare baseline: the same rows as the SQLite baseline, one INSERT over arrays, one transaction, a unique key. */
async function postgresBaseline(url: string, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('drop table if exists t')
    await client.query(
      'create table t (id integer generated by default as identity primary key, integration text not null, module text not null, external_id text not null, payload text not null, unique (integration, module, external_id))',
    )
    const ids = Array.from({ length: count }, (_, i) => `80000${i}-1`)
    const payloads = Array.from({ length: count }, (_, i) => canonicalJson(MODULES.employees, employee(i, false) as never))
    collect()
    const t0 = performance.now()
    await client.query('begin')
    await client.query(`insert into t (integration, module, external_id, payload) select 'bench', 'employees', * from unnest($1::text[], $2::text[])`, [
      ids,
      payloads,
    ])
    await client.query('commit')
    const ms = performance.now() - t0
    await client.query('drop table t')
    return ms
  } finally {
    await client.end()
  }
}

/** SYNC on PostgreSQL: stage new, re-sync unchanged, with 10% changed, each against the bare baseline just before it. */
async function postgresSpeed(url: string) {
  const rounds = 5
  type Paired = { ms: number; base: number }[]
  const measured = { stage: [] as Paired, resync: [] as Paired, changed: [] as Paired, floor: [] as Paired, import: [] as Paired }
  for (let round = 0; round < rounds; round++) {
    const database = await roundDatabase(url, round)
    try {
      const base = async () => Math.min(await postgresBaseline(database.url, N), await postgresBaseline(database.url, N))
      const connector = generator(N)
      const { db, deps } = await postgresHub(database.url, connector)
      const paired = async <T>(key: keyof typeof measured, fn: () => Promise<T>): Promise<T> => {
        const b = await base()
        collect()
        const [ms, value] = await timed(fn)
        measured[key].push({ ms, base: b })
        return value
      }
      const first = await paired('stage', () => sync(deps))
      if (first.new_count !== N) throw new Error(`the sync staged ${first.new_count}: ${first.error}`)
      const again = await paired('resync', () => sync(deps))
      if (again.unchanged_count !== N) throw new Error(`re-sync saw ${again.unchanged_count} unchanged`)
      connector.pull = generator(N, 10).pull
      const changed = await paired('changed', () => sync(deps))
      if (changed.updated_count !== N / 10) throw new Error(`re-sync saw ${changed.updated_count} changed`)
      measured.floor.push({ base: await base(), ms: await postgresImportFloor(database.url) })
      const ids = (await db.selectFrom('staged_records').select('id').execute()).map((r) => r.id)
      const args = { integration: 'bench', integrationName: 'Bench', module: 'employees' as const, ids, trigger: 'manual' as const, defaultTimeZone: 'UTC' }
      const imported = await paired('import', () => runImport(deps, systemActor('bench'), args))
      if (imported.created !== N) throw new Error(`import created ${imported.created}`)
      await db.destroy()
    } finally {
      await database.drop()
    }
  }
  const n = N.toLocaleString('en-US')
  const ratioRow = (what: string, key: keyof typeof measured, target: string) =>
    rows.push([`${what} (median of ${rounds})`, fmt(median(measured[key].map((m) => m.ms))), ratioRange(measured[key].map((m) => m.ms / m.base)), target])
  row(
    `PostgreSQL baseline: ${n} rows in one INSERT over arrays (median of ${rounds * 6})`,
    median(Object.values(measured).flatMap((list) => list.map((m) => m.base))),
    null,
    '',
  )
  ratioRow(`PostgreSQL: stage ${n} new records`, 'stage', '≤ 1.5x')
  ratioRow(`PostgreSQL: re-sync ${n} unchanged`, 'resync', '')
  ratioRow(`PostgreSQL: re-sync with 10% changed`, 'changed', '')
  ratioRow(`PostgreSQL: import ${n} records`, 'import', '≤ 2x')
  ratioRow(`  the same writes as two set-based SQL statements`, 'floor', '')
}

/**
 * importFloor on PostgreSQL: every staged employee inserted into the core table and its staged row
 * marked imported, as two statements in one transaction, rolled back so that IMPORT finds them New.
 */
async function postgresImportFloor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const now = new Date().toISOString()
    const t0 = performance.now()
    await client.query('begin')
    await client.query(
      `insert into employees (first_name, last_name, employee_number, email, phone, pay_group, status, hire_date, source_integration, external_id, created_at, updated_at)
       select p->>'first_name', p->>'last_name', p->>'employee_number', p->>'email', p->>'phone', p->>'pay_group', p->>'status', p->>'hire_date', 'bench', external_id, $1, $1
       from (select external_id, payload::json as p from staged_records) s`,
      [now],
    )
    await client.query(
      `update staged_records s set core_id = e.id, imported_hash = s.hash, imported_at = $1, status = 'imported'
       from employees e where e.source_integration = 'bench' and e.external_id = s.external_id`,
      [now],
    )
    const ms = performance.now() - t0
    await client.query('rollback')
    return ms
  } finally {
    await client.end()
  }
}

if (args.db) {
  console.log(`Clockbridge bench on PostgreSQL · node ${process.version} · ${new Date().toISOString().slice(0, 10)}`)
  if (args.phase !== 'pages') await postgresSpeed(args.db)
  if (args.phase !== 'speed') await postgresPages(args.db)
  printTable()
} else if (args.phase === 'responsive') {
  await responsive()
  if (args.json) process.stdout.write(JSON.stringify(rows))
  else printTable()
} else if (args.phase === 'memory') {
  await memory()
} else if (args.phase === 'payroll') {
  await payroll()
  process.stdout.write(JSON.stringify(rows))
} else if (args.phase === 'qbwc') {
  await webConnector()
} else if (args.phase === 'cloud') {
  await cloud()
} else if (args.phase === 'speed') {
  await speed()
  printTable()
} else if (args.phase === 'pages') {
  await pageQuery()
  printTable()
} else {
  console.log(`Clockbridge bench · node ${process.version} · ${new Date().toISOString().slice(0, 10)}`)
  await speed()
  await pageQuery()
  const out = execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--phase', 'memory', '--big', String(BIG)], {
    encoding: 'utf8',
  })
  const { peakMb } = JSON.parse(out) as { peakMb: number }
  rows.push([`peak resident memory of a ${BIG.toLocaleString('en-US')}-record sync`, `${peakMb.toFixed(0)} MB`, '', '< 300 MB'])
  const qb = JSON.parse(
    execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--phase', 'qbwc', '--records', String(N)], { encoding: 'utf8' }),
  ) as { ms: number; simulatorMs: number; pages: number; peakMb: number; growthMb: number; base: number }
  const n = N.toLocaleString('en-US')
  const perSecond = (ms: number) => `${Math.round((N / ms) * 1000).toLocaleString('en-US')} records/s`
  row(`QuickBooks Desktop: ${n} employees through the SOAP service, ${qb.pages} qbXML pages`, qb.ms, qb.base, '')
  rows.push([`  records per second, end to end`, perSecond(qb.ms), '', ''])
  row(`  of which Clockbridge (without the simulated QuickBooks answering)`, qb.ms - qb.simulatorMs, qb.base, '')
  rows.push([`  peak resident memory (the simulated company lives in the same process)`, `${qb.peakMb.toFixed(0)} MB`, '', ''])
  rows.push([`  growth during the visit`, `${qb.growthMb.toFixed(0)} MB`, '', ''])
  const clouds = JSON.parse(
    execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--phase', 'cloud', '--records', String(N)], { encoding: 'utf8' }),
  ) as { name: string; ms: number; simulatorMs: number; requests: number; pages: number }[]
  for (const c of clouds) {
    const perRecord = (ms: number) => `${((ms / N) * 1000).toFixed(1)} µs/record`
    row(`${c.name}: ${n} employees, ${c.requests} requests, ${c.pages} pages`, c.ms, null, '')
    rows.push([`  records per second, end to end`, perSecond(c.ms), '', ''])
    rows.push([`  Clockbridge's time per record / the simulator's`, `${perRecord(c.ms - c.simulatorMs)} / ${perRecord(c.simulatorMs)}`, '', ''])
  }
  // Its own process, as the memory phase: the million-row phases before it leave the heap busy.
  rows.push(
    ...(JSON.parse(execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--phase', 'payroll'], { encoding: 'utf8' })) as [
      string,
      string,
      string,
      string,
    ][]),
  )
  rows.push(
    ...(JSON.parse(
      execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--phase', 'responsive', '--json', '--records', String(N)], {
        encoding: 'utf8',
      }),
    ) as [string, string, string, string][]),
  )
  rows.push(
    ...(JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', new URL('./bench-binary.ts', import.meta.url).pathname, '--json'], { encoding: 'utf8' }),
    ) as [string, string, string, string][]),
  )
  printTable()
}

function printTable() {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['what', 'time', 'vs baseline', 'target'][i]!.length))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  console.log(line(['what', 'time', 'vs baseline', 'target']))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) console.log(line(r))
}
