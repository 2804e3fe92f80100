/**
 * The catalog a dataset really comes from, when an aggregated catalog groups its datasets in
 * sub-catalogs (dct:hasPart), as ckanext-dcat reads it with `ckanext.dcat.expose_subcatalogs`
 * (profiles/base.py `_get_source_catalog`, `_extract_catalog_dict`). Abierto reads it whenever
 * the graph has sub-catalogs: it is the only place that says which portal published the
 * dataset, and a dataset listed by the root catalog alone gets nothing.
 */
import type { Quad, Term } from 'n3'
import { type Graph, NS } from './rdf-graph.js'
import { agents } from './agents.js'
import { pyJsonDumps } from './pyjson.js'

const { dcat, dct, foaf } = NS

const FIELDS = [
  ['source_catalog_title', `${dct}title`],
  ['source_catalog_description', `${dct}description`],
  ['source_catalog_homepage', `${foaf}homepage`],
  ['source_catalog_language', `${dct}language`],
  ['source_catalog_modified', `${dct}modified`],
] as const

function sourceCatalog(g: Graph, ds: Term): Term | undefined {
  const subCatalogs = new Set(g.store.getObjects(null, `${dct}hasPart`, null).map((c) => `${c.termType}:${c.value}`))
  if (subCatalogs.size === 0) return undefined
  return g.store.getSubjects(`${dcat}dataset`, ds, null).find((c) => subCatalogs.has(`${c.termType}:${c.value}`))
}

export function sourceCatalogExtras(g: Graph, ds: Term): { key: string; value: string }[] {
  const catalog = sourceCatalog(g, ds)
  if (!catalog) return []
  const out: { key: string; value: string }[] = []
  for (const [key, p] of FIELDS) {
    const v = g.value(catalog, p)
    if (v) out.push({ key, value: v })
  }
  const [publisher] = agents(g, catalog, `${dct}publisher`)
  if (publisher) out.push({ key: 'source_catalog_publisher', value: pyJsonDumps(publisher) })
  return out
}

// the links that make a catalog big; the record keeps only the sub-catalog's own description
const LISTINGS = new Set([`${dcat}dataset`, `${dcat}record`, `${dcat}service`, `${dcat}catalog`, `${dct}hasPart`])

/** The triples a dataset's stored record needs so that parsing it alone gives the same source_catalog_* extras. */
export function sourceCatalogQuads(g: Graph, ds: Term): Quad[] {
  const catalog = sourceCatalog(g, ds)
  if (!catalog) return []
  const out: Quad[] = [...g.store.getQuads(null, `${dct}hasPart`, catalog, null).slice(0, 1), ...g.store.getQuads(catalog, `${dcat}dataset`, ds, null)]
  for (const q of g.store.getQuads(catalog, null, null, null)) {
    if (LISTINGS.has(q.predicate.value)) continue
    out.push(q)
    if (q.predicate.value === `${dct}publisher`) out.push(...g.describe(q.object, [`${dcat}Dataset`, `${dcat}Catalog`]))
  }
  return out
}
