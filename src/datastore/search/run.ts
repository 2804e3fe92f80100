import { sql, type Kysely } from 'kysely'
import type { SearchPlan } from './plan.js'
import { searchSql, type SearchSource } from './query.js'
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

export async function runSearch(db: Kysely<any>, plan: SearchPlan, source: SearchSource, opts: RunOptions): Promise<SearchOutcome> {
  const q = searchSql(plan, source, opts.textConfig)
  const out: SearchOutcome = { records: [] }
  if (opts.format === 'csv' || opts.format === 'tsv') {
    const { rows } = await q.rows('text').execute(db)
    const delimiter = opts.format === 'csv' ? ',' : '\t'
    let text = ''
    for (const row of rows as Record<string, string | null>[])
      text += copyCsvRow(
        plan.output.map((_, i) => row[`c${i}`]),
        delimiter,
      )
    out.records = text
  } else {
    const { rows } = await sql<{ j: string }>`SELECT coalesce(json_agg(r), '[]')::text AS j FROM (${q.rows('json')}) AS r`.execute(db)
    const page = JSON.parse(rows[0].j) as Record<string, unknown>[]
    const keys = plan.output.map((_, i) => `c${i}`)
    out.records =
      opts.format === 'lists'
        ? page.map((r) => keys.map((k) => r[k]))
        : page.map((r) => {
            const o: Record<string, unknown> = {}
            plan.output.forEach((c, i) => (o[c.id] = r[keys[i]]))
            return o
          })
  }
  if (opts.includeTotal) {
    let estimate: number | null = null
    if (opts.estimationThreshold !== null && opts.estimateFrom && !q.narrowed && !plan.distinct) {
      const { rows } = await sql<{ n: number | null }>`SELECT reltuples::int8 AS n FROM pg_class WHERE oid = to_regclass(${opts.estimateFrom})`.execute(db)
      estimate = rows[0]?.n ?? null
    }
    if (estimate !== null && estimate >= 0 && estimate >= opts.estimationThreshold!) {
      out.total = estimate
      out.totalWasEstimated = true
    } else {
      const { rows } = await q.count().execute(db)
      out.total = Number((rows[0] as { n: number | string }).n)
      out.totalWasEstimated = false
    }
  }
  return out
}
