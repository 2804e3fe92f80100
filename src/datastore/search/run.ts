import { sql, type Kysely } from 'kysely'
import type { SearchPlan } from './plan.js'
import { searchSql, type SearchSource, type SearchSql } from './query.js'
import { copyCsvRow } from './csv.js'

/**
 * Runs a planned search: the page of records in the asked format and, when asked, the total.
 * Records are rendered by Postgres (JSON for objects and lists, COPY's text for csv/tsv) so
 * numbers, dates and arrays read as CKAN's do.
 */

export type RecordsFormat = 'objects' | 'lists' | 'csv' | 'tsv'

export interface SearchOutcome {
  records: unknown[] | string
  total?: number
  totalWasEstimated?: boolean
}

export interface RunOptions {
  format: RecordsFormat
  includeTotal: boolean
  /** estimate the total from the table's statistics when it is at least this (no filters, no distinct) */
  estimationThreshold: number | null
  /** the relation behind the estimate; none: always count */
  estimateFrom?: string
  textConfig: string
}

/**
 * The page and the total. Each read runs through `read` (a read-only transaction with the
 * statement timeout); on the pool they are two transactions run side by side, so a search's
 * latency is the slower of the two rather than their sum (an exact total over many matches costs
 * as much as the page). Inside a caller's transaction they run one after the other.
 */
export async function runSearch(read: <T>(fn: (db: Kysely<any>) => Promise<T>) => Promise<T>, plan: SearchPlan, source: SearchSource, opts: RunOptions): Promise<SearchOutcome> {
  const q = searchSql(plan, source, opts.textConfig)
  const [records, total] = await Promise.all([read((db) => pageRecords(db, q, plan, opts.format)), opts.includeTotal ? read((db) => searchTotal(db, q, plan, opts)) : undefined])
  return total ? { records, total: total.total, totalWasEstimated: total.estimated } : { records }
}

async function pageRecords(db: Kysely<any>, q: SearchSql, plan: SearchPlan, format: RecordsFormat): Promise<unknown[] | string> {
  if (format === 'csv' || format === 'tsv') {
    const { rows } = await q.rows('text').execute(db)
    const delimiter = format === 'csv' ? ',' : '\t'
    let text = ''
    for (const row of rows as Record<string, string | null>[])
      text += copyCsvRow(
        plan.output.map((_, i) => row[`c${i}`]),
        delimiter,
      )
    return text
  }
  const { rows } = await sql<{ j: string }>`SELECT coalesce(json_agg(r), '[]')::text AS j FROM (${q.rows('json')}) AS r`.execute(db)
  const page = JSON.parse(rows[0].j) as Record<string, unknown>[]
  const keys = plan.output.map((_, i) => `c${i}`)
  if (format === 'lists') return page.map((r) => keys.map((k) => r[k]))
  return page.map((r) => {
    const o: Record<string, unknown> = {}
    plan.output.forEach((c, i) => (o[c.id] = r[keys[i]]))
    return o
  })
}

async function searchTotal(db: Kysely<any>, q: SearchSql, plan: SearchPlan, opts: RunOptions): Promise<{ total: number; estimated: boolean }> {
  if (opts.estimationThreshold !== null && opts.estimateFrom && !q.narrowed && !plan.distinct) {
    const { rows } = await sql<{ n: number | null }>`SELECT reltuples::int8 AS n FROM pg_class WHERE oid = to_regclass(${opts.estimateFrom})`.execute(db)
    const estimate = rows[0]?.n ?? null
    // -1: never analysed
    if (estimate !== null && estimate >= 0 && estimate >= opts.estimationThreshold) return { total: Number(estimate), estimated: true }
  }
  const { rows } = await q.count().execute(db)
  return { total: Number((rows[0] as { n: number | string }).n), estimated: false }
}
