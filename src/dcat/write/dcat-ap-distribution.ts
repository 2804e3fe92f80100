/**
 * One CKAN resource as a dcat:Distribution (ckanext-dcat euro_dcat_ap_base + euro_dcat_ap_2,
 * dcat.md §2.5), every value in the node form the DCAT-AP 2.1.1 and 3 shapes accept.
 */
import n3 from 'n3'
import type { BlankNode, NamedNode, Quad_Subject } from 'n3'
import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { DCAT, DCATAP, DCT, ADMS, FOAF, RDF, SKOS, SPDX, XSD } from '../namespaces.js'
import { addAgent, addContact, type AgentFields, type ContactFields } from './agents.js'
import { iri, resourceUri, type DatasetLicense, type Graph, type Site } from './graph.js'
import { addLanguage, classNode } from './nodes.js'
import type { DcatApFlavour } from './profiles.js'
import { dateLiteral, isHttpIri, listValue } from './values.js'
import { fileTypeIri, mediaTypeIri } from './vocabularies.js'

const { literal, blankNode, namedNode } = n3.DataFactory

export const ELI_LEGAL_RESOURCE = namedNode('http://data.europa.eu/eli/ontology#LegalResource')
const SPDX_ALGORITHM = 'http://spdx.org/rdf/terms#checksumAlgorithm_'

type Dict = Record<string, unknown>

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : ''
}

/** A resource's list field: a real list, JSON text (what the harvester stores) or comma-separated text. */
function list(res: Dict, key: string): string[] {
  return listValue(res as PackageDict, key)
}

export function addLicense(g: Graph, license: DatasetLicense): NamedNode | BlankNode {
  const node = license.iri ? iri(license.iri) : blankNode()
  g.add(node, RDF.type, DCT.LicenseDocument)
  g.text(node, DCT.title, license.title)
  return node
}

/** A media type (text/csv or an IANA IRI) as a dct:MediaType. */
function addMediaType(g: Graph, s: Quad_Subject, p: NamedNode, value: string): void {
  classNode(g, s, p, mediaTypeIri(value) ?? value, DCT.MediaType)
}

/** spdx algorithm of a stored hash: the stored IRI as is, else `algo:hex`, hash_algorithm or the digest length named in SPDX's terms. */
function checksum(res: ResourceDict): { algorithm: string; value: string } | undefined {
  const raw = text(res.hash)
  const m = /^(?:([a-z0-9-]+):)?([0-9a-fA-F]+)$/.exec(raw)
  if (!m) return undefined
  const value = m[2].toLowerCase()
  const stored = text(res.hash_algorithm)
  if (isHttpIri(stored)) return { algorithm: stored, value }
  const declared = (m[1] ?? stored).toLowerCase().replace(/[^a-z0-9]/g, '')
  const byLength: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' }
  const name = declared || byLength[value.length]
  return name ? { algorithm: `${SPDX_ALGORITHM}${name}`, value } : undefined
}

function addFormat(g: Graph, dist: NamedNode, res: ResourceDict): void {
  const format = text(res.format)
  const mimetype = text(res.mimetype)
  // ckanext-dcat: a format that is a media type (and no other mimetype) is the dcat:mediaType
  const formatIsMediaType = format !== '' && (!mimetype || mimetype === format) && (format.includes('iana.org/assignments/media-types') || (!/^https?:/i.test(format) && format.includes('/')))
  const media = formatIsMediaType ? format : mimetype
  const mediaIri = media ? mediaTypeIri(media) : undefined
  if (mediaIri) classNode(g, dist, DCAT.mediaType, mediaIri, DCT.MediaType)
  if (!format || formatIsMediaType) return
  // no EU file-type IRI (PHP, DTA…): a blank dct:MediaTypeOrExtent labelled with the format, which the shapes accept
  classNode(g, dist, DCT.format, fileTypeIri(format) ?? format, DCT.MediaTypeOrExtent)
}

