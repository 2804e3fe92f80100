import n3 from 'n3'
import type { Quad, Quad_Object, Quad_Subject, NamedNode, BlankNode } from 'n3'
import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { findLicense } from '../../model/licenses.js'
import { DCAT, DCT, FOAF, GSP, LOCN, RDF, SKOS, SPDX, VCARD, XSD } from '../namespaces.js'
import { dateLiteral, dictValue, firstValue, geoJsonBbox, geoJsonToWkt, isHttpIri, listValue } from './values.js'
import { fileTypeIri, frequencyIri, languageIri, mediaTypeIri, themeIri, themeLabel } from './vocabularies.js'

const { namedNode, literal, blankNode, quad } = n3.DataFactory

/** What the catalog node says about the site (SITE_URL, SITE_TITLE, SITE_DESCRIPTION). */
export interface Site {
  url: string
  title: string
  description: string
}

/** Collects triples, once each (nodes shared by datasets, such as an organization, are stated again). */
export class Graph {
  readonly quads: Quad[] = []
  private readonly seen = new Set<string>()
  add(s: Quad_Subject, p: NamedNode, o: Quad_Object): void {
    const obj = o.termType === 'Literal' ? `"${o.value}"^^${o.datatype.value}@${o.language}` : `${o.termType}:${o.value}`
    const key = `${s.termType}:${s.value} ${p.value} ${obj}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.quads.push(quad(s, p, o))
  }
  text(s: Quad_Subject, p: NamedNode, v: unknown): void {
    if (typeof v === 'string' && v.trim() !== '') this.add(s, p, literal(v))
  }
}

/**
 * An IRI from stored text: characters that may not appear in an IRI (space, quotes, angle
 * brackets…) are percent-encoded, as ckanext-dcat does, so every serialiser can write it.
 */
export function iri(value: string): NamedNode {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what an IRI may not hold
  return namedNode(value.trim().replace(/[\u0000-\u0020"<>{}|\\^`]/g, (c) => encodeURIComponent(c)))
}

function extraValue(dict: PackageDict, key: string): string | undefined {
  const v = dictValue(dict, key)
  return v === undefined || v === 'None' ? undefined : v
}

/** A stored `uri` is used only when absolute (http:, urn:…): anything else would resolve against the reader's base. */
function absolute(v: unknown): string | undefined {
  return typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\S/i.test(v.trim()) ? v.trim() : undefined
}

/** ckanext-dcat's dataset_uri: the stored `uri` (kept from a harvest), else the dataset's page. */
export function datasetUri(dict: PackageDict, site: Site): string {
  return absolute(extraValue(dict, 'uri')) ?? `${site.url}/dataset/${dict.id as string}`
}

export function resourceUri(res: ResourceDict, packageId: string, site: Site): string {
  return absolute(res.uri) ?? `${site.url}/dataset/${packageId}/resource/${res.id as string}`
}

export interface DatasetLicense {
  /** the register's url, or the id/url itself when it is an IRI */
  iri?: string
  title?: string
}

/**
 * The licence of a dataset as harvesters match it back to a license_id (ckanext-dcat `_license`):
 * by the register's url, else by its title, so register licences without a url still round-trip.
 */
export function datasetLicense(dict: PackageDict): DatasetLicense | undefined {
  const id = typeof dict.license_id === 'string' ? dict.license_id : ''
  const known = findLicense(id)
  if (known) return known.url ? { iri: known.url, title: known.title } : { title: known.title }
  if (isHttpIri(id)) return { iri: id }
  const url = typeof dict.license_url === 'string' ? dict.license_url : ''
  return isHttpIri(url) ? { iri: url } : undefined
}

/** The licence's IRI, when it has one (schema.org and data.json want a URL). */
export function licenseIri(dict: PackageDict): string | undefined {
  return datasetLicense(dict)?.iri
}

