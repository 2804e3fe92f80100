/**
 * Temporal and spatial coverage of a dataset (dct:temporal, dct:spatial) as ckanext-dcat reads
 * them (profiles/base.py `_time_interval`, `_spatial`): dates as written, geometries as GeoJSON
 * text (WKT converted, GeoJSON literals kept verbatim).
 */
import type { Term } from 'n3'
import { type Graph, NS } from './rdf-graph.js'
import { wktToGeoJson } from './wkt.js'
import { pyJsonDumps } from './pyjson.js'

const { dct, dcat, schema, time, locn, gsp, skos, rdfs } = NS

// GeoSPARQL's own GeoJSON literal type too: DCAT-AP 3 geometry nodes carry gsp:asGeoJSON with it
const GEOJSON_DATATYPES = new Set(['https://www.iana.org/assignments/media-types/application/vnd.geo+json', 'http://www.iana.org/assignments/media-types/application/vnd.geo+json', 'http://www.opengis.net/ont/geosparql#geoJSONLiteral'])
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string'

/** [start, end] of dct:temporal in DCAT-AP 2 order: dcat:startDate/endDate, OWL-Time, schema.org. */
export function temporal(g: Graph, ds: Term): [string, string] {
  const intervals = g.objects(ds, `${dct}temporal`)
  const inXsd = [`${time}inXSDDateTimeStamp`, `${time}inXSDDateTime`, `${time}inXSDDate`]
  const readers: ((i: Term) => [string, string])[] = [
    (i) => [g.value(i, `${dcat}startDate`), g.value(i, `${dcat}endDate`)],
    (i) => {
      const b = g.first(i, `${time}hasBeginning`)
      const e = g.first(i, `${time}hasEnd`)
      return [b ? g.valueOf(b, inXsd) : '', e ? g.valueOf(e, inXsd) : '']
    },
    (i) => [g.value(i, `${schema}startDate`), g.value(i, `${schema}endDate`)],
  ]
  for (const read of readers) {
    for (const interval of intervals) {
      const [start, end] = read(interval)
      if (start || end) return [start, end]
    }
  }
  return ['', '']
}

function geometry(g: Graph, node: Term, predicate: string): string {
  let out = ''
  for (const lit of g.objects(node, predicate)) {
    if (lit.termType !== 'Literal') {
      // DCAT-AP 3 ranges locn:geometry over locn:Geometry nodes carrying the literal
      out = out || geometry(g, lit, `${gsp}asGeoJSON`) || geometry(g, lit, `${gsp}asWKT`)
      continue
    }
    const dt = lit.datatype.value
    if (GEOJSON_DATATYPES.has(dt) || dt === XSD_STRING || lit.language !== '') {
      try {
        JSON.parse(lit.value)
        out = lit.value
      } catch {
        /* not GeoJSON; a later WKT literal may still do */
      }
    }
    if (!out && dt === `${gsp}wktLiteral`) {
      const geo = wktToGeoJson(lit.value)
      // geomet (ckanext-dcat's converter) yields floats: [67.0, 89.0]
      if (geo) out = pyJsonDumps(geo, true)
    }
  }
  return out
}

export interface Spatial {
  uri: string
  text: string
  geom: string
  bbox: string
  centroid: string
}

export function spatial(g: Graph, ds: Term): Spatial {
  const out: Spatial = { uri: '', text: '', geom: '', bbox: '', centroid: '' }
  for (const node of g.objects(ds, `${dct}spatial`)) {
    if (node.termType === 'NamedNode') out.uri = node.value
    if (node.termType === 'Literal') {
      out.text = node.value
      continue
    }
    // ckanext-dcat insists on rdf:type dct:Location; untyped location nodes are common, so any node with a geometry or label counts
    out.geom = geometry(g, node, `${locn}geometry`) || out.geom
    out.bbox = geometry(g, node, `${dcat}bbox`) || out.bbox
    out.centroid = geometry(g, node, `${dcat}centroid`) || out.centroid
    const label = g.value(node, `${skos}prefLabel`) || g.value(node, `${rdfs}label`)
    if (label) out.text = label
  }
  return out
}