function addChecksum(g: Graph, dist: NamedNode, res: ResourceDict, flavour: DcatApFlavour): void {
  const sum = checksum(res)
  if (!sum) return
  // DCAT-AP 2.1.1 admits SHA-1 only (its shapes fix spdx:algorithm); other digests need DCAT-AP 3
  if (flavour.version === 2 && sum.algorithm !== `${SPDX_ALGORITHM}sha1`) return
  const node = blankNode()
  g.add(dist, SPDX.checksum, node)
  g.add(node, RDF.type, SPDX.Checksum)
  g.add(node, SPDX.checksumValue, literal(sum.value, XSD.hexBinary))
  const algo = iri(sum.algorithm)
  g.add(node, SPDX.algorithm, algo)
  g.add(algo, RDF.type, SPDX.ChecksumAlgorithm)
}

/** dcat:spatialResolutionInMeters as xsd:decimal, one per stored number. */
export function addResolutionInMeters(g: Graph, s: Quad_Subject, values: string[]): void {
  for (const v of values) {
    const n = Number(v)
    if (v.trim() !== '' && Number.isFinite(n)) g.add(s, DCAT.spatialResolutionInMeters, literal(String(n), XSD.decimal))
  }
}

export function addTemporalResolution(g: Graph, s: Quad_Subject, value: string): void {
  if (value) g.add(s, DCAT.temporalResolution, literal(value, XSD.duration))
}

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(text).filter(Boolean)
  const t = text(v)
  return t ? [t] : []
}

function asDicts<T>(v: unknown): T[] {
  if (Array.isArray(v)) return v.filter((x): x is T => typeof x === 'object' && x !== null)
  return typeof v === 'object' && v !== null ? [v as T] : []
}

/** The resource's access_services (a JSON list of dicts, as the harvester stores it) as dcat:DataService nodes. */
function addAccessServices(g: Graph, dist: NamedNode, res: ResourceDict): void {
  let services: unknown = res.access_services
  if (typeof services === 'string') {
    try {
      services = JSON.parse(services)
    } catch {
      return
    }
  }
  if (!Array.isArray(services)) return
  for (const svc of services as Dict[]) {
    if (typeof svc !== 'object' || svc === null) continue
    const uri = text(svc.uri)
    const node = isHttpIri(uri) ? iri(uri) : blankNode()
    g.add(dist, DCAT.accessService, node)
    g.add(node, RDF.type, DCAT.DataService)
    g.text(node, DCT.title, text(svc.title))
    g.text(node, DCT.description, text(svc.description))
    for (const v of asList(svc.endpoint_url)) classNode(g, node, DCAT.endpointURL, v)
    for (const v of asList(svc.endpoint_description)) classNode(g, node, DCAT.endpointDescription, v)
    for (const v of asList(svc.serves_dataset)) classNode(g, node, DCAT.servesDataset, v)
    if (text(svc.availability)) classNode(g, node, DCATAP.availability, text(svc.availability), SKOS.Concept)
    if (text(svc.license)) classNode(g, node, DCT.license, text(svc.license), DCT.LicenseDocument)
    if (text(svc.access_rights)) classNode(g, node, DCT.accessRights, text(svc.access_rights), DCT.RightsStatement)
    if (text(svc.identifier)) g.add(node, DCT.identifier, literal(text(svc.identifier)))
    if (text(svc.modified)) g.add(node, DCT.modified, dateLiteral(text(svc.modified)))
    for (const v of asList(svc.conforms_to)) classNode(g, node, DCT.conformsTo, v, DCT.Standard)
    for (const v of asList(svc.format)) classNode(g, node, DCT.format, fileTypeIri(v) ?? v, DCT.MediaTypeOrExtent)
    for (const v of asList(svc.language)) addLanguage(g, node, v)
    for (const v of asList(svc.rights)) classNode(g, node, DCT.rights, v, DCT.RightsStatement)
    for (const v of asList(svc.landing_page)) classNode(g, node, DCAT.landingPage, v, FOAF.Document)
    for (const v of asList(svc.keyword)) g.text(node, DCAT.keyword, v)
    for (const v of asList(svc.applicable_legislation)) classNode(g, node, DCATAP.applicableLegislation, v, ELI_LEGAL_RESOURCE)
    for (const v of asList(svc.theme)) classNode(g, node, DCAT.theme, v, SKOS.Concept)
    for (const c of asDicts<ContactFields>(svc.contact)) addContact(g, node, c)
    const [publisher] = asDicts<AgentFields>(svc.publisher)
    if (publisher) addAgent(g, node, DCT.publisher, publisher)
    for (const a of asDicts<AgentFields>(svc.creator)) addAgent(g, node, DCT.creator, a)
  }
}

