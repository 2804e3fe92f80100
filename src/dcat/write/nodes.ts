/**
 * Objects for properties whose range is a class (dct:Standard, dct:RightsStatement, skos:Concept…).
 * CKAN stores them as text: an IRI, or a free label. The shapes want a node of that class, so an
 * IRI is typed with it and a label becomes a blank node carrying the label as rdfs:label, which is
 * where ckanext-dcat's statements put it and where DCAT readers look for a blank node's value.
 */
import n3 from 'n3'
import type { BlankNode, NamedNode, Quad_Subject } from 'n3'
import { DCT, RDF, RDFS, SKOS } from '../namespaces.js'
import { iri, type Graph } from './graph.js'
import { isHttpIri } from './values.js'
import { languageIri } from './vocabularies.js'

const { blankNode, literal } = n3.DataFactory

/** A code list entry's own code (the last path segment or fragment), the only name we know for an IRI outside the tables. */
export function localName(value: string): string {
  const m = /([^/#]+)[/#]*$/.exec(value)
  return m ? decodeURIComponent(m[1]) : value
}

/**
 * Links `s p` to `value` as a node of class `cls` (when given). skos:Concept nodes get the
 * skos:prefLabel the shapes require: `label` when known, else the IRI's code.
 */
export function classNode(g: Graph, s: Quad_Subject, p: NamedNode, value: string, cls?: NamedNode, label?: string): NamedNode | BlankNode | undefined {
  const v = value.trim()
  if (v === '') return undefined
  const concept = cls?.value === SKOS.Concept.value
  let node: NamedNode | BlankNode
  if (isHttpIri(v)) {
    node = iri(v)
    if (concept) g.add(node, SKOS.prefLabel, literal(label ?? localName(v)))
  } else {
    node = blankNode()
    g.add(node, RDFS.label, literal(v))
    if (concept) g.add(node, SKOS.prefLabel, literal(v))
  }
  g.add(s, p, node)
  if (cls) g.add(node, RDF.type, cls)
  return node
}

/** ckanext-dcat's URIRefOrLiteral, for properties with no class range: an http(s) value is an IRI, anything else text. */
export function iriOrLiteral(g: Graph, s: Quad_Subject, p: NamedNode, value: string): void {
  const v = value.trim()
  if (v === '') return
  g.add(s, p, isHttpIri(v) ? iri(v) : literal(v))
}

/** A language as an EU authority IRI when we know the code, else the value as given. */
export function addLanguage(g: Graph, s: Quad_Subject, value: string): void {
  classNode(g, s, DCT.language, languageIri(value) ?? value, DCT.LinguisticSystem)
}
