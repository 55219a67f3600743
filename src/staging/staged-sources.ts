import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { Db } from '../db/database.js'
import type { PullPage } from '../connectors/kit/pages.js'
import { scopeIdOf } from './staging-store-postgres.js'

// View source: each page's records as the platform sent them (an XML element, a JSON object, a
// sheet's row), kept compressed together with the request that fetched the page, so an admin can
// tell whether a wrong value came from upstream or from a mapping. Only the latest copy of each
// record is reachable; pages no record points at are dropped when a run ends. Sensitive values
// (tax and bank ids) are masked before anything is stored.

/** Names of fields whose values are never kept: social security and tax ids, bank accounts and routing numbers. */
const SENSITIVE = /(ssn|social.?security|tax.?id|taxpayer|federal.?id|\btin\b|bank|routing|iban|direct.?deposit)/i
const MASK = '•••• (hidden by Clockbridge)'

/** The source text with sensitive values masked, whatever its form: XML elements, JSON keys, or "Heading: value" lines. */
export function redactSource(source: string): string {
  const text = source.trimStart()
  if (text.startsWith('<'))
    return source.replace(/<([A-Za-z_][\w.-]*)(\s[^>]*)?>([^<]*)<\/\1>/g, (whole, name: string, attrs: string | undefined, value: string) =>
      SENSITIVE.test(name) && value.trim() ? `<${name}${attrs ?? ''}>${MASK}</${name}>` : whole,
    )
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(source) as unknown, (key, value: unknown) => (key && SENSITIVE.test(key) && typeof value !== 'object' ? MASK : value), 2)
    } catch {
      return source
    }
  }
  return source
    .split('\n')
    .map((line) => {
      const at = line.indexOf(': ')
      return at > 0 && SENSITIVE.test(line.slice(0, at)) && line.slice(at + 2).trim() ? `${line.slice(0, at)}: ${MASK}` : line
    })
    .join('\n')
}

/** Keeps the page's sources (if its connector sent any) as one compressed row, and points each record at it. */
export async function keepSources(db: Db, integration: string, module: string, runId: number, page: number, value: PullPage): Promise<void> {
  const withSource = value.records.filter((r) => typeof r.source === 'string')
  if (withSource.length === 0) return
  const scope = (await scopeIdOf(db, integration, module))!
  const content = deflateRawSync(JSON.stringify(Object.fromEntries(withSource.map((r) => [r.externalId, redactSource(r.source!)]))))
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('staged_source_pages')
      .values({ scope_id: scope, run_id: runId, page, request: value.request ?? null, fetched_at: new Date().toISOString(), content })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (let i = 0; i < withSource.length; i += 1000)
      await trx
        .insertInto('staged_sources')
        .values(withSource.slice(i, i + 1000).map((r) => ({ scope_id: scope, external_id: r.externalId, page_id: row.id })))
        .onConflict((oc) => oc.columns(['scope_id', 'external_id']).doUpdateSet((eb) => ({ page_id: eb.ref('excluded.page_id') })))
        .execute()
  })
}

/**
 * Drops the earlier pages of a run's scope that no record points at any more (their records were
 * sent again since): one look-up per page through the page_id index, never a scan of the records.
 */
export async function forgetUnusedSources(db: Db, runId: number): Promise<void> {
  const first = await db
    .selectFrom('staged_source_pages')
    .select(['scope_id', (eb) => eb.fn.min('id').as('id')])
    .where('run_id', '=', runId)
    .groupBy('scope_id')
    .executeTakeFirst()
  if (!first) return
  await db
    .deleteFrom('staged_source_pages')
    .where('scope_id', '=', first.scope_id)
    .where('id', '<', Number(first.id))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('staged_sources').select('page_id').whereRef('staged_sources.page_id', '=', 'staged_source_pages.id'))))
    .execute()
}

export type StagedSource = { source: string; request: string | null; fetchedAt: string; runId: number; page: number }

/** A staged record's latest copy as the source sent it, or null when its connector keeps none (or it came before sources were kept). */
export async function sourceOf(db: Db, integration: string, module: string, externalId: string): Promise<StagedSource | null> {
  const scope = await scopeIdOf(db, integration, module, 'existing')
  if (scope === undefined) return null
  const row = await db
    .selectFrom('staged_sources')
    .innerJoin('staged_source_pages', 'staged_source_pages.id', 'staged_sources.page_id')
    .select([
      'staged_source_pages.content',
      'staged_source_pages.request',
      'staged_source_pages.fetched_at',
      'staged_source_pages.run_id',
      'staged_source_pages.page',
    ])
    .where('staged_sources.scope_id', '=', scope)
    .where('staged_sources.external_id', '=', externalId)
    .executeTakeFirst()
  if (!row) return null
  const sources = JSON.parse(inflateRawSync(row.content).toString('utf8')) as Record<string, string>
  const source = sources[externalId]
  return source === undefined ? null : { source, request: row.request, fetchedAt: row.fetched_at, runId: row.run_id, page: row.page }
}
