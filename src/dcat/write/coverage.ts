/** dct:spatial and dct:temporal of a dataset (ckanext-dcat euro_dcat_ap_base + _2: Location, PeriodOfTime). */
import n3 from 'n3'
import type { NamedNode } from 'n3'
import type { PackageDict } from '../../model/package-dict.js'
import { DCAT, DCT, GSP, LOCN, RDF, SCHEMA, SKOS } from '../namespaces.js'
import { extraValue, iri, type Graph } from './graph.js'
import type { DcatApFlavour } from './profiles.js'
import { dateLiteral, geoJsonBbox, geoJsonToWkt, isHttpIri } from './values.js'

const { literal, blankNode } = n3.DataFactory

/** WKT of a stored geometry: GeoJSON (what the harvester keeps) converted, WKT kept as is. */
function wkt(value: string | undefined): string | undefined {
  if (!value) return undefined
  return geoJsonToWkt(value) ?? (/^\s*(POINT|LINESTRING|POLYGON|MULTI\w+|GEOMETRYCOLLECTION)\s*\(/i.test(value) ? value.trim() : undefined)
}

export function addSpatial(g: Graph, ds: NamedNode, dict: PackageDict, flavour: DcatApFlavour): void {
  const uri = extraValue(dict, 'spatial_uri')
  const text = extraValue(dict, 'spatial_text')
  const geometry = extraValue(dict, 'spatial')
  const shape = wkt(geometry)
  const bbox = wkt(extraValue(dict, 'spatial_bbox')) ?? (geometry ? geoJsonBbox(geometry) : undefined)
  const centroid = wkt(extraValue(dict, 'spatial_centroid'))
  // a URI alone is still a location (ckanext-dcat drops it: dcat.md §2.4 gotcha)
  if (!uri && !text && !shape && !bbox && !centroid) return
  const node = uri && isHttpIri(uri) ? iri(uri) : blankNode()
  g.add(ds, DCT.spatial, node)
  g.add(node, RDF.type, DCT.Location)
  g.text(node, SKOS.prefLabel, text)
  if (shape) {
    if (flavour.version === 3) {
      // DCAT-AP 3 ranges locn:geometry over locn:Geometry nodes; DCAT-AP 2 over literals
      const geom = blankNode()
      g.add(node, LOCN.geometry, geom)
      g.add(geom, RDF.type, LOCN.Geometry)
      g.add(geom, GSP.asWKT, literal(shape, GSP.wktLiteral))
    } else {
      g.add(node, LOCN.geometry, literal(shape, GSP.wktLiteral))
    }
  }
  if (bbox) g.add(node, DCAT.bbox, literal(bbox, GSP.wktLiteral))
  if (centroid) g.add(node, DCAT.centroid, literal(centroid, GSP.wktLiteral))
}

export function addTemporal(g: Graph, ds: NamedNode, dict: PackageDict, flavour: DcatApFlavour): void {
  const start = extraValue(dict, 'temporal_start')
  const end = extraValue(dict, 'temporal_end')
  if (!start && !end) return
  const node = blankNode()
  g.add(ds, DCT.temporal, node)
  g.add(node, RDF.type, DCT.PeriodOfTime)
  if (start) g.add(node, DCAT.startDate, dateLiteral(start))
  if (end) g.add(node, DCAT.endDate, dateLiteral(end))
  if (!flavour.schemaOrgPeriod) return
  if (start) g.add(node, SCHEMA.startDate, dateLiteral(start))
  if (end) g.add(node, SCHEMA.endDate, dateLiteral(end))
}
