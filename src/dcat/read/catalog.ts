/**
 * The DCAT RDF harvester's parsing step (ckanext-dcat `harvesters/rdf.py` gather stage plus
 * `RDFParser`): one downloaded catalog page → the datasets it describes, the next page's URL and
 * the per-record errors. Pure: the pipeline fetches and imports.
 */
import { DataFactory, Writer, type Term } from 'n3'
import jsonld from 'jsonld'
import { createHash } from 'node:crypto'
import { sourceCatalogQuads } from './source-catalog.js'
import { HarvestParseError, type ParsedPage } from './parsed.js'
import { loadRdf } from './rdf-load.js'
import { Graph, NS } from './rdf-graph.js'
import { readDataset } from './profiles.js'
import { mungeTitleToName } from '../../harvest/harvesters/munge.js'

export interface RdfPageOptions {
  contentType?: string | null
  url?: string
  /** the harvest source's `rdf_format` config */
  rdfFormat?: string
  /** the harvest source's URL, for the `<source>/<name>` guid fallback */
  sourceUrl: string
  /** the harvest source's `profiles` config (checked names; default DCAT-AP) */
  profiles?: readonly string[]
}

const PAGINATION_TYPES = [`${NS.hydra}PartialCollectionView`, `${NS.hydra}PagedCollection`]

/** hydra:next (else the deprecated hydra:nextPage) of a pagination node; links may be literals or IRIs. */
export function nextPageOf(g: Graph, pageUrl?: string): string | null {
  for (const type of PAGINATION_TYPES) {
    for (const node of g.subjectsOfType(type)) {
      for (const p of [`${NS.hydra}next`, `${NS.hydra}nextPage`]) {
        const o = g.first(node, p)
        if (!o) continue
        if (o.termType === 'Literal' && pageUrl) {
          // literal links are not resolved by the RDF parser; a relative one is relative to the page
          try {
            return new URL(o.value, pageUrl).toString()
          } catch {
            return o.value
          }
        }
        return o.value
      }
    }
  }
  return null
}

function extra(dict: Record<string, unknown>, key: string): string {
  const found = (dict.extras as { key: string; value: string }[]).find((e) => e.key === key || e.key === `dcat_${key}`)
  return found?.value ?? ''
}

/** harvesters/rdf.py `_get_guid`: uri → identifier → `<source url>/<name>` → name. */
export function rdfGuid(dict: Record<string, unknown>, sourceUrl: string): string | null {
  const byId = extra(dict, 'uri') || extra(dict, 'identifier')
  if (byId) return byId
  const title = typeof dict.title === 'string' ? dict.title : ''
  if (!title) return null
  const name = mungeTitleToName(title)
  return sourceUrl ? `${sourceUrl.replace(/\/+$/, '')}/${name}` : name
}

function toNTriples(quads: ReturnType<Graph['describe']>): string {
  const writer = new Writer({ format: 'N-Triples' })
  // the harvest object keeps the record alone, so graph names from N-Quads/TriG input are dropped
  return writer.quadsToString(quads.map((q) => DataFactory.quad(q.subject, q.predicate, q.object)))
}

/**
 * A hash of the record's triples in canonical form (RDFC-1.0: blank nodes labelled by content,
 * lines sorted): the same dataset hashes the same whatever the page's order or blank node labels
 * (JSON-LD and RDF/XML parsers number them through the whole page), so "not modified" holds.
 * The stored content keeps the page's order, which is the resources' order.
 */
async function fingerprint(ntriples: string): Promise<string> {
  const canonical = (await jsonld.canonize(ntriples as never, { algorithm: 'URDNA2015', inputFormat: 'application/n-quads', format: 'application/n-quads' } as never)) as unknown as string
  return createHash('sha256').update(canonical).digest('hex')
}

export async function parseRdfPage(body: string, opts: RdfPageOptions): Promise<ParsedPage> {
  const store = await loadRdf(body, { rdfFormat: opts.rdfFormat, contentType: opts.contentType, url: opts.url })
  const g = new Graph(store)
  const page: ParsedPage = { datasets: [], nextPage: nextPageOf(g, opts.url), errors: [] }
  const seen = new Set<string>()
  for (const node of g.subjectsOfType(`${NS.dcat}Dataset`) as Term[]) {
    let guid: string | null = null
    try {
      const dict = readDataset(g, node, opts.profiles)
      guid = rdfGuid(dict, opts.sourceUrl)
      if (!dict.title) {
        page.errors.push({ guid, message: `Dataset ${node.termType === 'NamedNode' ? node.value : '(blank node)'} has no dct:title` })
        continue
      }
      if (!guid) throw new Error('Could not get a unique identifier for the dataset')
      if (seen.has(guid)) {
        page.errors.push({ guid, message: `Duplicate dataset identifier ${guid} in the same page` })
        continue
      }
      seen.add(guid)
      ;(dict.extras as { key: string; value: string }[]).push({ key: 'guid', value: guid })
      const content = toNTriples([...g.describe(node, [`${NS.dcat}Dataset`, `${NS.dcat}Catalog`]), ...sourceCatalogQuads(g, node)])
      page.datasets.push({ guid, dict, content, fingerprint: await fingerprint(content), modified: extra(dict, 'modified') || null })
    } catch (err) {
      if (err instanceof HarvestParseError) throw err
      page.errors.push({ guid, message: `Error when processing dataset: ${(err as Error).message}` })
    }
  }
  return page
}
