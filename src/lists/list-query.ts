import { sql, type Kysely, type SelectQueryBuilder } from 'kysely'
import { ignoringCase, likeIgnoringCase } from '../db/dialect.js'
import { PAGE_SIZE, type ListParams, type Page } from '../lib/list-params.js'

/** LIKE pattern that matches the text literally anywhere. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
}

/** A column a list sorts by: text (sorted ignoring case) unless it holds numbers. */
export type SortColumn = string | { numbers: string }

/**
 * Applies search over the given columns, the chosen sort (with id as tie-breaker so pages are
 * stable) and pagination, and counts the matches. Column names come from code, never from input.
 */
export async function fetchPage<DB, TB extends keyof DB, O>(
  db: Kysely<DB>,
  query: SelectQueryBuilder<DB, TB, O>,
  params: ListParams,
  spec: { searchColumns: readonly string[]; sortColumns: Record<string, SortColumn>; idColumn: string },
): Promise<Page<O>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list over whichever table the caller chose
  let q = query as SelectQueryBuilder<any, any, O>
  if (params.q && spec.searchColumns.length > 0) {
    const pattern = containsPattern(params.q)
    q = q.where((eb) => eb.or(spec.searchColumns.map((col) => likeIgnoringCase(db, sql.ref(col), pattern))))
  }
  const countRow = await q
    .clearSelect()
    .clearOrderBy()
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirst()
  const total = Number((countRow as { total?: number } | undefined)?.total ?? 0)
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const page = Math.min(params.page, pageCount)
  const sortColumn = spec.sortColumns[params.sort] ?? { numbers: spec.idColumn }
  const rows = await q
    .orderBy(typeof sortColumn === 'string' ? ignoringCase(db, sortColumn) : sql.ref(sortColumn.numbers), params.dir)
    .orderBy(sql.ref(spec.idColumn), params.dir)
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute()
  return { rows: rows as O[], total, page, pageCount, pageSize: PAGE_SIZE }
}
