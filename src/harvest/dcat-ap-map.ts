/**
 * One dcat:Dataset node → a CKAN package dict, as ckanext-dcat's DCAT-AP 1/2/3 profiles parse it
 * without ckanext-scheming (profiles/euro_dcat_ap_base.py `_parse_dataset_base`,
 * euro_dcat_ap_2.py `_parse_dataset_v2`, euro_dcat_ap_3.py `_parse_dataset_v3`). Root fields are
 * CKAN's core ones; everything else is an extra whose value is a string, lists JSON-encoded.
 * Deliberate differences: format/media type IRIs are reduced to CKAN format names, the dataset's
 * own dct:license is a licence fallback, and the internal `distribution_ref` is not emitted.
 */
import type { Term } from 'n3'
import { cleanFormat } from '../model/formats.js'
import { licenseIdForTitle, licenseIdForUrl } from './license-match.js'
import { Graph, NS, PREFERRED_LANGUAGE } from './rdf-graph.js'
import { wktToGeoJson } from './wkt.js'
import { pyJsonDumps } from './pyjson.js'

const { dcat, dct, dcatap, adms, vcard, foaf, schema, time, locn, gsp, owl, spdx, skos, rdfs, rdf } = NS

type Extra = { key: string; value: string }
type Dict = Record<string, unknown>

const IANA_MEDIA_TYPE = /^https?:\/\/www\.iana\.org\/assignments\/media-types\/(.+)$/
const EU_FILE_TYPE = /^https?:\/\/publications\.europa\.eu\/resource\/authority\/file-type\/([^/#?]+)$/
const GEOJSON_DATATYPES = new Set([
  'https://www.iana.org/assignments/media-types/application/vnd.geo+json',
  'http://www.iana.org/assignments/media-types/application/vnd.geo+json',
])

function withoutMailto(s: string): string {
  return s.replace(/^mailto:/i, '')
}

/** Python's str(float): integral floats keep a ".0" (ckanext-dcat stores floats this way). */
function pyFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n)
}

export class DcatApMapper {
  constructor(private readonly g: Graph) {}

  /** dcat:keyword values, comma-separated ones split; other languages dropped when Spanish or untagged ones exist. */
  keywords(ds: Term): string[] {
    const literals = this.g.objects(ds, `${dcat}keyword`)
    const preferred = literals.filter(
      (t) => t.termType !== 'Literal' || t.language === '' || t.language.toLowerCase().split('-')[0] === PREFERRED_LANGUAGE,
    )
    const chosen = preferred.length > 0 ? preferred : literals
    const out: string[] = []
    for (const t of chosen) {
      for (const part of t.value.includes(',') ? t.value.split(',').map((s) => s.trim()) : [t.value]) {
        if (part && !out.includes(part)) out.push(part)
      }
    }
    return out
  }

  private vcardValue(node: Term, predicate: string, stringPredicate?: string): string {
    let v = stringPredicate ? this.g.value(node, stringPredicate) : ''
    if (!v) {
      const o = this.g.first(node, predicate)
      v = o && o.termType === 'BlankNode' ? this.g.value(o, `${vcard}hasValue`) : this.g.value(node, predicate)
    }
    return v
  }

  /** Every vcard contact of a node (base.py `_contact_details`), keys always present. */
  contacts(node: Term, predicate: string): Record<string, string>[] {
    return this.g.objects(node, predicate).map((c) => ({
      uri: c.termType === 'NamedNode' ? c.value : '',
      name: this.vcardValue(c, `${vcard}hasFN`, `${vcard}fn`),
      email: withoutMailto(this.vcardValue(c, `${vcard}hasEmail`)),
      identifier: this.vcardValue(c, `${vcard}hasUID`),
      url: this.vcardValue(c, `${vcard}hasURL`),
    }))
  }

  /** Every foaf agent of a node (base.py `_agents_details`), keys always present. */
  agents(node: Term, predicate: string): Record<string, string>[] {
    return this.g.objects(node, predicate).map((a) => ({
      uri: a.termType === 'NamedNode' ? a.value : '',
      name: this.g.value(a, `${foaf}name`),
      email: withoutMailto(this.g.value(a, `${foaf}mbox`) || this.g.value(a, `${vcard}hasEmail`)),
      url: this.g.value(a, `${foaf}homepage`),
      type: this.g.value(a, `${dct}type`),
      identifier: this.g.value(a, `${dct}identifier`),
    }))
  }

  /** dct:temporal start/end: DCAT-AP 2 order (dcat:, then OWL-Time, then schema.org). */
  temporal(ds: Term): [string, string] {
    const intervals = this.g.objects(ds, `${dct}temporal`)
    const readers: ((i: Term) => [string, string])[] = [
      (i) => [this.g.value(i, `${dcat}startDate`), this.g.value(i, `${dcat}endDate`)],
      (i) => {
        const inXsd = [`${time}inXSDDateTimeStamp`, `${time}inXSDDateTime`, `${time}inXSDDate`]
        const b = this.g.first(i, `${time}hasBeginning`)
        const e = this.g.first(i, `${time}hasEnd`)
        return [b ? this.g.valueOf(b, inXsd) : '', e ? this.g.valueOf(e, inXsd) : '']
      },
      (i) => [this.g.value(i, `${schema}startDate`), this.g.value(i, `${schema}endDate`)],
    ]
    for (const read of readers) {
      for (const interval of intervals) {
        const [start, end] = read(interval)
        if (start || end) return [start, end]
      }
    }
    return ['', '']
  }

