import { all, one } from '../deps.js'

/** The facets a search page offers, in the order CKAN shows them. */
export const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format', 'license_id'] as const
export type FacetField = (typeof FACET_FIELDS)[number]

/** CKAN's ckan.datasets_per_page. */
export const ROWS_PER_PAGE = 20

/** The sort choices of CKAN's search form; the first is package_search's default. */
export const SORTS = [
  { key: 'relevance', value: 'score desc, metadata_modified desc' },
  { key: 'name_asc', value: 'title_string asc' },
  { key: 'name_desc', value: 'title_string desc' },
  { key: 'modified', value: 'metadata_modified desc' },
] as const

/**
 * Pages beyond this are all past the end of any catalogue: the offset stays a number Postgres
 * takes, and such a page shows the no-results help like any other page past the end.
 */
const MAX_PAGE = 10_000_000

export interface Filter {
  field: FacetField
  value: string
}

/** What a search page's URL asks for, read leniently: unknown parameters (`lang`, CKAN's `ext_*`) are ignored. */
export interface SearchState {
  q: string
  /** in URL order, without repeats; all must match */
  filters: Filter[]
  /** one of SORTS' values, or '' for the default */
  sort: string
  page: number
  /** facets whose whole list is shown (CKAN's `_tags_limit=0`) */
  expanded: FacetField[]
}

/** A `page` that is not a positive integer: CKAN answers 400, and so does the page. */
export class BadPageNumber extends Error {
  constructor() {
    super('"page" parameter must be a positive integer')
  }
}

/** Reads the search parameters; `fixed` is the facet the page itself filters on (an organization's page), which the URL cannot set. */
export function readSearchState(query: unknown, fixed?: FacetField): SearchState {
  const params = (query ?? {}) as Record<string, unknown>
  const filters: Filter[] = []
  for (const field of FACET_FIELDS) {
    if (field === fixed) continue
    for (const value of all(params[field])) if (!filters.some((f) => f.field === field && f.value === value)) filters.push({ field, value })
  }
  const sort = one(params.sort) ?? ''
  return {
    q: (one(params.q) ?? '').trim(),
    filters,
    sort: SORTS.some((s) => s.value === sort) ? sort : '',
    page: readPage(params.page),
    expanded: FACET_FIELDS.filter((f) => f !== fixed && one(params[`_${f}_limit`]) === '0'),
  }
}

/** `page`: a positive integer, 1 when absent; anything else is a BadPageNumber. */
export function readPage(param: unknown): number {
  const raw = one(param)
  if (raw === undefined || raw.trim() === '') return 1
  const text = raw.trim()
  if (!/^\d+$/.test(text)) throw new BadPageNumber()
  const n = Number(text)
  if (n < 1) throw new BadPageNumber()
  return Math.min(n, MAX_PAGE)
}

/** A facet filter as a Solr `fq` term: the value quoted, its quotes and backslashes escaped (the parser unescapes them). */
export function filterQuery(field: string, value: string): string {
  return `${field}:"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

/** URLs of the same search with one thing changed; every change but paging goes back to page 1. */
export class SearchLinks {
  constructor(
    private readonly path: string,
    readonly state: SearchState,
  ) {}

  url(next: Partial<SearchState>): string {
    const s = { ...this.state, page: 1, ...next }
    const params = new URLSearchParams()
    if (s.q) params.append('q', s.q)
    // one spelling per search (facet order, then as added), whichever link led to it
    const filters = [...s.filters].sort((a, b) => FACET_FIELDS.indexOf(a.field) - FACET_FIELDS.indexOf(b.field))
    for (const f of filters) params.append(f.field, f.value)
    if (s.sort) params.append('sort', s.sort)
    if (s.page > 1) params.append('page', String(s.page))
    for (const f of s.expanded) params.append(`_${f}_limit`, '0')
    const text = params.toString()
    return text ? `${this.path}?${text}` : this.path
  }

  isActive(field: FacetField, value: string): boolean {
    return this.state.filters.some((f) => f.field === field && f.value === value)
  }

  add(field: FacetField, value: string): string {
    return this.url({ filters: [...this.state.filters, { field, value }] })
  }

  remove(field: FacetField, value: string): string {
    return this.url({ filters: this.state.filters.filter((f) => !(f.field === field && f.value === value)) })
  }

  /** adds the filter, or removes it when it is active */
  toggle(field: FacetField, value: string): string {
    return this.isActive(field, value) ? this.remove(field, value) : this.add(field, value)
  }

  clearFilters(): string {
    return this.url({ filters: [] })
  }

  page(n: number): string {
    return this.url({ page: n })
  }

  expand(field: FacetField): string {
    return this.url({ expanded: [...this.state.expanded, field], page: this.state.page })
  }

  collapse(field: FacetField): string {
    return this.url({ expanded: this.state.expanded.filter((f) => f !== field), page: this.state.page })
  }

  query(q: string): string {
    return this.url({ q })
  }
}