/** DCAT-AP 3 triples of one dataset and its distributions (ckanext-dcat euro_dcat_ap_3, dcat.md §2, §5). */
export function addDataset(g: Graph, dict: PackageDict, site: Site): NamedNode {
  const ds = iri(datasetUri(dict, site))
  const title = String(dict.title ?? dict.name ?? '')
  g.add(ds, RDF.type, DCAT.Dataset)
  g.text(ds, DCT.title, title)
  // dct:description is mandatory in DCAT-AP: a dataset without notes is described by its title
  g.text(ds, DCT.description, typeof dict.notes === 'string' && dict.notes.trim() !== '' ? dict.notes : title)
  for (const tag of (dict.tags as { name: string }[] | undefined) ?? []) g.text(ds, DCAT.keyword, tag.name)
  const landing = typeof dict.url === 'string' && isHttpIri(dict.url) ? iri(dict.url) : undefined
  if (landing) {
    g.add(ds, DCAT.landingPage, landing)
    g.add(landing, RDF.type, FOAF.Document)
  }
  // always a literal (the shapes require one), even when it looks like a URL
  g.text(ds, DCT.identifier, firstValue(dict, 'identifier', 'guid', 'id'))
  const issued = firstValue(dict, 'issued', 'metadata_created')
  if (issued) g.add(ds, DCT.issued, dateLiteral(issued))
  const modified = firstValue(dict, 'modified', 'metadata_modified')
  if (modified) g.add(ds, DCT.modified, dateLiteral(modified))
  g.text(ds, DCAT.version, firstValue(dict, 'version'))
  addPublisher(g, ds, dict, site)
  addContactPoint(g, ds, dict)
  for (const v of listValue(dict, 'theme')) {
    const t = themeIri(v)
    if (!t) continue
    const node = iri(t)
    g.add(ds, DCAT.theme, node)
    g.add(node, RDF.type, SKOS.Concept)
    g.text(node, SKOS.prefLabel, themeLabel(t) ?? v)
  }
  for (const v of listValue(dict, 'language')) {
    const l = languageIri(v)
    if (!l) continue
    g.add(ds, DCT.language, iri(l))
    g.add(iri(l), RDF.type, DCT.LinguisticSystem)
  }
  const frequency = dictValue(dict, 'frequency')
  const freq = frequency ? frequencyIri(frequency) : undefined
  if (freq) {
    g.add(ds, DCT.accrualPeriodicity, iri(freq))
    g.add(iri(freq), RDF.type, DCT.Frequency)
  }
  addSpatial(g, ds, dict)
  addTemporal(g, ds, dict)
  const license = datasetLicense(dict)
  // one licence node shared by the dataset's distributions (a blank node when it has no url)
  const licenseNode = license ? addLicense(g, license) : undefined
  for (const res of (dict.resources as ResourceDict[] | undefined) ?? []) {
    g.add(ds, DCAT.distribution, addDistribution(g, res, dict, site, licenseNode))
  }
  return ds
}

function addPublisher(g: Graph, ds: NamedNode, dict: PackageDict, site: Site): void {
  const name = extraValue(dict, 'publisher_name')
  const uri = extraValue(dict, 'publisher_uri')
  const org = dict.organization as { id: string; title?: string; name?: string } | null | undefined
  let node: NamedNode | BlankNode
  if (name || uri) {
    node = uri && isHttpIri(uri) ? iri(uri) : blankNode()
    g.text(node, FOAF.name, name || org?.title || org?.name)
    const email = extraValue(dict, 'publisher_email')
    if (email) g.add(node, FOAF.mbox, iri(email.startsWith('mailto:') ? email : `mailto:${email}`))
    const url = extraValue(dict, 'publisher_url')
    if (url && isHttpIri(url)) g.add(node, FOAF.homepage, iri(url))
  } else if (org) {
    node = iri(`${site.url}/organization/${org.id}`)
    g.text(node, FOAF.name, org.title || org.name)
  } else {
    return
  }
  g.add(ds, DCT.publisher, node)
  g.add(node, RDF.type, FOAF.Agent)
}