  private geometry(node: Term, predicate: string): string {
    let out = ''
    for (const lit of this.g.objects(node, predicate)) {
      if (lit.termType !== 'Literal') continue
      const dt = lit.datatype.value
      if (GEOJSON_DATATYPES.has(dt) || lit.language !== '' || dt === 'http://www.w3.org/2001/XMLSchema#string') {
        try {
          JSON.parse(lit.value)
          out = lit.value
        } catch {
          /* not GeoJSON: maybe WKT below */
        }
      }
      if (!out && dt === `${gsp}wktLiteral`) {
        const geo = wktToGeoJson(lit.value)
        if (geo) out = pyJsonDumps(geo, true)
      }
    }
    return out
  }

  spatial(ds: Term): Record<string, string> {
    const out: Record<string, string> = { uri: '', text: '', geom: '', bbox: '', centroid: '' }
    for (const node of this.g.objects(ds, `${dct}spatial`)) {
      if (node.termType === 'NamedNode') out.uri = node.value
      if (node.termType === 'Literal') {
        out.text = node.value
        continue
      }
      // ckanext-dcat insists on rdf:type dct:Location; untyped location nodes are common, so any node with a geometry or label counts
      out.geom = this.geometry(node, `${locn}geometry`) || out.geom
      out.bbox = this.geometry(node, `${dcat}bbox`) || out.bbox
      out.centroid = this.geometry(node, `${dcat}centroid`) || out.centroid
      const label = this.g.value(node, `${skos}prefLabel`) || this.g.value(node, `${rdfs}label`)
      if (label) out.text = label
    }
    return out
  }

  accessRights(ds: Term): string {
    const o = this.g.first(ds, `${dct}accessRights`)
    if (!o) return ''
    if (o.termType === 'BlankNode') return this.g.value(o, `${rdfs}label`)
    return o.value
  }

  /** license_id: the first distribution licence found in the register (by IRI, then by title), else the dataset's own. */
  licenseId(ds: Term, distributions: Term[]): string {
    const lookup = (node: Term | undefined): string | undefined => {
      if (!node) return undefined
      const byUrl = node.termType === 'NamedNode' ? licenseIdForUrl(node.value) : undefined
      if (byUrl) return byUrl
      const title = node.termType === 'Literal' ? node.value : this.g.value(node, `${dct}title`)
      return title ? licenseIdForTitle(title) : undefined
    }
    for (const d of distributions) {
      const id = lookup(this.g.first(d, `${dct}license`))
      if (id) return id
    }
    return lookup(this.g.first(ds, `${dct}license`)) ?? ''
  }

  /** [mimetype, format] of a distribution (base.py `_distribution_format`, plus IRI reduction). */
  distributionFormat(d: Term): [string, string] {
    let imt = this.g.value(d, `${dcat}mediaType`)
    let label = ''
    const f = this.g.first(d, `${dct}format`)
    if (f?.termType === 'Literal') {
      if (!imt && f.value.includes('/') && !/^https?:/.test(f.value)) imt = f.value
      else label = f.value
    } else if (f) {
      if (this.g.hasType(f, `${dct}IMT`)) {
        if (!imt) imt = this.g.value(f, `${rdf}value`)
        label = this.g.value(f, `${rdfs}label`)
      } else if (IANA_MEDIA_TYPE.test(f.value)) {
        if (!imt) imt = f.value
      } else {
        label = f.value
      }
    }
    const iana = IANA_MEDIA_TYPE.exec(imt)
    if (iana) imt = iana[1]
    const eu = EU_FILE_TYPE.exec(label) ?? EU_FILE_TYPE.exec(imt)
    if (eu) {
      label = eu[1]
      if (EU_FILE_TYPE.test(imt)) imt = ''
    }
    if (imt && cleanFormat(imt) !== imt) label = cleanFormat(imt)
    else if (label) label = cleanFormat(label)
    return [imt, label]
  }

