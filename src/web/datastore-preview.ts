import type { FastifyRequest } from 'fastify'
import { BadRequest, NotFound, ValidationError } from '../errors.js'
import { act, one, type WebDeps } from './deps.js'
import { pagination, type Pagination } from './search/pagination.js'

/**
 * The resource page's table when the resource's rows are in the DataStore: one page of rows read
 * with datastore_search as the visitor (so its visibility rules apply), sorted by a column,
 * narrowed by words (in every column or one), paged. Plain links and a GET form carry the state in
 * the page's query string, so it works without script and each state has its own address.
 */

/** The choices of rows per page (CKAN's datatables offers 20 50 100 500 1000; a page of HTML stays small). */
export const PAGE_SIZES = [20, 50, 100]
/** Rows from which an unfiltered table's total is estimated (datastore_search's total_estimation_threshold). */
const ESTIMATE_FROM = 100_000
/** Pages past this are refused: deep offsets cost the database a scan each. */
const MAX_OFFSET = 1_000_000
/** Cells longer than this wrap (in a column wide enough to read); shorter ones stay on one line. */
const LONG_TEXT = 40
const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'int', 'float', 'integer', 'bigint', 'smallint'])

export interface TableState {
  /** words to look for */
  q: string
  /** the column the words are looked for in ('' = all) */
  col: string
  sort: string
  dir: 'asc' | 'desc'
  page: number
  per: number
}

export interface DatastoreColumn {
  id: string
  label: string
  type: string
  numeric: boolean
  /** aria-sort of the header */
  sorted: 'ascending' | 'descending' | null
  /** the address that sorts by this column (the other way when it is the current order) */
  sortUrl: string
}

export interface DatastoreView {
  columns: DatastoreColumn[]
  rows: Array<Array<{ text: string; numeric: boolean; long: boolean }>>
  total: number
  estimated: boolean
  from: number
  to: number
  state: TableState
  filtered: boolean
  /** the table without words, order or paging */
  resetUrl: string
  pagination: Pagination | null
  pageSizes: number[]
  /** what was asked could not be applied (e.g. an unknown column): the first rows are shown instead */
  ignored: boolean
  dumpUrl: string
}

interface SearchResult {
  fields: Array<{ id: string; type: string; info?: Record<string, unknown> }>
  records: Array<Record<string, unknown>>
  total?: number
  total_was_estimated?: boolean
}

function positiveInt(v: string | undefined, fallback: number): number {
  return v !== undefined && /^\d{1,9}$/.test(v.trim()) && Number(v) >= 1 ? Number(v) : fallback
}

export function readTableState(query: unknown): TableState {
  const q = (query ?? {}) as Record<string, unknown>
  const per = positiveInt(one(q.per), PAGE_SIZES[0])
  return {
    q: (one(q.q) ?? '').trim().slice(0, 200),
    col: one(q.col) ?? '',
    sort: one(q.sort) ?? '',
    dir: one(q.dir) === 'desc' ? 'desc' : 'asc',
    page: positiveInt(one(q.page), 1),
    per: PAGE_SIZES.includes(per) ? per : PAGE_SIZES[0],
  }
}

/** The page's address with this state (defaults left out), landing on the table. */
export function stateUrl(path: string, s: TableState): string {
  const p = new URLSearchParams()
  if (s.q) p.set('q', s.q)
  if (s.q && s.col) p.set('col', s.col)
  if (s.sort) p.set('sort', s.sort)
  if (s.sort && s.dir === 'desc') p.set('dir', 'desc')
  if (s.per !== PAGE_SIZES[0]) p.set('per', String(s.per))
  if (s.page > 1) p.set('page', String(s.page))
  const qs = p.toString()
  return `${path}${qs ? `?${qs}` : ''}#preview-title`
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

function searchParams(resourceId: string, s: TableState): Record<string, unknown> {
  // a large table without words is counted from the planner's estimate: an exact count would scan it on every page
  const params: Record<string, unknown> = { resource_id: resourceId, limit: s.per, offset: (s.page - 1) * s.per, include_total: true, total_estimation_threshold: ESTIMATE_FROM }
  if (s.q) params.q = s.col ? { [s.col]: s.q } : s.q
  // a list, quoted: column names may hold commas and spaces
  if (s.sort) params.sort = [`"${s.sort}" ${s.dir} nulls last`]
  return params
}

/**
 * The table, or null when the resource has no readable table (never loaded, dropped, or the
 * DataStore is not there): the page then previews the file.
 */
export async function datastorePreview(deps: WebDeps, req: FastifyRequest, resourceId: string, path: string): Promise<DatastoreView | null> {
  let state = readTableState(req.query)
  if ((state.page - 1) * state.per > MAX_OFFSET) state = { ...state, page: 1 }
  let ignored = false
  let result: SearchResult
  try {
    result = await act<SearchResult>(deps, req, 'datastore_search', searchParams(resourceId, state))
  } catch (err) {
    if (!(err instanceof ValidationError)) return unavailable(err)
    // something asked for cannot be applied (a column that is gone, words the search refuses): the table as it is
    ignored = true
    state = { ...state, q: '', col: '', sort: '', page: 1 }
    try {
      result = await act<SearchResult>(deps, req, 'datastore_search', searchParams(resourceId, state))
    } catch (again) {
      return unavailable(again)
    }
  }

  // `rank` columns follow the table's own when words were given; `_id` is the DataStore's
  let fields = result.fields.filter((f) => f.id !== '_id')
  if (state.q) while (fields.length > 0 && /^rank( |$)/.test(fields[fields.length - 1].id)) fields = fields.slice(0, -1)
  const known = new Set(fields.map((f) => f.id))
  if (state.sort && !known.has(state.sort)) state = { ...state, sort: '' }
  if (state.col && !known.has(state.col)) state = { ...state, col: '' }

  const columns: DatastoreColumn[] = fields.map((f) => {
    const label = typeof f.info?.label === 'string' && f.info.label.trim() !== '' ? f.info.label : f.id
    const current = state.sort === f.id
    const next: TableState = { ...state, sort: f.id, dir: current && state.dir === 'asc' ? 'desc' : 'asc', page: 1 }
    return { id: f.id, label, type: f.type, numeric: NUMERIC.has(f.type), sorted: current ? (state.dir === 'asc' ? 'ascending' : 'descending') : null, sortUrl: stateUrl(path, next) }
  })
  const rows = result.records.map((r) =>
    columns.map((c) => {
      const text = cellText(r[c.id])
      return { text, numeric: c.numeric, long: text.length > LONG_TEXT }
    }),
  )
  const total = typeof result.total === 'number' ? result.total : rows.length
  const from = rows.length > 0 ? (state.page - 1) * state.per + 1 : 0
  return {
    columns,
    rows,
    total,
    estimated: result.total_was_estimated === true,
    from,
    to: from > 0 ? from + rows.length - 1 : 0,
    state,
    filtered: state.q !== '',
    resetUrl: stateUrl(path, { q: '', col: '', sort: '', dir: 'asc', page: 1, per: state.per }),
    pagination: pagination(state.page, Math.min(total, MAX_OFFSET + state.per), state.per, (page) => stateUrl(path, { ...state, page })),
    pageSizes: PAGE_SIZES,
    ignored,
    dumpUrl: `/datastore/dump/${encodeURIComponent(resourceId)}?bom=true`,
  }
}

function unavailable(err: unknown): null {
  // no table (404), or no DataStore actions at all (an unknown action): the file is previewed instead
  if (err instanceof NotFound || err instanceof BadRequest) return null
  throw err
}
