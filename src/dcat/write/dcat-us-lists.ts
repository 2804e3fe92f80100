/**
 * Repeating structures as ckanext-dcat writes them from a scheming dataset (profiles/
 * euro_dcat_ap_scheming.py `_graph_from_dataset_v2_scheming`, base.py `_add_agents`,
 * `_add_contact_to_graph`, dcat_us_3.py contributors): contact points, agents, periods, locations
 * and qualified relations, one node per item. The dcat_us_3 writer uses them where the DCAT-AP
 * writer knows only the first item (flat `contact_*`, `creator_*`… extras).
 */
import n3 from 'n3'
import type { BlankNode, NamedNode } from 'n3'
import { DCAT, DCT, FOAF, GSP, LOCN, RDF, SKOS, VCARD } from '../namespaces.js'
import { iri, type Graph } from './graph.js'
import { dateLiteral, geoJsonToWkt, isHttpIri } from './values.js'
import { text, type Item } from './dcat-us-values.js'

const { literal, blankNode } = n3.DataFactory

/** ckanext-dcat's URIRefOrLiteral: an http(s) value is an IRI, anything else text. */
function iriOrLiteral(v: string): NamedNode | n3.Literal {
  return isHttpIri(v) ? iri(v) : literal(v)
}

function mailto(email: string): NamedNode {
  return iri(email.startsWith('mailto:') ? email : `mailto:${email}`)
}

function node(item: Item): NamedNode | BlankNode {
  const uri = text(item, 'uri')
  return uri && /^[a-z][a-z0-9+.-]*:\S+$/i.test(uri) ? iri(uri) : blankNode()
}

export function addContact(g: Graph, subject: NamedNode | BlankNode, predicate: NamedNode, item: Item): void {
  const c = node(item)
  g.add(subject, predicate, c)
  g.add(c, RDF.type, VCARD.Kind)
  g.text(c, VCARD.fn, text(item, 'name'))
  const email = text(item, 'email')
  if (email) g.add(c, VCARD.hasEmail, mailto(email))
  const id = text(item, 'identifier')
  if (id) g.add(c, VCARD.hasUID, iriOrLiteral(id))
  const url = text(item, 'url')
  if (url && isHttpIri(url)) g.add(c, VCARD.hasURL, iri(url))
}

export function addAgent(g: Graph, subject: NamedNode | BlankNode, predicate: NamedNode, item: Item): NamedNode | BlankNode {
  const a = node(item)
  g.add(subject, predicate, a)
  g.add(a, RDF.type, FOAF.Agent)
  g.text(a, FOAF.name, text(item, 'name'))
  const url = text(item, 'url')
  if (url && isHttpIri(url)) g.add(a, FOAF.homepage, iri(url))
  const type = text(item, 'type')
  if (type) g.add(a, DCT.type, iriOrLiteral(type))
  const email = text(item, 'email')
  if (email) g.add(a, VCARD.hasEmail, mailto(email))
  // a literal: the shapes want dct:identifier as text wherever it appears
  g.text(a, DCT.identifier, text(item, 'identifier'))
  return a
}

export function addPeriod(g: Graph, ds: NamedNode, item: Item): void {
  const start = text(item, 'start')
  const end = text(item, 'end')
  if (!start && !end) return
  const p = blankNode()
  g.add(ds, DCT.temporal, p)
  g.add(p, RDF.type, DCT.PeriodOfTime)
  if (start) g.add(p, DCAT.startDate, dateLiteral(start))
  if (end) g.add(p, DCAT.endDate, dateLiteral(end))
}

export function addLocation(g: Graph, ds: NamedNode, item: Item): void {
  const loc = node(item)
  g.add(ds, DCT.spatial, loc)
  g.add(loc, RDF.type, DCT.Location)
  g.text(loc, SKOS.prefLabel, text(item, 'text'))
  for (const [key, p] of [
    ['geom', LOCN.geometry],
    ['bbox', DCAT.bbox],
    ['centroid', DCAT.centroid],
  ] as const) {
    const wkt = item[key] === undefined ? undefined : geoJsonToWkt(item[key])
    if (wkt) g.add(loc, p, literal(wkt, GSP.wktLiteral))
  }
}

export function addRelation(g: Graph, ds: NamedNode, item: Item): void {
  const relation = text(item, 'relation')
  const role = text(item, 'role')
  if (!relation && !role) return
  const r = node(item)
  g.add(ds, DCAT.qualifiedRelation, r)
  g.add(r, RDF.type, DCAT.Relationship)
  if (relation) g.add(r, DCT.relation, iriOrLiteral(relation))
  if (role) g.add(r, DCAT.hadRole, iriOrLiteral(role))
}
