import n3 from 'n3'
import { HYDRA, RDF, XSD } from '../namespaces.js'
import { iri, type Graph } from './graph.js'

const { literal } = n3.DataFactory

/** Query parameters a page link keeps (ckanext-dcat's _pagination_info). */
export const KEPT_PARAMS = ['modified_since', 'profiles', 'q', 'fq'] as const

export interface PageInfo {
  /** absolute URL of the endpoint without query, e.g. https://site/catalog.ttl */
  base: string
  kept: Partial<Record<(typeof KEPT_PARAMS)[number], string>>
  page: number
  perPage: number
  count: number
}

function pageUrl(info: PageInfo, page: number): string {
  // encoded, unlike ckanext-dcat (dcat.md §1.4 "Improve"): a q with & or spaces stays one parameter
  const params = KEPT_PARAMS.flatMap((k) => (info.kept[k] !== undefined ? [`${k}=${encodeURIComponent(info.kept[k]!)}`] : []))
  return `${info.base}?${[...params, `page=${page}`].join('&')}`
}

/**
 * The hydra:PagedCollection node, with both the old and the current predicate for each link and
 * the links as string literals, which is what RDF harvesters read (dcat.md §1.4). Nothing when
 * the catalog is empty.
 */
export function addPagination(g: Graph, info: PageInfo): void {
  if (info.count <= 0) return
  const last = Math.max(1, Math.ceil(info.count / info.perPage))
  const node = iri(pageUrl(info, info.page))
  g.add(node, RDF.type, HYDRA.PagedCollection)
  g.add(node, HYDRA.totalItems, literal(String(info.count), XSD.integer))
  g.add(node, HYDRA.itemsPerPage, literal(String(info.perPage), XSD.integer))
  const link = (oldP: keyof typeof LINKS, page: number) => {
    const url = literal(pageUrl(info, page))
    g.add(node, HYDRA[oldP], url)
    g.add(node, HYDRA[LINKS[oldP]], url)
  }
  link('firstPage', 1)
  link('lastPage', last)
  // past the end, "previous" is the last page
  if (info.page > 1) link('previousPage', Math.min(info.page - 1, last))
  if (info.page * info.perPage < info.count) link('nextPage', info.page + 1)
}

const LINKS = { firstPage: 'first', lastPage: 'last', previousPage: 'previous', nextPage: 'next' } as const