  resource(d: Term): Dict {
    const g = this.g
    const r: Dict = {}
    const simple: [string, string][] = [
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
    ]
    for (const [key, p] of simple) {
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
    const services = g.objects(d, `${dcat}accessService`).map((s) => this.accessService(s))
    if (services.length > 0) r.access_services = pyJsonDumps(services)
    const [mimetype, format] = this.distributionFormat(d)
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
    const resolution = this.floats(d, `${dcat}spatialResolutionInMeters`)
    if (resolution) r.spatial_resolution_in_meters = resolution
    r.uri = d.termType === 'NamedNode' ? d.value : ''
    return r
  }

  /** A dcat:DataService (euro_dcat_ap_2.py), minus the internal `access_service_ref`. */
  accessService(s: Term): Dict {
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
      const v = this.g.value(s, p)
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
      const vs = this.g.values(s, p)
      if (vs.length > 0) out[key] = vs
    }
    const contact = this.contacts(s, `${dcat}contactPoint`)
    if (contact.length > 0) out.contact = contact
    const publisher = this.agents(s, `${dct}publisher`)
    if (publisher.length > 0) out.publisher = publisher
    const creator = this.agents(s, `${dct}creator`)
    if (creator.length > 0) out.creator = creator
    out.uri = s.termType === 'NamedNode' ? s.value : ''
    return out
  }

  private floats(node: Term, predicate: string): string {
    const nums = this.g.objects(node, predicate).map((t) => Number.parseFloat(t.value)).filter(Number.isFinite)
    if (nums.length === 0) return ''
    return nums.length === 1 ? pyFloat(nums[0]) : pyJsonDumps(nums, true)
  }

  /** The package dict for one dataset node. */
  dataset(ds: Term): Dict {
    const g = this.g
    const dict: Dict = {}
    const extras: Extra[] = []
    const add = (key: string, value: string) => {
      if (value) extras.push({ key, value })
    }

    for (const [key, p] of [
      ['title', `${dct}title`],
      ['notes', `${dct}description`],
      ['url', `${dcat}landingPage`],
    ] as const) {
      const v = g.value(ds, p)
      if (v) dict[key] = v
    }
    // DCAT-AP 3's dcat:version wins over owl:versionInfo, which wins over DCAT-AP 1's adms:version
    const version = g.value(ds, `${dcat}version`) || g.value(ds, `${owl}versionInfo`) || g.value(ds, `${adms}version`)
    if (version) dict.version = version
    dict.tags = this.keywords(ds).map((name) => ({ name }))

    for (const [key, p] of [
      ['issued', `${dct}issued`],
      ['modified', `${dct}modified`],
      ['identifier', `${dct}identifier`],
      ['version_notes', `${adms}versionNotes`],
      ['frequency', `${dct}accrualPeriodicity`],
      ['provenance', `${dct}provenance`],
      ['dcat_type', `${dct}type`],
      ['temporal_resolution', `${dcat}temporalResolution`],
    ] as const) {
      add(key, g.value(ds, p))
    }
    for (const [key, p] of [
      ['language', `${dct}language`],
      ['theme', `${dcat}theme`],
      ['alternate_identifier', `${adms}identifier`],
      ['conforms_to', `${dct}conformsTo`],
      ['documentation', `${foaf}page`],
      ['related_resource', `${dct}relation`],
      ['has_version', `${dct}hasVersion`],
      ['is_version_of', `${dct}isVersionOf`],
      ['source', `${dct}source`],
      ['sample', `${adms}sample`],
      ['is_referenced_by', `${dct}isReferencedBy`],
      ['applicable_legislation', `${dcatap}applicableLegislation`],
      ['hvd_category', `${dcatap}hvdCategory`],
    ] as const) {
      const vs = g.values(ds, p)
      if (key === 'has_version') for (const v of g.values(ds, `${dcat}hasVersion`)) if (!vs.includes(v)) vs.push(v)
      if (vs.length > 0) add(key, pyJsonDumps(vs))
    }

    // DCAT-AP 1 used adms:contactPoint
    const [contact] = this.contacts(ds, `${dcat}contactPoint`).concat(this.contacts(ds, `${adms}contactPoint`))
    if (contact) for (const k of ['uri', 'name', 'email', 'identifier', 'url']) add(`contact_${k}`, contact[k])
    for (const [prefix, p] of [
      ['publisher', `${dct}publisher`],
      ['creator', `${dct}creator`],
    ] as const) {
      const [agent] = this.agents(ds, p)
      if (agent) for (const k of ['uri', 'name', 'email', 'url', 'type', 'identifier']) add(`${prefix}_${k}`, agent[k])
    }

    const [start, end] = this.temporal(ds)
    add('temporal_start', start)
    add('temporal_end', end)

    const spatial = this.spatial(ds)
    add('spatial_uri', spatial.uri)
    add('spatial_text', spatial.text)
    add('spatial', spatial.geom)
    add('spatial_bbox', spatial.bbox)
    add('spatial_centroid', spatial.centroid)
    add('spatial_resolution_in_meters', this.floats(ds, `${dcat}spatialResolutionInMeters`))

    // always present, "" for a blank node, as ckanext-dcat does: the guid rule relies on it
    extras.push({ key: 'uri', value: ds.termType === 'NamedNode' ? ds.value : '' })
    add('access_rights', this.accessRights(ds))
    add('homepage', g.value(ds, `${foaf}homepage`))

    const distributions = g.objects(ds, `${dcat}distribution`)
    dict.license_id = this.licenseId(ds, distributions)
    dict.resources = distributions.map((d) => this.resource(d))
    dict.extras = extras
    return dict
  }
}
