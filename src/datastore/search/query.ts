import { sql, type RawBuilder } from 'kysely'
import { fullTextMatch } from '../table.js'
import type { Column, Filter, SearchPlan } from './plan.js'

/**
 * SQL for a search plan. The rows are chosen by an inner query over the raw columns (filters,
 * full-text, order, page) and rendered by an outer one, as CKAN does, so sorting and DISTINCT
 * see the stored values and clients see CKAN's renderings. Outer columns are named by position
 * (`c0`, `c1`...): column names are anything a CSV header held, ranks included.
 *
 * `bind` puts a value in the query: a parameter normally, a literal for COPY (which takes none).
 */

export type Bind = (value: unknown) => RawBuilder<unknown>

export const bindParam: Bind = (value) => sql.val(value)

/** A quoted literal (COPY takes no parameters). Arrays and objects are spelled as node-pg would send them. */
export const bindLiteral: Bind = (value) => {
  if (value === null || value === undefined) return sql`NULL`
  return sql.raw(quoteLiteral(pgText(value)))
}

export function quoteLiteral(text: string): string {
  // standard_conforming_strings is on for the connection (dump.ts sets it): only quotes need doubling
  if (text.includes('\0')) throw new RangeError('NUL in a query value')
  return `'${text.replace(/'/g, "''")}'`
}

