import type { FastifyRequest } from 'fastify'
import { PackageSearchJson } from '../../actions/package/search.js'
import { RawJson } from '../../cache/read-cache.js'
import type { SearchCorrection } from '../../search/port.js'
import type { WebDeps } from '../deps.js'
import { correctionNotice, type CorrectionNotice } from './corrections.js'
import { pagination, type Pagination } from './pagination.js'
import { FACET_FIELDS, ROWS_PER_PAGE, SORTS, SearchLinks, filterQuery, readSearchState, type FacetField } from './search-state.js'

/** CKAN's search.facets.default: facet values listed before "show more". */
const FACET_SHOWN = 10

interface FacetItem {
  name: string
  display_name: string
  count: number
}

interface PackageSearchAnswer {
  count: number
  results: Array<Record<string, unknown>>
  search_facets: Record<string, { items: FacetItem[] } | undefined>
}

export interface FacetView {
  field: FacetField
  items: Array<{ label: string; count: number; active: boolean; url: string }>
  /** "show more" (all values) or "show fewer" */
  more: string | null
  fewer: string | null
}

export interface DatasetSearchView {
  q: string
  /** where the search form sends its GET */
  action: string
  count: number
  results: Array<Record<string, unknown>>
  facets: FacetView[]
  active: Array<{ field: FacetField; label: string; remove: string }>
  /** the form keeps the filters when the words or the order change */
  hidden: Array<{ name: string; value: string }>
  clearFilters: string | null
  sorts: Array<{ key: string; value: string; selected: boolean }>
  pagination: Pagination | null
  correction: CorrectionNotice | null
  /** the page is past the last one that has results */
  pastEnd: { first: string } | null
  /** searching the same filters without the words */
  withoutQuery: string | null
  /** this page's address without presentation parameters (facets shown in full) */
  canonicalPath: string
}

export interface DatasetSearchOptions {
  /** the page's own path: links and the form stay on it */
  path: string
  /** an organization's or group's page: its filter, which the visitor cannot remove */
  fixed?: { field: FacetField; fq: string }
}

/**
 * The search behind /dataset and the organization and group pages: the URL's parameters (CKAN's
 * names) become one package_search, run as the visitor, and its answer the view's facets, links,
 * paging and no-results help.
 */
export async function datasetSearch(deps: WebDeps, req: FastifyRequest, opts: DatasetSearchOptions): Promise<DatasetSearchView> {
  const state = readSearchState(req.query, opts.fixed?.field)
  const links = new SearchLinks(opts.path, state)
  const facetFields = FACET_FIELDS.filter((f) => f !== opts.fixed?.field)
  const fq = [
    ...(opts.fixed ? [opts.fixed.fq] : []),
    ...state.filters.map((f) => filterQuery(f.field, f.value)),
    // as CKAN's search page: datasets only (not harvest sources, whatever a filter value says)
    '+dataset_type:dataset',
  ]
  const { answer, corrections } = await packageSearch(deps, req, {
    q: state.q,
    fq_list: fq,
    ...(state.sort ? { sort: state.sort } : {}),
    rows: ROWS_PER_PAGE,
    start: (state.page - 1) * ROWS_PER_PAGE,
    'facet.field': JSON.stringify(facetFields),
    include_private: true,
  })

  // the correction is spelt as the datasets spell it: when none is on the page, a few that have the word
  let spelt = answer.results
  if (spelt.length === 0 && state.q && corrections?.some((c) => c.suggestions.length > 0)) {
    const words = corrections.flatMap((c) => c.suggestions.slice(0, 1)).join(' ')
    spelt = (await packageSearch(deps, req, { q: words, fq_list: ['+dataset_type:dataset'], rows: 3, facet: 'false', include_private: true })).answer.results
  }

  const labels = new Map<string, string>()
  const facets = facetFields.map((field) => {
    // a dataset without a licence counts under the empty value: nothing a visitor can pick
    const items = (answer.search_facets[field]?.items ?? []).filter((i) => i.name !== '').sort((a, b) => b.count - a.count || a.display_name.localeCompare(b.display_name))
    for (const i of items) labels.set(`${field}\n${i.name}`, i.display_name)
    const expanded = state.expanded.includes(field)
    const shown = expanded ? items : items.slice(0, FACET_SHOWN)
    return {
      field,
      items: shown.map((i) => ({ label: i.display_name, count: i.count, active: links.isActive(field, i.name), url: links.toggle(field, i.name) })),
      more: !expanded && items.length > FACET_SHOWN ? links.expand(field) : null,
      fewer: expanded && items.length > FACET_SHOWN ? links.collapse(field) : null,
    }
  })

  return {
    q: state.q,
    action: opts.path,
    count: answer.count,
    results: answer.results,
    facets: facets.filter((f) => f.items.length > 0),
    active: state.filters.map((f) => ({ field: f.field, label: labels.get(`${f.field}\n${f.value}`) ?? f.value, remove: links.remove(f.field, f.value) })),
    hidden: state.filters.map((f) => ({ name: f.field, value: f.value })),
    clearFilters: state.filters.length > 0 ? links.clearFilters() : null,
    sorts: SORTS.map((s) => ({ key: s.key, value: s.value, selected: s.value === (state.sort || SORTS[0].value) })),
    pagination: pagination(state.page, answer.count, ROWS_PER_PAGE, (n) => links.page(n)),
    correction: correctionNotice(state.q, corrections, spelt, (q) => links.query(q)),
    pastEnd: answer.results.length === 0 && answer.count > 0 ? { first: links.page(1) } : null,
    withoutQuery: state.q ? links.query('') : null,
    canonicalPath: links.url({ page: state.page, expanded: [] }),
  }
}

/** package_search through the runner, as the visitor, keeping the typo corrections its public answer leaves out. */
async function packageSearch(deps: WebDeps, req: FastifyRequest, params: Record<string, unknown>): Promise<{ answer: PackageSearchAnswer; corrections?: SearchCorrection[] }> {
  const out = await deps.runner.run('package_search', params, await deps.resolveCaller(req), req.log)
  if (!(out instanceof RawJson)) return { answer: out as PackageSearchAnswer }
  return { answer: out.value() as PackageSearchAnswer, corrections: out instanceof PackageSearchJson ? out.corrections : undefined }
}
