/**
 * One dcat:Distribution → a CKAN resource dict, as ckanext-dcat's DCAT-AP profiles parse it
 * (euro_dcat_ap_base.py, euro_dcat_ap_2.py). The internal `distribution_ref` and
 * `access_service_ref` are not emitted.
 */
import type { Term } from 'n3'
import { cleanFormat } from '../../model/formats.js'
import { type Graph, NS } from './rdf-graph.js'
import { agents, contacts } from './agents.js'
import { pyJsonDumps } from './pyjson.js'
import { literalText } from './literal-text.js'

const { dcat, dct, dcatap, adms, foaf, spdx, rdfs, rdf } = NS

type Dict = Record<string, unknown>

const IANA_MEDIA_TYPE = /^https?:\/\/www\.iana\.org\/assignments\/media-types\/(.+)$/
const EU_FILE_TYPE = /^https?:\/\/publications\.europa\.eu\/resource\/authority\/file-type\/([^/#?]+)$/

/** Numbers as ckanext-dcat stores them: Python's str(float) for one, a JSON list for several. */
export function floatsValue(g: Graph, node: Term, predicate: string): string {
  const nums = g
    .objects(node, predicate)
    .map((t) => Number.parseFloat(t.value))
    .filter(Number.isFinite)
  if (nums.length === 0) return ''
  if (nums.length > 1) return pyJsonDumps(nums, true)
  return Number.isInteger(nums[0]) ? `${nums[0]}.0` : String(nums[0])
}

/**
 * [mimetype, format] as base.py `_distribution_format` reads them. IANA media-type IRIs stay IRIs
 * in `mimetype`, as ckanext-dcat keeps them; EU file-type IRIs become CKAN format names, and a
 * dct:format IANA IRI names the format when CKAN knows its media type.
 */
export function distributionFormat(g: Graph, d: Term): [string, string] {
  let imt = g.value(d, `${dcat}mediaType`)
  let label = ''
  const f = g.first(d, `${dct}format`)
  if (f?.termType === 'Literal') {
    const text = literalText(f)
    if (!imt && text.includes('/') && !/^https?:/.test(text)) imt = text
    else label = text
  } else if (f && g.hasType(f, `${dct}IMT`)) {
    if (!imt) imt = g.value(f, `${rdf}value`)
    label = g.value(f, `${rdfs}label`)
  } else if (f) {
    const iana = f.termType === 'NamedNode' ? IANA_MEDIA_TYPE.exec(f.value) : null
    if (iana && !imt) {
      imt = f.value
      if (cleanFormat(iana[1]) !== iana[1]) label = cleanFormat(iana[1])
    } else {
      // a blank format node is named by its rdfs:label (DCAT-AP 3 for formats without an authority IRI)
      label = f.termType === 'BlankNode' ? g.termValue(f) : f.value
    }
  }
  const eu = EU_FILE_TYPE.exec(label) ?? EU_FILE_TYPE.exec(imt)
  if (eu) {
    label = eu[1]
    if (EU_FILE_TYPE.test(imt)) imt = ''
  }
  // a known media type names the format better than any label (normalize_ckan_format)
  if (imt && cleanFormat(imt) !== imt) label = cleanFormat(imt)
  else if (label) label = cleanFormat(label)
  return [imt, label]
}

/** A dcat:DataService (euro_dcat_ap_2.py access services). */
export function accessService(g: Graph, s: Term): Dict {
  const out: Dict = {}
  for (const [key, p] of [
    ['availability', `${dcatap}availability`],
    ['title', `${dct}title`],
    ['endpoint_description', `${dcat}endpointDescription`],
    ['license', `${dct}license`],
    ['access_rights', `${dct}accessRights`],
    ['description', `${dct}description`],
    ['identifier', `${dct}identifier`],
    ['modified', `${dct}modified`],
  ] as const) {
    const v = g.value(s, p)
    if (v) out[key] = v
  }
  for (const [key, p] of [
    ['endpoint_url', `${dcat}endpointURL`],
    ['serves_dataset', `${dcat}servesDataset`],
    ['conforms_to', `${dct}conformsTo`],
    ['format', `${dct}format`],
    ['language', `${dct}language`],
    ['rights', `${dct}rights`],
    ['landing_page', `${dcat}landingPage`],
    ['keyword', `${dcat}keyword`],
    ['applicable_legislation', `${dcatap}applicableLegislation`],
    ['theme', `${dcat}theme`],
  ] as const) {
    const vs = g.values(s, p)
    if (vs.length > 0) out[key] = vs
  }
  const contact = contacts(g, s, `${dcat}contactPoint`)
  if (contact.length > 0) out.contact = contact
  const publisher = agents(g, s, `${dct}publisher`)
  if (publisher.length > 0) out.publisher = publisher
  const creator = agents(g, s, `${dct}creator`)
  if (creator.length > 0) out.creator = creator
  out.uri = s.termType === 'NamedNode' ? s.value : ''
  return out
}

export function resource(g: Graph, d: Term): Dict {
  const r: Dict = {}
  for (const [key, p] of [
    ['access_url', `${dcat}accessURL`],
    ['download_url', `${dcat}downloadURL`],
    ['issued', `${dct}issued`],
    ['modified', `${dct}modified`],
    ['status', `${adms}status`],
    ['license', `${dct}license`],
    ['rights', `${dct}rights`],
    ['name', `${dct}title`],
    ['description', `${dct}description`],
    // DCAT-AP 2+
    ['availability', `${dcatap}availability`],
    ['compress_format', `${dcat}compressFormat`],
    ['package_format', `${dcat}packageFormat`],
    ['temporal_resolution', `${dcat}temporalResolution`],
  ] as const) {
    const v = g.value(d, p)
    if (v) r[key] = v
  }
  r.url = g.value(d, `${dcat}downloadURL`) || g.value(d, `${dcat}accessURL`)
  for (const [key, p] of [
    ['language', `${dct}language`],
    ['documentation', `${foaf}page`],
    ['conforms_to', `${dct}conformsTo`],
    ['applicable_legislation', `${dcatap}applicableLegislation`],
  ] as const) {
    const vs = g.values(d, p)
    if (vs.length > 0) r[key] = pyJsonDumps(vs)
  }
  const services = g.objects(d, `${dcat}accessService`).map((s) => accessService(g, s))
  if (services.length > 0) r.access_services = pyJsonDumps(services)
  const [mimetype, format] = distributionFormat(g, d)
  if (mimetype) r.mimetype = mimetype
  if (format || mimetype) r.format = format || mimetype
  const size = Number.parseFloat(g.value(d, `${dcat}byteSize`))
  if (Number.isFinite(size)) r.size = Math.trunc(size)
  for (const checksum of g.objects(d, `${spdx}checksum`)) {
    const algorithm = g.value(checksum, `${spdx}algorithm`)
    const value = g.value(checksum, `${spdx}checksumValue`)
    if (algorithm) r.hash_algorithm = algorithm
    if (value) r.hash = value
  }
  const resolution = floatsValue(g, d, `${dcat}spatialResolutionInMeters`)
  if (resolution) r.spatial_resolution_in_meters = resolution
  r.uri = d.termType === 'NamedNode' ? d.value : ''
  return r
}
