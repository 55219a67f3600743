import { describe, expect, it } from 'vitest'
import { qbdHub } from '../../helpers/qbd.js'
import { actor } from '../../helpers/hub.js'
import { runImport } from '../../../src/staging/import-service.js'
import type { ModuleId } from '../../../src/connectors/kit/records.js'

// A QuickBooks Desktop company as a new customer has it: 500 employees, some of whom share an
// e-mail address (QuickBooks keeps no such rule; the simulator's names repeat as real ones do).

describe('QuickBooks Desktop: a whole company imported', () => {
  it('imports every one of 500 employees sharing e-mail addresses and of the jobs sharing names, flagging each shared value after the first', async () => {
    const h = await qbdHub({ employees: 500, customers: 20 })
    for (const m of ['departments', 'employees', 'job_sites'] as ModuleId[]) await h.sync(m)
    await h.visit()
    const importModule = async (module: ModuleId) =>
      runImport(h.t.deps, actor, {
        integration: 'quickbooks-desktop',
        integrationName: 'QuickBooks Desktop',
        module,
        ids: (await h.staged(module)).map((r) => r.id),
        trigger: 'manual',
        defaultTimeZone: 'UTC',
      })
    expect((await importModule('departments')).failed).toEqual([])
    const staged = await h.staged('employees')
    expect(staged).toHaveLength(500)
    const byEmail = new Map<string, number>()
    for (const r of staged) {
      const email = (JSON.parse(r.payload) as { email: string }).email.toLowerCase()
      byEmail.set(email, (byEmail.get(email) ?? 0) + 1)
    }
    const shared = [...byEmail.values()].filter((n) => n > 1)
    expect(shared.length).toBeGreaterThan(0)

    const result = await importModule('employees')
    expect(result).toMatchObject({ created: 500, failed: [] })
    // Of each address several share, the first employee imported with it says nothing; each later one is flagged.
    expect(result.warnings).toHaveLength(shared.reduce((sum, n) => sum + n - 1, 0))
    expect(result.warnings[0]!.message).toMatch(/^its e-mail address \S+@example\.com is also used by /)
    expect(await h.t.db.selectFrom('employees').select('id').execute()).toHaveLength(500)

    // Jobs of different customers share names (Kitchen Remodel under two): every one is imported, each later one flagged.
    const jobs = await h.staged('job_sites')
    const byName = new Map<string, number>()
    for (const r of jobs) {
      const name = (JSON.parse(r.payload) as { name: string }).name.toLowerCase()
      byName.set(name, (byName.get(name) ?? 0) + 1)
    }
    const sharedNames = [...byName.values()].filter((n) => n > 1)
    expect(sharedNames.length).toBeGreaterThan(0)
    const sites = await importModule('job_sites')
    expect(sites).toMatchObject({ created: jobs.length, failed: [] })
    expect(sites.warnings).toHaveLength(sharedNames.reduce((sum, n) => sum + n - 1, 0))
    expect(sites.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^its name Kitchen Remodel is also used by \S/))
  })
})
