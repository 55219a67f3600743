import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { requestGates, type GateLedger, type RequestGates } from '../connectors/kit/request-gate.js'
import type { VendorConfig } from '../connectors/kit/types.js'
import { THIS_INSTANCE } from '../runtime/instance-id.js'

// The request gates' ledger in the database (see kit/request-gate.ts): what every instance knows of
// a company's requests. A place is taken in one short transaction that first writes the gate's
// row, so on PostgreSQL the takers of one company wait their turn on its row lock and never both
// take the last place; SQLite has one writer anyway.

/** A place is held at most this much longer than a request may take (then another instance may use it). */
const LEASE_MARGIN_MS = 10_000
/** When every place is taken: ask again this soon (a place is usually given back within a request's time). */
const FULL_RETRY_MS = 100

const iso = (ms: number) => new Date(ms).toISOString()

export function gateLedger(db: Db, holder = THIS_INSTANCE): GateLedger {
  return {
    take: (key, limits, leaseMs) =>
      db.transaction().execute(async (trx) => {
        const now = Date.now()
        const gate = await trx
          .insertInto('request_gates')
          .values({ key, paused_until: null })
          .onConflict((oc) => oc.column('key').doUpdateSet({ key }))
          .returning('paused_until')
          .executeTakeFirstOrThrow()
        if (gate.paused_until && Date.parse(gate.paused_until) > now) return { waitMs: Date.parse(gate.paused_until) - now }
        await trx.deleteFrom('request_gate_holds').where('key', '=', key).where('expires_at', '<=', iso(now)).execute()
        const held = await trx
          .selectFrom('request_gate_holds')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('key', '=', key)
          .executeTakeFirstOrThrow()
        if (Number(held.n) >= limits.concurrent) return { waitMs: FULL_RETRY_MS }
        if (limits.perMinute !== undefined) {
          await trx
            .deleteFrom('request_gate_sends')
            .where('key', '=', key)
            .where('sent_at', '<=', iso(now - 60_000))
            .execute()
          const sent = await trx
            .selectFrom('request_gate_sends')
            .select(['sent_at'])
            .where('key', '=', key)
            .orderBy('sent_at')
            .limit(limits.perMinute)
            .execute()
          if (sent.length >= limits.perMinute) return { waitMs: Date.parse(sent[0]!.sent_at) + 60_000 - now }
          await trx
            .insertInto('request_gate_sends')
            .values({ key, sent_at: iso(now) })
            .execute()
        }
        const token = randomUUID()
        await trx
          .insertInto('request_gate_holds')
          .values({ token, key, holder, expires_at: iso(now + leaseMs) })
          .execute()
        return { token }
      }),
    give: async (token) => {
      await db.deleteFrom('request_gate_holds').where('token', '=', token).execute()
    },
    pause: async (key, until) => {
      const pausedUntil = iso(until)
      await db
        .insertInto('request_gates')
        .values({ key, paused_until: pausedUntil })
        // The later of the two pauses (written as a case: max() of two values is SQLite's, greatest() PostgreSQL's).
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            paused_until: sql<string>`case when request_gates.paused_until > excluded.paused_until then request_gates.paused_until else excluded.paused_until end`,
          }),
        )
        .execute()
    },
  }
}

/** The gates a connector's calls go through on this database. */
export const gatesOf = (db: Db, vendors: VendorConfig): RequestGates => requestGates(gateLedger(db), vendors.requestTimeoutMs + LEASE_MARGIN_MS)
