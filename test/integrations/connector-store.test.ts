import { describe, expect, it } from 'vitest'
import { connectorStore, forgetExpiredValues } from '../../src/integrations/connector-store.js'
import { createTestApp } from '../helpers/test-app.js'

// The store a connector keeps its values in (the kit's ConnectorStore): values per connector,
// expiry, and compare-and-set that lets exactly one of several callers win.

const expire = (t: Awaited<ReturnType<typeof createTestApp>>, key: string) =>
  t.db.updateTable('connector_state').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('key', '=', key).execute()

describe('connector store', () => {
  it('keeps values per connector, and reads a value past its expiry as absent', async () => {
    const t = await createTestApp()
    const a = connectorStore(t.db, 'alpha')
    const b = connectorStore(t.db, 'beta')
    await a.set('cursor', '42')
    await a.set('lease', 'me', { ttlMs: 60_000 })
    expect(await a.get('cursor')).toBe('42')
    expect(await b.get('cursor')).toBeNull()
    expect(await a.all()).toEqual({ cursor: '42', lease: 'me' })
    await expire(t, 'lease')
    expect(await a.get('lease')).toBeNull()
    expect(await a.all()).toEqual({ cursor: '42' })
    await a.delete('cursor')
    expect(await a.all()).toEqual({})
  })

  it('compare-and-set writes only over the expected value; of racing callers exactly one wins', async () => {
    const t = await createTestApp()
    const store = connectorStore(t.db, 'alpha')
    const tries = await Promise.all(['one', 'two', 'three', 'four'].map((who) => store.compareAndSet('lease', null, who, { ttlMs: 60_000 })))
    expect(tries.filter(Boolean)).toHaveLength(1)
    const holder = await store.get('lease')
    expect(['one', 'two', 'three', 'four'][tries.indexOf(true)]).toBe(holder)
    // A stale expectation changes nothing.
    expect(await store.compareAndSet('lease', 'somebody else', 'five')).toBe(false)
    expect(await store.get('lease')).toBe(holder)
    // The holder renews it, then gives it up.
    expect(await store.compareAndSet('lease', holder, holder, { ttlMs: 60_000 })).toBe(true)
    expect(await store.compareAndSet('lease', holder, null)).toBe(true)
    expect(await store.get('lease')).toBeNull()
  })

  it('an expired value counts as absent: a new holder takes it, the old one can no longer renew it', async () => {
    const t = await createTestApp()
    const store = connectorStore(t.db, 'alpha')
    expect(await store.compareAndSet('lease', null, 'old', { ttlMs: 60_000 })).toBe(true)
    expect(await store.compareAndSet('lease', null, 'new', { ttlMs: 60_000 })).toBe(false)
    await expire(t, 'lease')
    expect(await store.compareAndSet('lease', 'old', 'old', { ttlMs: 60_000 })).toBe(false)
    expect(await store.compareAndSet('lease', null, 'new', { ttlMs: 60_000 })).toBe(true)
    expect(await store.get('lease')).toBe('new')
  })

  it('reads the values under a prefix alone, and forgets expired values for good', async () => {
    const t = await createTestApp()
    const store = connectorStore(t.db, 'alpha')
    await store.set('qbwc.companyFile', 'C:\\Acme.QBW')
    await store.set('qbwc.version', '33.0')
    await store.set('qbwcx', 'not under the prefix')
    await store.set('session.abc', '{}', { ttlMs: 60_000 })
    expect(await store.all('qbwc.')).toEqual({ 'qbwc.companyFile': 'C:\\Acme.QBW', 'qbwc.version': '33.0' })
    await expire(t, 'session.abc')
    expect(await forgetExpiredValues(t.db)).toBe(1)
    expect((await t.db.selectFrom('connector_state').select('key').orderBy('key').execute()).map((r) => r.key)).toEqual([
      'qbwc.companyFile',
      'qbwc.version',
      'qbwcx',
    ])
  })
})