function addContactPoint(g: Graph, ds: NamedNode, dict: PackageDict): void {
  const uri = extraValue(dict, 'contact_uri')
  const name = firstValue(dict, 'contact_name', 'maintainer', 'author')
  const email = firstValue(dict, 'contact_email', 'maintainer_email', 'author_email')
  if (!uri && !name && !email) return
  const node = uri && isHttpIri(uri) ? iri(uri) : blankNode()
  g.add(ds, DCAT.contactPoint, node)
  // vcard:Kind is the class the shapes check; Organization is what ckanext-dcat writes
  g.add(node, RDF.type, VCARD.Kind)
  g.add(node, RDF.type, VCARD.Organization)
  g.text(node, VCARD.fn, name)
  if (email) g.add(node, VCARD.hasEmail, iri(email.startsWith('mailto:') ? email : `mailto:${email}`))
}

function addSpatial(g: Graph, ds: NamedNode, dict: PackageDict): void {
  const uri = extraValue(dict, 'spatial_uri')
  const text = extraValue(dict, 'spatial_text')
  const geometry = extraValue(dict, 'spatial')
  const wkt = geometry ? geoJsonToWkt(geometry) : undefined
  // a URI alone is still a location (ckanext-dcat drops it: dcat.md §2.4 gotcha)
  if (!uri && !text && !wkt) return
  const node = uri && isHttpIri(uri) ? iri(uri) : blankNode()
  g.add(ds, DCT.spatial, node)
  g.add(node, RDF.type, DCT.Location)
  g.text(node, SKOS.prefLabel, text)
  if (!wkt || !geometry) return
  // DCAT-AP 3 wants a locn:Geometry node here; the bbox literal is what ckanext-dcat's parser reads
  const shape = blankNode()
  g.add(node, LOCN.geometry, shape)
  g.add(shape, RDF.type, LOCN.Geometry)
  g.add(shape, GSP.asWKT, literal(wkt, GSP.wktLiteral))
  const bbox = geoJsonBbox(geometry)
  if (bbox) g.add(node, DCAT.bbox, literal(bbox, GSP.wktLiteral))
}

function addTemporal(g: Graph, ds: NamedNode, dict: PackageDict): void {
  const start = extraValue(dict, 'temporal_start')
  const end = extraValue(dict, 'temporal_end')
  if (!start && !end) return
  const node = blankNode()
  g.add(ds, DCT.temporal, node)
  g.add(node, RDF.type, DCT.PeriodOfTime)
  if (start) g.add(node, DCAT.startDate, dateLiteral(start))
  if (end) g.add(node, DCAT.endDate, dateLiteral(end))
}

/** spdx algorithm of a stored hash: `algo:hex`, the resource's hash_algorithm, or the digest length. */
function checksum(res: ResourceDict): { algorithm: string; value: string } | undefined {
  const raw = typeof res.hash === 'string' ? res.hash.trim() : ''
  if (!raw) return undefined
  const m = /^(?:([a-z0-9-]+):)?([0-9a-fA-F]+)$/.exec(raw)
  if (!m) return undefined
  const value = m[2].toLowerCase()
  const declared = (m[1] ?? (typeof res.hash_algorithm === 'string' ? res.hash_algorithm : '')).toLowerCase().replace(/[^a-z0-9]/g, '')
  const byLength: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' }
  const algorithm = declared || byLength[value.length]
  return algorithm ? { algorithm, value } : undefined
}

function addLicense(g: Graph, license: DatasetLicense): NamedNode | BlankNode {
  const node = license.iri ? iri(license.iri) : blankNode()
  g.add(node, RDF.type, DCT.LicenseDocument)
  g.text(node, DCT.title, license.title)
  return node
}