function pgText(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map((v) => (v === null || v === undefined ? 'NULL' : `"${pgText(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export interface SearchSource {
  /** the relation rows come from (aliased `_ds`) */
  from: RawBuilder<unknown>
  /** it has `_full_text` (`_table_metadata` has not: prepare.ts refuses `q` on it) */
  fullText: boolean
  /**
   * `_full_text` has its GIN index, which the loader builds only once every row is filled: `q`
   * can then use the index alone. Without it, rows not filled yet are matched on the fly.
   */
  fullTextIndexed?: boolean
}

export interface SearchSql {
  /** the page, one column per output field (`json`: for row_to_json; `text`: CSV text as node-pg reads it; `copy`: the same text as COPY prints it) */
  rows(mode: RenderMode): RawBuilder<unknown>
  /** all matching rows (or distinct rows) counted */
  count(): RawBuilder<unknown>
  /** the search narrows the table (filters or text), so an estimate of the whole table will not do */
  narrowed: boolean
}

const DS = '_ds'
const TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS'

function ds(column: string): RawBuilder<unknown> {
  return sql.id(DS, column)
}

/** The conditions of planned `filters`, ANDed by the caller; `column` names a column of the row being filtered. */
export function filterConditions(filters: Filter[], column: (name: string) => RawBuilder<unknown>, bind: Bind = bindParam): RawBuilder<unknown>[] {
  return filters.map((f) => {
    // text columns compare as text whatever the JSON type of the value (CKAN's rule: 10 finds "10")
    const value = (v: unknown) => bind(f.type === 'text' && v !== null && typeof v !== 'object' ? String(v) : v)
    if (!f.list) return sql`${column(f.column)} = ${value(f.values[0])}`
    if (f.values.length === 0) return sql`false`
    return sql`${column(f.column)} IN (${sql.join(f.values.map(value))})`
  })
}

export function searchSql(plan: SearchPlan, source: SearchSource, textConfig: string, bind: Bind = bindParam): SearchSql {
  const config = sql`${bind(textConfig)}::regconfig`
  const queryAlias = (i: number) => sql.id(`_q${i}`)
  const queryItems = plan.textQueries.map((tq, i) => sql`${sql.raw(plan.plain ? 'plainto_tsquery' : 'to_tsquery')}(${config}, ${bind(tq.text)}) AS ${queryAlias(i)}`)
  const columnVector = (column: string) => sql`to_tsvector(${config}, cast(${ds(column)} AS text))`

  const rankExpr = new Map<string, RawBuilder<unknown>>()
  const where: RawBuilder<unknown>[] = []
  plan.textQueries.forEach((tq, i) => {
    if (tq.column === null && source.fullTextIndexed) {
      where.push(sql`${ds('_full_text')} @@ ${queryAlias(i)}`)
      rankExpr.set(tq.rankName, sql`ts_rank(${ds('_full_text')}, ${queryAlias(i)}, 32)`)
    } else if (tq.column === null) {
      where.push(fullTextMatch(DS, queryAlias(i)))
      rankExpr.set(tq.rankName, sql`ts_rank(coalesce(${ds('_full_text')}, abierto_datastore_tsvector(to_jsonb(${sql.table(DS)}))), ${queryAlias(i)}, 32)`)
    } else {
      where.push(sql`${columnVector(tq.column)} @@ ${queryAlias(i)}`)
      rankExpr.set(tq.rankName, sql`ts_rank(${columnVector(tq.column)}, ${queryAlias(i)}, 32)`)
    }
  })
  where.push(...filterConditions(plan.filters, ds, bind))

  const expr = (column: string) => rankExpr.get(column) ?? ds(column)
  const from = sql`${source.from} AS ${sql.table(DS)}${queryItems.length ? sql`, ${sql.join(queryItems)}` : sql``}`
  const whereSql = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``
  const order = plan.sort.map((k) => sql`${expr(k.column)} ${sql.raw(k.direction.toUpperCase())}${k.nulls ? sql.raw(` NULLS ${k.nulls.toUpperCase()}`) : sql``}`)
  const orderSql = order.length ? sql`ORDER BY ${sql.join(order)}` : sql``
  const page = sql`${plan.limit !== null ? sql`LIMIT ${sql.raw(String(plan.limit))}` : sql``} OFFSET ${sql.raw(String(plan.offset))}`
  const distinct = plan.distinct ? sql`DISTINCT ` : sql``
  const innerCols = plan.output.map((c, i) => sql`${expr(c.id)} AS ${sql.id(`c${i}`)}`)
  const inner = sql`SELECT ${distinct}${innerCols.length ? sql.join(innerCols) : sql`1 AS "c"`} FROM ${from} ${whereSql} ${orderSql} ${page}`

  return {
    narrowed: where.length > 0,
    rows(mode) {
      const outer = plan.output.map((c, i) => sql`${render(c, sql.id('z', `c${i}`), mode)} AS ${sql.id(`c${i}`)}`)
      return sql`SELECT ${outer.length ? sql.join(outer) : sql`1 AS "c"`} FROM (${inner}) AS z`
    },
    count() {
      if (plan.distinct) return sql`SELECT count(*)::int8 AS n FROM (SELECT DISTINCT ${sql.join(plan.output.map((c) => expr(c.id)))} FROM ${from} ${whereSql}) AS c`
      return sql`SELECT count(*)::int8 AS n FROM ${from} ${whereSql}`
    },
  }
}

/**
 * A value as CKAN shows it. `json`: what row_to_json makes of it (numbers stay numbers, arrays
 * arrays) but timestamps as `YYYY-MM-DDTHH:MM:SS`. `text`: what CKAN's `COPY ... csv` prints:
 * the type's own text, booleans `t`/`f`, arrays and JSON as JSON text (`null` when missing).
 */
export type RenderMode = 'json' | 'text' | 'copy'

function render(col: Column, v: RawBuilder<unknown>, mode: RenderMode): RawBuilder<unknown> {
  if (col.type === 'timestamp') return sql`to_char(${v}, ${sql.lit(TIMESTAMP_FORMAT)})`
  if (mode === 'json') return v
  if (col.type.startsWith('_')) return sql`coalesce(array_to_json(${v})::text, 'null')`
  if (col.type === 'json' || col.type === 'jsonb') return sql`coalesce(${v}::text, 'null')`
  // COPY prints every other value with its type's output function already
  if (mode === 'copy') return v
  // bool::text is 'true'; COPY prints the output function's 't'
  if (col.type === 'bool') return sql`CASE WHEN ${v} THEN 't' WHEN NOT ${v} THEN 'f' END`
  return sql`${v}::text`
}
