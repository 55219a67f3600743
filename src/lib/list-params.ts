import { z } from 'zod'

export const PAGE_SIZE = 25

/** One page of a list, with what its pager needs. */
export type Page<T> = { rows: T[]; total: number; page: number; pageCount: number; pageSize: number }

/** Search, sort, page and filters from a list URL; bad values fall back instead of failing. */
export type ListParams = {
  q: string
  sort: string
  dir: 'asc' | 'desc'
  page: number
  filters: Record<string, string>
}

const baseSchema = z.object({
  q: z.string().trim().max(100).catch(''),
  sort: z.string().max(40).catch(''),
  dir: z.enum(['asc', 'desc']).catch('asc'),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
})

export function parseListParams(
  query: Record<string, string>,
  spec: { sorts: readonly string[]; defaultSort: string; filters?: Record<string, readonly string[]> },
): ListParams {
  const base = baseSchema.parse({ q: query.q ?? '', sort: query.sort ?? '', dir: query.dir ?? 'asc', page: query.page ?? 1 })
  const filters: Record<string, string> = {}
  for (const [name, allowed] of Object.entries(spec.filters ?? {})) {
    const value = query[name]
    if (value && allowed.includes(value)) filters[name] = value
  }
  return {
    ...base,
    sort: spec.sorts.includes(base.sort) ? base.sort : spec.defaultSort,
    filters,
  }
}

/** The URL of the same list with some parameters changed; defaults are left out to keep it short. */
export function listUrl(basePath: string, params: ListParams, change: Partial<ListParams> = {}): string {
  const p = { ...params, ...change, filters: { ...params.filters, ...change.filters } }
  const search = new URLSearchParams()
  if (p.q) search.set('q', p.q)
  for (const [k, v] of Object.entries(p.filters)) if (v) search.set(k, v)
  if (p.sort) search.set('sort', p.sort)
  if (p.dir !== 'asc') search.set('dir', p.dir)
  if (p.page > 1) search.set('page', String(p.page))
  const s = search.toString()
  return s ? `${basePath}?${s}` : basePath
}
