/**
 * The dcat_us_3 profile (DCAT-US 3, ckanext-dcat profiles/dcat_us_3.py): the DCAT-AP 3 graph of
 * the dataset, changed where DCAT-US differs, plus DCAT-US's own properties (bounding boxes, data
 * dictionaries, liability statement, contributors, purpose, usage notes; distribution identifier and
 * character encoding). Repeating structures (`contact`, `publisher`, `creator`, `contributor`,
 * `temporal_coverage`, `spatial_coverage`, `qualified_relation`, `bbox`, `data_dictionary`) are read
 * as root lists or as extras holding JSON, the form the dcat_us_3 reader stores.
 * Deliberate differences from ckanext-dcat: the bounding box node is typed with the class
 * dcatus:GeographicBoundingBox (ckanext-dcat types it with the property's name), identifiers are
 * always literals (the shapes refuse IRIs there), publishers keep foaf:Agent beside
 * org:Organization, and a format or licence of a data dictionary that is no IRI becomes a labelled
 * node, as the shapes require.
 */
import n3 from 'n3'
import type { BlankNode, NamedNode, Quad, Quad_Object, Quad_Subject } from 'n3'
import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { CNT, DCAT, DCATUS, DCT, FOAF, GSP, LOCN, ORG, RDF, RDFS, SKOS, VCARD, XSD } from '../namespaces.js'
import { Graph, iri, resourceUri, type Site } from './graph.js'
import { addDataset } from './dcat-ap-dataset.js'
import { addCatalog } from './catalog-node.js'
import { DCAT_AP } from './profiles.js'
import { firstValue, isHttpIri, listValue } from './values.js'
import { items, structured, text, type Item } from './dcat-us-values.js'
import { addAgent, addContact, addLocation, addPeriod, addRelation } from './dcat-us-lists.js'

const { literal, blankNode } = n3.DataFactory

/** Dataset properties whose DCAT-AP nodes give way to the list form when the dataset has one. */
const LISTS: [string, NamedNode][] = [
  ['contact', DCAT.contactPoint],
  ['publisher', DCT.publisher],
  ['creator', DCT.creator],
  ['temporal_coverage', DCT.temporal],
  ['spatial_coverage', DCT.spatial],
  ['qualified_relation', DCAT.qualifiedRelation],
]

/** The DCAT-US 3 triples of one dataset and its distributions. */
export function addDcatUsDataset(g: Graph, dict: PackageDict, site: Site): NamedNode {
  const local = new Graph()
  const ds = addDataset(local, dict, site, DCAT_AP.euro_dcat_ap_3!)
  const replaced = new Set(LISTS.filter(([key]) => items(dict, key).length > 0).map(([, p]) => p.value))
  const kept = reachable(
    firstOnly(
      geometriesAsLiterals(local.quads).filter((q) => !(q.subject.equals(ds) && replaced.has(q.predicate.value))),
      ds,
    ),
    ds,
  )
  const out = new Graph()
  for (const q of formatsAsNodes(untypeSchemelessConcepts(kept))) out.add(q.subject, q.predicate as NamedNode, q.object)

  for (const c of items(dict, 'contact')) addContact(out, ds, DCAT.contactPoint, c)
  // dct:publisher is 0..1
  for (const p of items(dict, 'publisher').slice(0, 1)) addAgent(out, ds, DCT.publisher, p)
  for (const c of items(dict, 'creator').slice(0, 1)) addAgent(out, ds, DCT.creator, c)
  for (const c of items(dict, 'contributor')) addAgent(out, ds, DCT.contributor, c)
  for (const t of items(dict, 'temporal_coverage')) addPeriod(out, ds, t)
  for (const s of items(dict, 'spatial_coverage')) addLocation(out, ds, s)
  for (const r of items(dict, 'qualified_relation')) addRelation(out, ds, r)

  for (const box of items(dict, 'bbox')) addBoundingBox(out, ds, box)
  addDataDictionary(out, ds, dict)
  addStatement(out, ds, DCATUS.liabilityStatement, DCATUS.LiabilityStatement, firstValue(dict, 'liability'))
  for (const v of listValue(dict, 'purpose')) out.text(ds, DCATUS.purpose, v)
  for (const v of listValue(dict, 'usage')) out.text(ds, SKOS.scopeNote, v)

  for (const res of (dict.resources as ResourceDict[] | undefined) ?? []) {
    const dist = iri(resourceUri(res, dict.id as string, site))
    out.text(dist, DCT.identifier, firstValue(res, 'identifier', 'guid', 'id'))
    out.text(dist, CNT.characterEncoding, firstValue(res, 'character_encoding'))
    addDataDictionary(out, dist, res)
  }

  if (!out.quads.some((q) => q.subject.equals(ds) && q.predicate.equals(DCT.publisher))) addSitePublisher(out, ds, site)
  publishersAsOrganizations(out, ds)
  servicesRunByTheDataset(out, ds)
  for (const q of untypeUntitledPages(out.quads)) g.add(q.subject, q.predicate as NamedNode, q.object)
  return ds
}