export function addDistribution(g: Graph, res: ResourceDict, dict: PackageDict, site: Site, license: NamedNode | BlankNode | undefined, flavour: DcatApFlavour): NamedNode {
  const dist = iri(resourceUri(res, dict.id as string, site))
  g.add(dist, RDF.type, DCAT.Distribution)
  g.text(dist, DCT.title, res.name)
  g.text(dist, DCT.description, res.description)
  const url = text(res.url)
  const accessUrl = isHttpIri(text(res.access_url)) ? text(res.access_url) : url
  // dcat:accessURL is mandatory: a resource without a url is reached through its page
  g.add(dist, DCAT.accessURL, iri(accessUrl || `${site.url}/dataset/${dict.id as string}/resource/${res.id as string}`))
  const download = isHttpIri(text(res.download_url)) ? text(res.download_url) : res.url_type === 'upload' && url ? url : undefined
  if (download) g.add(dist, DCAT.downloadURL, iri(download))

  addFormat(g, dist, res)
  if (text(res.compress_format)) addMediaType(g, dist, DCAT.compressFormat, text(res.compress_format))
  if (text(res.package_format)) addMediaType(g, dist, DCAT.packageFormat, text(res.package_format))
  const size = typeof res.size === 'number' ? res.size : /^\s*\d+\s*$/.test(text(res.size)) ? Number(text(res.size)) : NaN
  if (Number.isInteger(size) && size >= 0) g.add(dist, DCAT.byteSize, literal(String(size), flavour.version === 3 ? XSD.nonNegativeInteger : XSD.decimal))
  addChecksum(g, dist, res, flavour)

  const ownLicense = text(res.license)
  const own = ownLicense ? addLicense(g, isHttpIri(ownLicense) ? { iri: ownLicense } : { title: ownLicense }) : license
  if (own) g.add(dist, DCT.license, own)
  if (text(res.rights)) classNode(g, dist, DCT.rights, text(res.rights), DCT.RightsStatement)
  if (text(res.status)) classNode(g, dist, ADMS.status, text(res.status), SKOS.Concept)
  if (text(res.availability)) classNode(g, dist, DCATAP.availability, text(res.availability), SKOS.Concept)
  for (const v of list(res, 'language')) addLanguage(g, dist, v)
  for (const v of list(res, 'documentation')) classNode(g, dist, FOAF.page, v, FOAF.Document)
  for (const v of list(res, 'conforms_to')) classNode(g, dist, DCT.conformsTo, v, DCT.Standard)
  for (const v of list(res, 'applicable_legislation')) classNode(g, dist, DCATAP.applicableLegislation, v, ELI_LEGAL_RESOURCE)
  addTemporalResolution(g, dist, text(res.temporal_resolution))
  addResolutionInMeters(g, dist, list(res, 'spatial_resolution_in_meters'))
  addAccessServices(g, dist, res)

  const issued = text(res.issued) || text(res.created)
  if (issued) g.add(dist, DCT.issued, dateLiteral(issued))
  const modified = [res.modified, res.last_modified, res.metadata_modified].map(text).find((v) => v !== '')
  if (modified) g.add(dist, DCT.modified, dateLiteral(modified))
  return dist
}
