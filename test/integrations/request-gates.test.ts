import { describe, expect, it } from 'vitest'
import { createTestApp } from '../helpers/test-app.js'
import { gateLedger } from '../../src/integrations/request-gates.js'
import { requestGates } from '../../src/connectors/kit/request-gate.js'

// The request gates of two instances of one database: each has its own queues (a process of its
// own), and the ledger in the database is all they share.

async function twoInstances() {
  const t = await createTestApp()
  const instance = (name: string) => requestGates(gateLedger(t.db, name), 30_000, new Map())
  return { t, a: instance('a'), b: instance('b') }
}

const settled = async (p: Promise<unknown>) => {
  let done = false
  void p.then(() => (done = true))
  await new Promise((r) => setTimeout(r, 250))
  return done
}

describe('request gates shared by instances', () => {
  it('never lets the instances together hold more places than the company allows', async () => {
    const { a, b } = await twoInstances()
    const limits = { concurrent: 2 }
    const first = await a('sage-intacct:harbor-line', limits).acquire()
    const second = await a('sage-intacct:harbor-line', limits).acquire()
    const waiting = b('sage-intacct:harbor-line', limits).acquire()
    expect(await settled(waiting)).toBe(false)
    // Another company's gate is its own.
    ;(await b('sage-intacct:other', limits).acquire())()
    first()
    const third = await waiting
    expect(await settled(b('sage-intacct:harbor-line', limits).acquire())).toBe(false)
    second()
    third()
  })

  it("carries a platform's pause (Retry-After) from one instance to the other", async () => {
    const { t, a, b } = await twoInstances()
    const limits = { concurrent: 5 }
    const until = Date.now() + 600
    a('quickbooks-online:9130', limits).pauseFor(600)
    const pausedRow = () => t.db.selectFrom('request_gates').select('paused_until').where('key', '=', 'quickbooks-online:9130').executeTakeFirst()
    while (!(await pausedRow())) await new Promise((r) => setTimeout(r, 10))
    const paused = (await pausedRow())!
    expect(Date.parse(paused.paused_until!)).toBeGreaterThanOrEqual(until - 5)
    ;(await b('quickbooks-online:9130', limits).acquire())()
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(paused.paused_until!))
    // A shorter pause asked later does not cut the longer one short.
    await gateLedger(t.db).pause('quickbooks-online:9130', Date.now() - 1_000)
    const kept = await t.db.selectFrom('request_gates').select('paused_until').where('key', '=', 'quickbooks-online:9130').executeTakeFirstOrThrow()
    expect(kept.paused_until).toBe(paused.paused_until)
  })

  it('counts the requests of every instance against the limit per minute', async () => {
    const { t } = await twoInstances()
    const [a, b] = [gateLedger(t.db, 'a'), gateLedger(t.db, 'b')]
    const limits = { concurrent: 10, perMinute: 3 }
    for (const ledger of [a, b, a]) {
      const taken = await ledger.take('quickbooks-online:1', limits, 30_000)
      expect(taken).toHaveProperty('token')
      await ledger.give((taken as { token: string }).token)
    }
    const fourth = await b.take('quickbooks-online:1', limits, 30_000)
    expect(fourth).toHaveProperty('waitMs')
    expect((fourth as { waitMs: number }).waitMs).toBeGreaterThan(55_000)
  })

  it('frees the place of an instance that died holding it when its lease ends', async () => {
    const { t } = await twoInstances()
    const limits = { concurrent: 1 }
    const dead = await gateLedger(t.db, 'dead').take('sage-intacct:x', limits, 100)
    expect(dead).toHaveProperty('token')
    expect(await gateLedger(t.db, 'alive').take('sage-intacct:x', limits, 30_000)).toHaveProperty('waitMs')
    await new Promise((r) => setTimeout(r, 150))
    expect(await gateLedger(t.db, 'alive').take('sage-intacct:x', limits, 30_000)).toHaveProperty('token')
    const holds = await t.db.selectFrom('request_gate_holds').select('holder').execute()
    expect(holds).toEqual([{ holder: 'alive' }])
  })
})