/** The catalog node: DCAT-AP's (ckanext-dcat `_graph_from_catalog_base`), its untitled homepage untyped. */
export function addDcatUsCatalog(g: Graph, site: Site, datasets: NamedNode[], modified: string | undefined): NamedNode {
  const local = new Graph()
  const cat = addCatalog(local, site, datasets, modified)
  for (const q of untypeUntitledPages(local.quads)) g.add(q.subject, q.predicate as NamedNode, q.object)
  return cat
}

/** The quads reachable from `root` (what remains of the dataset once some of its links are cut). */
function reachable(quads: Quad[], root: NamedNode): Quad[] {
  const bySubject = new Map<string, Quad[]>()
  const key = (t: Quad_Subject | Quad_Object) => `${t.termType}:${t.value}`
  for (const q of quads) {
    const k = key(q.subject)
    const list = bySubject.get(k)
    if (list) list.push(q)
    else bySubject.set(k, [q])
  }
  const seen = new Set<string>()
  const out: Quad[] = []
  const queue: (Quad_Subject | Quad_Object)[] = [root]
  while (queue.length > 0) {
    const k = key(queue.shift()!)
    if (seen.has(k)) continue
    seen.add(k)
    for (const q of bySubject.get(k) ?? []) {
      out.push(q)
      if (q.object.termType !== 'Literal') queue.push(q.object)
    }
  }
  return out
}

/** DCAT-US makes dct:title mandatory on a foaf:Document: an untitled page (landing page, documentation, homepage) is left untyped. */
function untypeUntitledPages(quads: Quad[]): Quad[] {
  const titled = new Set(quads.filter((q) => q.predicate.equals(DCT.title)).map((q) => termKey(q.subject)))
  return quads.filter((q) => !(q.predicate.equals(RDF.type) && q.object.equals(FOAF.Document) && !titled.has(termKey(q.subject))))
}

/** Dataset properties DCAT-US allows once (documentation, conformsTo, creator): the first value is published. */
const ONCE = [FOAF.page, DCT.conformsTo, DCT.creator]

function firstOnly(quads: Quad[], ds: NamedNode): Quad[] {
  const seen = new Set<string>()
  return quads.filter((q) => {
    if (!q.subject.equals(ds) || !ONCE.some((p) => q.predicate.equals(p))) return true
    if (seen.has(q.predicate.value)) return false
    seen.add(q.predicate.value)
    return true
  })
}

const termKey = (t: Quad_Subject | Quad_Object) => `${t.termType}:${t.value}`

/** DCAT-US wants locn:geometry as a literal (ckanext-dcat's form), not DCAT-AP 3's locn:Geometry node. */
function geometriesAsLiterals(quads: Quad[]): Quad[] {
  const wkt = new Map(quads.filter((q) => q.predicate.equals(GSP.asWKT) && q.object.termType === 'Literal').map((q) => [termKey(q.subject), q.object]))
  return quads.map((q) => (q.predicate.equals(LOCN.geometry) && wkt.has(termKey(q.object)) ? n3.DataFactory.quad(q.subject, q.predicate, wkt.get(termKey(q.object))!) : q))
}

/**
 * DCAT-US's skos:Concept needs skos:inScheme; a theme IRI outside any known scheme is valid as a
 * bare IRI, so it loses its skos:Concept type rather than gain an invented scheme.
 */
function untypeSchemelessConcepts(quads: Quad[]): Quad[] {
  const inScheme = new Set(quads.filter((q) => q.predicate.equals(SKOS.inScheme)).map((q) => termKey(q.subject)))
  return quads.filter((q) => !(q.predicate.equals(RDF.type) && q.object.equals(SKOS.Concept) && q.subject.termType === 'NamedNode' && !inScheme.has(termKey(q.subject))))
}

/** A format with no IRI is a dct:MediaTypeOrExtent node labelled with its name (the shapes refuse a literal). */
function formatsAsNodes(quads: Quad[]): Quad[] {
  const { quad } = n3.DataFactory
  return quads.flatMap((q) => {
    if (!q.predicate.equals(DCT.format) || q.object.termType !== 'Literal') return [q]
    const node = blankNode()
    return [quad(q.subject, q.predicate, node), quad(node, RDF.type, DCT.MediaTypeOrExtent), quad(node, RDFS.label, q.object)]
  })
}

/**
 * dct:publisher is mandatory in DCAT-US: a dataset with neither publisher extras nor organization
 * is published by the site, the same agent the catalog node names.
 */