function addDistribution(g: Graph, res: ResourceDict, dict: PackageDict, site: Site, license: NamedNode | BlankNode | undefined): NamedNode {
  const dist = iri(resourceUri(res, dict.id as string, site))
  g.add(dist, RDF.type, DCAT.Distribution)
  g.text(dist, DCT.title, res.name)
  g.text(dist, DCT.description, res.description)
  const url = typeof res.url === 'string' ? res.url.trim() : ''
  const accessUrl = typeof res.access_url === 'string' && isHttpIri(res.access_url) ? res.access_url : url
  // dcat:accessURL is mandatory: a resource without a url is reached through its page
  g.add(dist, DCAT.accessURL, iri(accessUrl || `${site.url}/dataset/${dict.id as string}/resource/${res.id as string}`))
  const download = typeof res.download_url === 'string' && isHttpIri(res.download_url) ? res.download_url : res.url_type === 'upload' && url ? url : undefined
  if (download) g.add(dist, DCAT.downloadURL, iri(download))

  const format = typeof res.format === 'string' ? res.format.trim() : ''
  if (format) {
    const ft = fileTypeIri(format)
    if (ft) {
      g.add(dist, DCT.format, iri(ft))
      g.add(iri(ft), RDF.type, DCT.MediaTypeOrExtent)
    } else {
      // no authority IRI: the literal every DCAT harvester reads (DCAT-AP 3 range checks flag it)
      g.add(dist, DCT.format, literal(format))
    }
  }
  const mime = typeof res.mimetype === 'string' && res.mimetype ? mediaTypeIri(res.mimetype) : undefined
  if (mime) {
    g.add(dist, DCAT.mediaType, iri(mime))
    g.add(iri(mime), RDF.type, DCT.MediaType)
  }
  if (typeof res.size === 'number' && Number.isInteger(res.size) && res.size >= 0) {
    g.add(dist, DCAT.byteSize, literal(String(res.size), XSD.nonNegativeInteger))
  }
  const sum = checksum(res)
  if (sum) {
    const node = blankNode()
    g.add(dist, SPDX.checksum, node)
    g.add(node, RDF.type, SPDX.Checksum)
    g.add(node, SPDX.checksumValue, literal(sum.value, XSD.hexBinary))
    const algo = iri(`http://spdx.org/rdf/terms#checksumAlgorithm_${sum.algorithm}`)
    g.add(node, SPDX.algorithm, algo)
    g.add(algo, RDF.type, SPDX.ChecksumAlgorithm)
  }
  const own = typeof res.license === 'string' && isHttpIri(res.license) ? addLicense(g, { iri: res.license }) : license
  if (own) g.add(dist, DCT.license, own)
  const issued = typeof res.issued === 'string' && res.issued ? res.issued : res.created
  if (typeof issued === 'string' && issued) g.add(dist, DCT.issued, dateLiteral(issued))
  const modified = [res.modified, res.last_modified, res.metadata_modified].find((v) => typeof v === 'string' && v !== '')
  if (typeof modified === 'string') g.add(dist, DCT.modified, dateLiteral(modified))
  return dist
}

/** The catalog node (dcat.md §2.3 plus the publisher and description DCAT-AP requires). */
export function addCatalog(g: Graph, site: Site, datasets: NamedNode[], modified: string | undefined): NamedNode {
  const cat = iri(site.url)
  g.add(cat, RDF.type, DCAT.Catalog)
  g.text(cat, DCT.title, site.title)
  g.text(cat, DCT.description, site.description.trim() !== '' ? site.description : site.title)
  const publisher = iri(`${site.url}/#publisher`)
  g.add(cat, DCT.publisher, publisher)
  g.add(publisher, RDF.type, FOAF.Agent)
  g.text(publisher, FOAF.name, site.title)
  g.add(cat, FOAF.homepage, iri(`${site.url}/`))
  g.add(iri(`${site.url}/`), RDF.type, FOAF.Document)
  if (modified) g.add(cat, DCT.modified, dateLiteral(modified))
  for (const ds of datasets) g.add(cat, DCAT.dataset, ds)
  return cat
}
