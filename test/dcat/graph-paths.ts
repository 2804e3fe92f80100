import n3 from 'n3'
import type { Quad, Term } from 'n3'

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'

/** Short names for the report: `dct:title` rather than the whole IRI. */
const SHORT: [string, string][] = [
  ['http://www.w3.org/ns/dcat#', 'dcat:'],
  ['http://purl.org/dc/terms/', 'dct:'],
  ['http://data.europa.eu/r5r/', 'dcatap:'],
  ['http://www.w3.org/ns/adms#', 'adms:'],
  ['http://www.w3.org/2002/07/owl#', 'owl:'],
  ['http://www.w3.org/2006/vcard/ns#', 'vcard:'],
  ['http://xmlns.com/foaf/0.1/', 'foaf:'],
  ['http://www.w3.org/ns/locn#', 'locn:'],
  ['http://www.opengis.net/ont/geosparql#', 'gsp:'],
  ['http://www.w3.org/2004/02/skos/core#', 'skos:'],
  ['http://spdx.org/rdf/terms#', 'spdx:'],
  ['http://www.w3.org/2000/01/rdf-schema#', 'rdfs:'],
  ['http://schema.org/', 'schema:'],
]

function short(iri: string): string {
  for (const [ns, p] of SHORT) if (iri.startsWith(ns)) return p + iri.slice(ns.length)
  return iri
}

/**
 * Every chain of predicates leading from `root` to a value (`dct:temporal/dcat:startDate`), over
 * named and blank nodes alike, without rdf:type and without revisiting a node on the way: the
 * shape of what is said about a dataset, independent of blank node labels.
 */
export function predicatePaths(quads: Quad[], root: string): Set<string> {
  const store = new n3.Store(quads)
  const out = new Set<string>()
  const walk = (node: Term, prefix: string, seen: Set<string>): void => {
    for (const q of store.getQuads(node, null, null, null)) {
      if (q.predicate.value === RDF_TYPE) continue
      const path = prefix ? `${prefix}/${short(q.predicate.value)}` : short(q.predicate.value)
      out.add(path)
      const o = q.object
      const key = `${o.termType}:${o.value}`
      if (o.termType !== 'Literal' && !seen.has(key)) walk(o, path, new Set([...seen, key]))
    }
  }
  walk(n3.DataFactory.namedNode(root), '', new Set([`NamedNode:${root}`]))
  return out
}
