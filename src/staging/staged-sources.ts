import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import { onPostgres } from '../db/dialect.js'
import type { PullPage } from '../connectors/kit/pages.js'
import { scopeIdOf } from './staging-store-postgres.js'
import type { StagedRef } from './staging-store.js'

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
  // Most records name no such field: they are kept as they are, without being parsed.
  if (!SENSITIVE.test(source)) return source
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

/**
 * Keeps the page's sources (if its connector sent any) as one compressed row, and points each record
 * at it: the records new or changed in this page, and unchanged ones with no copy kept yet. An
 * unchanged record keeps its earlier copy, which says what its staged values came from. `staged`:
 * each record's staged row, as the page's staging wrote or found it.
 */
export async function keepSources(
  db: Db,
  integration: string,
  module: string,
  runId: number,
  page: number,
  value: PullPage,
  staged: readonly StagedRef[],
): Promise<void> {
  const sources = new Map(value.records.filter((r) => typeof r.source === 'string').map((r) => [r.externalId, r.source!]))
  if (sources.size === 0) return
  const rows = staged.filter((s) => sources.has(s.externalId))
  const same = rows.filter((s) => s.unchanged).map((s) => s.id)
  const kept = new Set<number>()
  for (let i = 0; i < same.length; i += 1000)
    for (const r of await db
      .selectFrom('staged_sources')
      .select('staged_id')
      .where('staged_id', 'in', same.slice(i, i + 1000))
      .execute())
      kept.add(r.staged_id)
  const keep = rows.filter((s) => !kept.has(s.id))
  if (keep.length === 0) return
  // The page was just staged, so its scope exists: read, not made.
  const scope = (await scopeIdOf(db, integration, module, 'existing'))!
  // The fastest level still shrinks a page of JSON sources about twentyfold; JSON around them would cost escaping every quote.
  const content = deflateRawSync(encodePage(keep.map((s) => [s.externalId, redactSource(sources.get(s.externalId)!)])), { level: 1 })
  const ids = JSON.stringify(keep.map((s) => s.id))
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('staged_source_pages')
      .values({ scope_id: scope, run_id: runId, page, request: value.request ?? null, fetched_at: new Date().toISOString(), content })
      .returning('id')
      .executeTakeFirstOrThrow()
    // One statement for the page's records, whatever their number (their staged ids as one JSON array).
    const each = onPostgres(trx) ? sql`select value::int as value from json_array_elements_text(${ids}::json)` : sql`select value from json_each(${ids})`
    await sql`insert into staged_sources (staged_id, page_id) select ids.value, ${row.id} from (${each}) as ids where true
      on conflict (staged_id) do update set page_id = excluded.page_id`.execute(trx)
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
    .selectFrom('staged_records')
    .innerJoin('staged_sources', 'staged_sources.staged_id', 'staged_records.id')
    .innerJoin('staged_source_pages', 'staged_source_pages.id', 'staged_sources.page_id')
    .select([
      'staged_source_pages.content',
      'staged_source_pages.request',
      'staged_source_pages.fetched_at',
      'staged_source_pages.run_id',
      'staged_source_pages.page',
    ])
    .where('staged_records.scope_id', '=', scope)
    .where('staged_records.external_id', '=', externalId)
    .executeTakeFirst()
  if (!row) return null
  const source = decodePage(inflateRawSync(row.content).toString('utf8')).get(externalId)
  return source === undefined ? null : { source, request: row.request, fetchedAt: row.fetched_at, runId: row.run_id, page: row.page }
}

/** A page's sources as one text: each id and source preceded by its length, so nothing in them needs escaping. */
function encodePage(entries: [string, string][]): string {
  return entries.map(([id, source]) => `${id.length}:${id}${source.length}:${source}`).join('')
}

function decodePage(text: string): Map<string, string> {
  const entries = new Map<string, string>()
  const next = (at: number): [string, number] => {
    const colon = text.indexOf(':', at)
    const length = Number(text.slice(at, colon))
    return [text.slice(colon + 1, colon + 1 + length), colon + 1 + length]
  }
  for (let at = 0; at < text.length;) {
    const [id, afterId] = next(at)
    const [source, afterSource] = next(afterId)
    entries.set(id, source)
    at = afterSource
  }
  return entries
}
