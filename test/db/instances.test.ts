import { mkdtempSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { freshPostgres, testsOnPostgres } from '../helpers/postgres.js'
import { intacctHub } from '../helpers/intacct.js'
import { exited, startServerProcess } from '../helpers/server-process.js'
import { INTACCT_ID, sageIntacctConnector } from '../../src/connectors/sage-intacct/connector.js'
import { saveSchedule } from '../../src/integrations/schedules.js'
import { MODULES } from '../../src/connectors/kit/records.js'
import { actor } from '../helpers/hub.js'
import type { Db } from '../../src/db/database.js'

// Two real server processes on one PostgreSQL database, as two instances behind a load balancer:
// SYNC presses spread over both start one run; each occurrence of a schedule runs once; when the
// instance that holds a run is killed, the other takes the schedule over. The vendor is Sage
// Intacct's simulated XML gateway, which both instances call.

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const runsOf = (db: Db, module: string) =>
  db.selectFrom('sync_runs').select(['id', 'status', 'trigger', 'held_by', 'created_at']).where('module', '=', module).orderBy('id').execute()

// In the PostgreSQL run of the suite (TEST_ON_POSTGRES=1): it makes its own database either way.
describe.skipIf(!testsOnPostgres)('two instances on one PostgreSQL', () => {
  it('20 SYNC presses over both start one run; each scheduled occurrence runs once; killing the holder hands the schedule to the other', async () => {
    const postgres = await freshPostgres()
    await postgres.db.destroy()
    // Undone in this order: the instances stop, this process's connections close, the database goes.
    const cleanup: (() => Promise<unknown>)[] = []
    onTestFinished(async () => {
      for (const step of cleanup.reverse()) await step()
    })
    cleanup.push(postgres.drop)
    const h = await intacctHub({ employees: 60 }, { DATABASE_URL: postgres.url })
    cleanup.push(() => h.t.db.destroy())
    // Every two seconds (a seconds field): departments, while the presses go to employees.
    const schedule = { cron: '*/2 * * * * *', time_zone: 'UTC', auto_import_new: 0, auto_import_updated: 0 }
    await saveSchedule(h.t.db, actor, sageIntacctConnector, MODULES.departments, schedule)
    h.sim.delayMs = 400
    // The key the test app's settings were encrypted with (createTestApp's).
    const env = { DATABASE_URL: postgres.url, SECRET_KEY: 'ab'.repeat(32), INTACCT_ENDPOINT_URL: h.endpoint }
    const instances = await Promise.all(['a', 'b'].map((name) => startServerProcess({ ...env, DATA_DIR: mkdtempSync(join(tmpdir(), `cb-inst-${name}-`)) })))
    cleanup.push(async () => {
      for (const i of instances) i.child.kill('SIGTERM')
      await Promise.all(instances.map((i) => exited(i.child)))
    })

    // 20 presses at once, alternating between the instances: one run starts, the others join it.
    const presses = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        fetch(`http://127.0.0.1:${instances[n % 2]!.port}/integrations/${INTACCT_ID}/employees/sync`, {
          method: 'POST',
          headers: { cookie: h.admin.cookie, 'hx-request': 'true', 'sec-fetch-site': 'same-origin' },
        }),
      ),
    )
    expect(presses.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 202])
    const [pressed] = await runsOf(h.t.db, 'employees')
    expect(await runsOf(h.t.db, 'employees')).toHaveLength(1)
    const done = await waitFor('the pressed run', async () => (await runsOf(h.t.db, 'employees')).find((r) => r.status === 'succeeded'))
    expect(done.id).toBe(pressed!.id)
    const staged = await h.t.db
      .selectFrom('staged_records')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(staged.n)).toBeGreaterThanOrEqual(60)

    // Syncs on both instances at once, against a company that takes two requests at a time (as
    // Intacct refuses a third): the instances share its gate, so together they never send a third.
    h.sim.maxInFlight = 0
    h.sim.rejected = 0
    h.sim.delayMs = 150
    const started = await Promise.all(
      (['job_sites', 'cost_codes', 'employees'] as const).map((module, n) =>
        fetch(`http://127.0.0.1:${instances[n % 2]!.port}/integrations/${INTACCT_ID}/${MODULES[module].slug}/sync`, {
          method: 'POST',
          headers: { cookie: h.admin.cookie, 'hx-request': 'true', 'sec-fetch-site': 'same-origin' },
        }),
      ),
    )
    expect(started.map((r) => r.status)).toEqual([202, 202, 202])
    for (const module of ['job_sites', 'cost_codes', 'employees'])
      await waitFor(`the ${module} run`, async () => (await runsOf(h.t.db, module)).every((r) => r.status === 'succeeded'))
    expect(h.sim.maxInFlight).toBe(2)
    expect(h.sim.rejected).toBe(0)

    // Fast answers: every occurrence of the schedule starts and ends one run, on one instance or the other.
    h.sim.delayMs = 0
    const since = new Date().toISOString()
    const claims = () =>
      h.t.db
        .selectFrom('job_claims')
        .select(['due_at', 'claimed_by'])
        .where('job', '=', `sync:${INTACCT_ID}:departments`)
        .where('claimed_at', '>', since)
        .execute()
    await waitFor('four occurrences', async () => (await claims()).length >= 4)
    const occurrences = await claims()
    const scheduled = (await runsOf(h.t.db, 'departments')).filter((r) => r.trigger === 'schedule' && r.created_at > since)
    // Each occurrence made at most one run (the last may still be starting), never two.
    expect(scheduled.length).toBeGreaterThanOrEqual(occurrences.length - 1)
    expect(scheduled.length).toBeLessThanOrEqual(occurrences.length + 1)
    expect(new Set(scheduled.map((r) => r.created_at.slice(0, 19))).size).toBe(scheduled.length)
    const pids = new Set(instances.map((i) => `${hostname()}:${i.child.pid}`))
    expect(occurrences.every((c) => pids.has(c.claimed_by))).toBe(true)

    // Slow answers: the next scheduled run lasts; its holder is killed in the middle of it.
    h.sim.delayMs = 5_000
    const holding = await waitFor('a scheduled run in progress', async () =>
      (await runsOf(h.t.db, 'departments')).find((r) => r.status === 'running' && r.created_at > since),
    )
    const victim = instances.find((i) => holding.held_by === `${hostname()}:${i.child.pid}`)!
    const survivor = instances.find((i) => i !== victim)!
    victim.child.kill('SIGKILL')
    await exited(victim.child)
    h.sim.delayMs = 0
    // The survivor's next occurrence finds the run of a process that has ended, ends it and runs the schedule itself.
    const taken = await waitFor('the survivor to run the schedule', async () =>
      (await runsOf(h.t.db, 'departments')).find((r) => r.id > holding.id && r.status === 'succeeded'),
    )
    expect(taken.held_by).toBe(`${hostname()}:${survivor.child.pid}`)
    const ended = (await runsOf(h.t.db, 'departments')).find((r) => r.id === holding.id)!
    expect(ended.status).toBe('timed_out')
  }, 60_000)
})
