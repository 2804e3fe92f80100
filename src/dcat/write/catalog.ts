import type { NamedNode } from 'n3'
import type { ActionContext } from '../../actions/context.js'
import type { PackageDict } from '../../model/package-dict.js'
import { ValidationError } from '../../errors.js'
import { Graph, type Site } from './graph.js'
import { addCatalog } from './catalog-node.js'
import { addDataset } from './dcat-ap-dataset.js'
import { addSchemaCatalog, addSchemaDataset } from './schemaorg.js'
import { addDcatUsCatalog, addDcatUsDataset } from './dcat-us.js'
import { addPagination } from './pagination.js'
import { DCAT_AP, parseProfiles, type Profile } from './profiles.js'
import { rdfFormat, serialize, type RdfFormat } from './serialize.js'

/** ckanext.dcat.datasets_per_page */
export const DATASETS_PER_PAGE = 100

/** URL extension of each format, for page links built outside a request. */
const EXTENSIONS: Record<RdfFormat, string> = { turtle: 'ttl', n3: 'n3', ntriples: 'nt', rdfxml: 'rdf', jsonld: 'jsonld' }

/**
 * What the catalog shows, whoever asks: public, active datasets of type `dataset` (so never
 * harvest sources or showcases), whatever q or fq say.
 */
export const PUBLIC_DATASETS = ['+state:active', '+dataset_type:dataset', '+private:false']

export function isPublicDataset(d: PackageDict): boolean {
  return d.state === 'active' && d.private === false && (d.type ?? 'dataset') === 'dataset'
}

export function site(ctx: ActionContext): Site {
  return { url: ctx.config.siteUrl, title: ctx.config.siteTitle, description: ctx.config.siteDescription, language: ctx.config.siteLocale }
}

export function formatParam(value: string | undefined, fallback: RdfFormat): RdfFormat {
  if (value === undefined || value === '') return fallback
  const f = rdfFormat(value)
  if (!f) throw ValidationError.field('format', `Unknown format: ${value}`)
  return f
}

/** What one profile adds: the dataset's triples, and the catalog node's once the page's datasets are written. */
interface ProfileWriter {
  dataset(g: Graph, dict: PackageDict, s: Site): NamedNode
  catalog(g: Graph, s: Site, datasets: NamedNode[], modified: () => Promise<string | undefined>): Promise<void>
}

/**
 * The writers of the requested profiles, in order. Of several DCAT-AP profiles only the last
 * writes: in ckanext-dcat each later one rewrites the same properties in its own form.
 */
function writers(profiles: Profile[]): ProfileWriter[] {
  const dcatAp = profiles.filter((p) => DCAT_AP[p]).at(-1)
  const out: ProfileWriter[] = []
  for (const p of profiles) {
    const flavour = DCAT_AP[p]
    if (p === 'schemaorg') {
      out.push({ dataset: addSchemaDataset, catalog: async (g, s, nodes) => void addSchemaCatalog(g, s, nodes) })
    } else if (flavour && p === dcatAp) {
      out.push({ dataset: (g, d, s) => addDataset(g, d, s, flavour), catalog: async (g, s, nodes, modified) => void addCatalog(g, s, nodes, await modified()) })
    } else if (p === 'dcat_us_3') {
      // DCAT-US 3 builds on DCAT-AP 3 and writes its own, whatever DCAT-AP profile is also asked for
      out.push({ dataset: addDcatUsDataset, catalog: async (g, s, nodes, modified) => void addDcatUsCatalog(g, s, nodes, await modified()) })
    }
  }
  return out
}

/** The dataset graph(s) under the requested profiles. */
export function datasetGraph(dict: PackageDict, profiles: Profile[], s: Site): Graph {
  const g = new Graph()
  for (const w of writers(profiles)) w.dataset(g, dict, s)
  return g
}

export interface CatalogParams {
  page?: unknown
  modified_since?: string
  q?: string
  fq?: string
  format?: string
  profiles?: unknown
}

/** ckanext-dcat's page check: a positive integer, given as a number or its text. */
function pageNumber(value: unknown): number {
  if (value === undefined || value === null || value === '') return 1
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : NaN
  if (!Number.isInteger(n) || n < 1) throw ValidationError.message('Page param must be a positive integer starting in 1')
  return n
}

/** modified_since as the UTC instant a metadata_modified range takes; CKAN's 409 when unreadable. */
function modifiedSince(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const v = value.trim()
  // ISO 8601 dates and datetimes; a value without zone is UTC, as CKAN's timestamps are
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(v)
  const ms = m ? Date.parse(`${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? ''}${m[8] ? normalizeZone(m[8]) : 'Z'}`) : NaN
  if (Number.isNaN(ms)) throw ValidationError.message('Wrong modified date format. Use ISO-8601 format')
  return new Date(ms).toISOString()
}

function normalizeZone(z: string): string {
  return z === 'Z' || z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`
}

interface SearchResult {
  count: number
  results: PackageDict[]
}

/** dcat_catalog_show: one page of the catalog, serialised. */
export async function catalogPage(ctx: ActionContext, p: CatalogParams): Promise<string> {
  const page = pageNumber(p.page)
  const since = modifiedSince(p.modified_since)
  const profiles = parseProfiles(p.profiles)
  const format = formatParam(p.format, 'rdfxml')
  const fqList = [...PUBLIC_DATASETS, ...(since ? [`metadata_modified:[${since} TO NOW]`] : [])]
  // the page: full package_show dicts straight from package_search (one query for all of them)
  const found = await ctx.call<SearchResult>('package_search', {
    q: p.q ?? '*:*',
    ...(p.fq ? { fq: p.fq } : {}),
    fq_list: fqList,
    rows: DATASETS_PER_PAGE,
    start: DATASETS_PER_PAGE * (page - 1),
    sort: 'metadata_modified desc',
    include_private: false,
    include_drafts: false,
  })
  const datasets = found.results.filter(isPublicDataset)
  const s = site(ctx)
  const g = new Graph()
  const firstPage = page === 1 && !p.q && !p.fq && !since ? datasets : undefined
  for (const w of writers(profiles)) {
    const nodes = datasets.map((d) => w.dataset(g, d, s))
    await w.catalog(g, s, nodes, () => lastModified(ctx, firstPage))
  }
  addPagination(g, {
    base: `${s.url}/catalog.${EXTENSIONS[format]}`,
    kept: { modified_since: p.modified_since || undefined, profiles: profilesText(p.profiles), q: p.q || undefined, fq: p.fq || undefined },
    page,
    perPage: DATASETS_PER_PAGE,
    count: found.count,
  })
  return serialize(g.quads, format)
}

function profilesText(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? value.join(',') : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The catalog's dct:modified: the newest public dataset (the first of an unfiltered first page). */
async function lastModified(ctx: ActionContext, firstPage: PackageDict[] | undefined): Promise<string | undefined> {
  if (firstPage) return firstPage[0]?.metadata_modified as string | undefined
  const newest = await ctx.call<SearchResult>('package_search', { q: '*:*', fq_list: PUBLIC_DATASETS, rows: 1, sort: 'metadata_modified desc', include_private: false })
  return newest.results[0]?.metadata_modified as string | undefined
}
