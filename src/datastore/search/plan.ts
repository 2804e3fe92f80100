import { ValidationError } from '../../errors.js'

/**
 * datastore_search's parameters checked against a table's columns, as CKAN's datastore_validate
 * does: each unknown column named by `filters`, `q`, `fields` or `sort` is refused with
 * `invalid value "<name>"` under that parameter. The result says what to select, match and
 * order by; SQL is made from it elsewhere (query.ts), for the action and the dump alike.
 */

export interface Column {
  id: string
  /** Postgres type name (int4, _text, timestamp...) or CKAN's `int` for `_id`, `float` for ranks */
  type: string
  info?: Record<string, unknown>
}

export interface SearchOptions {
  q?: string | Record<string, unknown>
  full_text?: string
  filters?: Record<string, unknown>
  fields?: string | string[]
  sort?: string | string[]
  distinct?: boolean
  /** plainto_tsquery (default) or to_tsquery's syntax */
  plain?: boolean
  limit?: number | null
  offset?: number
}

/** One full-text query: on `_full_text` (column null) or on one column's text. */
export interface TextQuery {
  column: string | null
  text: string
  /** the rank's name in `fields`: `rank` or `rank <column>` */
  rankName: string
}

export interface SortKey {
  column: string
  direction: 'asc' | 'desc'
  nulls: 'first' | 'last' | null
}

export interface Filter {
  column: string
  type: string
  /** one value (`=`) or several (`IN`) */
  values: unknown[]
  list: boolean
}

export interface SearchPlan {
  /** what each record holds, in order (`_id`, columns, ranks) */
  output: Column[]
  filters: Filter[]
  textQueries: TextQuery[]
  sort: SortKey[]
  distinct: boolean
  plain: boolean
  limit: number | null
  offset: number
}

/** CKAN's get_list: a list, or a comma-separated string; items trimmed (and, when asked, unquoted). */
export function listParam(value: string | string[] | undefined, unquote: boolean): string[] | undefined {
  if (value === undefined) return undefined
  const items = Array.isArray(value) ? value.map(String) : value === '' ? [] : value.split(',')
  return items
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (unquote && s.length > 1 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s))
}

const SORT_CLAUSE = /^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$/i

function parseSort(clause: string, known: Set<string>): SortKey | null {
  const m = SORT_CLAUSE.exec(clause)
  if (!m) return null
  let column = m[1]
  if (column.length > 1 && column.startsWith('"') && column.endsWith('"')) column = column.slice(1, -1)
  if (!known.has(column)) return null
  return { column, direction: (m[3]?.toLowerCase() ?? 'asc') as 'asc' | 'desc', nulls: (m[5]?.toLowerCase() as 'first' | 'last' | undefined) ?? null }
}

function invalid(param: string, value: unknown): ValidationError {
  return new ValidationError({ [param]: [`invalid value "${String(value)}"`] })
}

/**
 * CKAN's `filters` against the columns: `{column: value}` is equality, `{column: [v1, v2]}`
 * membership (for a column that is not an array itself). Shared by searches, dumps and
 * datastore_delete, which all refuse an unknown column the same way.
 */
export function planFilters(columns: Column[], filters: Record<string, unknown> | undefined): Filter[] {
  const byId = new Map(columns.map((c) => [c.id, c]))
  const planned: Filter[] = []
  for (const [column, value] of Object.entries(filters ?? {})) {
    const col = byId.get(column)
    if (!col) throw invalid('filters', column)
    const list = Array.isArray(value) && !col.type.startsWith('_')
    planned.push({ column, type: col.type, values: list ? (value as unknown[]) : [value], list })
  }
  return planned
}

/** `columns` = the table's fields with `_id` first (describeTable withId). */
export function planSearch(columns: Column[], opts: SearchOptions): SearchPlan {
  const byId = new Map(columns.map((c) => [c.id, c]))

  const filters = planFilters(columns, opts.filters)

  const textQueries: TextQuery[] = []
  const fullText = typeof opts.full_text === 'string' && opts.full_text !== '' ? opts.full_text : undefined
  if (typeof opts.q === 'string' && opts.q !== '' && fullText === undefined) textQueries.push({ column: null, text: opts.q, rankName: 'rank' })
  if (fullText !== undefined) textQueries.push({ column: null, text: fullText, rankName: 'rank' })
  if (opts.q && typeof opts.q === 'object') {
    for (const [column, text] of Object.entries(opts.q)) {
      if (!byId.has(column) || typeof text !== 'string') throw invalid('q', column)
      textQueries.push({ column, text, rankName: `rank ${column}` })
    }
  }

  const ranks: Column[] = textQueries.map((tq) => ({ id: tq.rankName, type: 'float' }))
  const all = [...columns, ...ranks]
  const allById = new Map(all.map((c) => [c.id, c]))

  let output = all
  const fields = listParam(opts.fields, true)
  if (fields !== undefined && fields.length > 0) {
    output = []
    const seen = new Set<string>()
    for (const f of fields) {
      const col = allById.get(f)
      if (!col) throw invalid('fields', f)
      if (seen.has(f)) continue
      seen.add(f)
      output.push(col)
    }
  }

  const sort: SortKey[] = []
  for (const clause of listParam(opts.sort, false) ?? []) {
    const key = parseSort(clause, new Set(allById.keys()))
    if (!key) throw invalid('sort', clause)
    sort.push(key)
  }
  const distinct = opts.distinct === true
  // CKAN's default order: best text match first, else by row id; none for distinct rows
  if (sort.length === 0 && !distinct) {
    if (ranks.length > 0) for (const r of ranks) sort.push({ column: r.id, direction: 'desc', nulls: null })
    else if (byId.has('_id')) sort.push({ column: '_id', direction: 'asc', nulls: null })
  }

  const offset = opts.offset ?? 0
  if (offset < 0) throw invalid('offset', offset)
  return { output, filters, textQueries, sort, distinct, plain: opts.plain !== false, limit: opts.limit ?? null, offset }
}