function addSitePublisher(g: Graph, ds: NamedNode, site: Site): void {
  const publisher = iri(`${site.url}/#publisher`)
  g.add(ds, DCT.publisher, publisher)
  g.add(publisher, RDF.type, FOAF.Agent)
  g.text(publisher, FOAF.name, site.title)
}

/** DCAT-US wants the publisher to be an org:Organization named by skos:prefLabel. */
function publishersAsOrganizations(g: Graph, ds: NamedNode): void {
  const publishers = g.quads.filter((q) => q.subject.equals(ds) && q.predicate.equals(DCT.publisher)).map((q) => q.object as NamedNode | BlankNode)
  for (const p of publishers) {
    g.add(p, RDF.type, ORG.Organization)
    for (const name of g.quads.filter((q) => q.subject.equals(p) && q.predicate.equals(FOAF.name))) g.add(p, SKOS.prefLabel, name.object)
    // ckanext-dcat's scheming agents carry the address as vcard:hasEmail; DCAT-AP's foaf:mbox stays for DCAT-AP readers
    for (const mbox of g.quads.filter((q) => q.subject.equals(p) && q.predicate.equals(FOAF.mbox))) g.add(p, VCARD.hasEmail, mbox.object)
  }
}

/**
 * DCAT-US makes dcat:contactPoint and dct:publisher mandatory on a dcat:DataService: a service that
 * names neither is taken to be run by the dataset's contact points and publisher.
 */
function servicesRunByTheDataset(g: Graph, ds: NamedNode): void {
  const of = (s: Quad_Subject, p: NamedNode) => g.quads.filter((q) => q.subject.equals(s) && q.predicate.equals(p)).map((q) => q.object)
  const services = g.quads.filter((q) => q.predicate.equals(RDF.type) && q.object.equals(DCAT.DataService)).map((q) => q.subject)
  for (const svc of services) {
    if (of(svc, DCAT.contactPoint).length === 0) for (const c of of(ds, DCAT.contactPoint)) g.add(svc, DCAT.contactPoint, c)
    if (of(svc, DCT.publisher).length === 0) for (const p of of(ds, DCT.publisher).slice(0, 1)) g.add(svc, DCT.publisher, p)
  }
}

function addBoundingBox(g: Graph, ds: NamedNode, box: Item): void {
  const node = blankNode()
  g.add(ds, DCATUS.geographicBoundingBox, node)
  g.add(node, RDF.type, DCATUS.GeographicBoundingBox)
  for (const [key, p] of [
    ['west', DCATUS.westBoundingLongitude],
    ['east', DCATUS.eastBoundingLongitude],
    ['north', DCATUS.northBoundingLatitude],
    ['south', DCATUS.southBoundingLatitude],
  ] as const) {
    const v = text(box, key)
    if (v) g.add(node, p, /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v) ? literal(v, XSD.decimal) : literal(v))
  }
}

/**
 * dcatus:describedBy: text is a literal (ckanext-dcat), a list's first entry (the property is
 * 0..1) a dcat:Distribution reached by its url.
 */
function addDataDictionary(g: Graph, subject: NamedNode, dict: PackageDict | ResourceDict): void {
  const value = structured(dict, 'data_dictionary')
  if (typeof value === 'string') {
    g.text(subject, DCATUS.describedBy, value)
    return
  }
  const [first] = items(dict, 'data_dictionary')
  const url = first ? text(first, 'url') : ''
  if (!url) return
  const node = blankNode()
  g.add(subject, DCATUS.describedBy, node)
  g.add(node, RDF.type, DCAT.Distribution)
  g.add(node, DCAT.accessURL, iri(url))
  const format = text(first, 'format')
  if (format) g.add(node, DCT.format, labelled(g, format, DCT.MediaTypeOrExtent, RDFS.label))
  const license = text(first, 'license')
  if (license) g.add(node, DCT.license, labelled(g, license, DCT.LicenseDocument, DCT.title))
}

/** An IRI when the value is one, else a node of `cls` carrying the text (what the reader takes back). */
function labelled(g: Graph, value: string, cls: NamedNode, labelPredicate: NamedNode): NamedNode | BlankNode {
  const node = isHttpIri(value) ? iri(value) : blankNode()
  g.add(node, RDF.type, cls)
  if (node.termType === 'BlankNode') g.text(node, labelPredicate, value)
  return node
}

/** base.py `_add_statement_to_graph`: an IRI typed `cls`, or a `cls` node labelled with the text. */
function addStatement(g: Graph, subject: NamedNode, predicate: NamedNode, cls: NamedNode, value: string | undefined): void {
  if (!value) return
  const node = isHttpIri(value) ? iri(value) : blankNode()
  g.add(subject, predicate, node)
  g.add(node, RDF.type, cls)
  if (node.termType === 'BlankNode') g.text(node, RDFS.label, value)
}
