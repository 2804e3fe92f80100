import n3 from 'n3'
import type { NamedNode } from 'n3'
import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { RDF, SCHEMA, XSD } from '../namespaces.js'
import { Graph, datasetUri, iri, licenseIri, resourceUri, type Site } from './graph.js'
import { dateLiteral, dictValue, firstValue, isHttpIri, listValue } from './values.js'

const { literal, blankNode } = n3.DataFactory

/** The `schemaorg` profile (ckanext/dcat/profiles/schemaorg.py, dcat.md §1.7): a schema:Dataset. */
export function addSchemaDataset(g: Graph, dict: PackageDict, site: Site): NamedNode {
  const ds = iri(datasetUri(dict, site))
  g.add(ds, RDF.type, SCHEMA.Dataset)
  g.text(ds, SCHEMA.identifier, firstValue(dict, 'identifier', 'guid', 'id'))
  g.text(ds, SCHEMA.name, dict.title)
  g.text(ds, SCHEMA.description, dict.notes)
  g.text(ds, SCHEMA.version, firstValue(dict, 'version'))
  const published = firstValue(dict, 'issued', 'metadata_created')
  if (published) g.add(ds, SCHEMA.datePublished, dateLiteral(published))
  const modified = firstValue(dict, 'modified', 'metadata_modified')
  if (modified) g.add(ds, SCHEMA.dateModified, dateLiteral(modified))
  const license = licenseIri(dict)
  if (license) g.add(ds, SCHEMA.license, iri(license))
  else g.text(ds, SCHEMA.license, dict.license_title)
  g.add(ds, SCHEMA.url, iri(`${site.url}/dataset/${(dict.name ?? dict.id) as string}`))
  for (const tag of (dict.tags as { name: string }[] | undefined) ?? []) g.text(ds, SCHEMA.keywords, tag.name)
  for (const lang of listValue(dict, 'language')) g.text(ds, SCHEMA.inLanguage, lang)
  for (const group of (dict.groups as { name: string; title?: string }[] | undefined) ?? []) {
    const thing = blankNode()
    g.add(ds, SCHEMA.about, thing)
    g.add(thing, RDF.type, SCHEMA.Thing)
    g.text(thing, SCHEMA.name, group.title || group.name)
    g.add(thing, SCHEMA.url, iri(`${site.url}/group/${group.name}`))
  }
  const catalog = blankNode()
  g.add(ds, SCHEMA.includedInDataCatalog, catalog)
  g.add(catalog, RDF.type, SCHEMA.DataCatalog)
  g.text(catalog, SCHEMA.name, site.title)
  g.text(catalog, SCHEMA.description, site.description)
  g.add(catalog, SCHEMA.url, iri(site.url))
  addOrganization(g, ds, dict, site)
  const start = dictValue(dict, 'temporal_start')
  const end = dictValue(dict, 'temporal_end')
  if (start || end) g.text(ds, SCHEMA.temporalCoverage, end ? `${start ?? '..'}/${end}` : start)
  addPlace(g, ds, dict)
  for (const res of (dict.resources as ResourceDict[] | undefined) ?? []) {
    const dist = iri(resourceUri(res, dict.id as string, site))
    g.add(ds, SCHEMA.distribution, dist)
    g.add(dist, RDF.type, SCHEMA.DataDownload)
    g.text(dist, SCHEMA.name, res.name)
    g.text(dist, SCHEMA.description, res.description)
    if (license) g.add(dist, SCHEMA.license, iri(license))
    if (typeof res.created === 'string' && res.created) g.add(dist, SCHEMA.datePublished, dateLiteral(res.created))
    const resModified = [res.last_modified, res.metadata_modified].find((v) => typeof v === 'string' && v !== '')
    if (typeof resModified === 'string') g.add(dist, SCHEMA.dateModified, dateLiteral(resModified))
    g.text(dist, SCHEMA.encodingFormat, (typeof res.format === 'string' && res.format) || res.mimetype)
    const url = typeof res.url === 'string' && isHttpIri(res.url) ? iri(res.url) : undefined
    if (url) {
      g.add(dist, SCHEMA.url, url)
      // Google reads contentUrl: an upload's url is the file itself
      if (res.url_type === 'upload') g.add(dist, SCHEMA.contentUrl, url)
    }
    if (typeof res.size === 'number') g.add(dist, SCHEMA.contentSize, literal(String(res.size), XSD.integer))
  }
  return ds
}

function addOrganization(g: Graph, ds: NamedNode, dict: PackageDict, site: Site): void {
  const org = dict.organization as { id: string; title?: string; name?: string } | null | undefined
  const name = dictValue(dict, 'publisher_name') || org?.title || org?.name
  if (!name) return
  const uri = dictValue(dict, 'publisher_uri')
  const node = uri && isHttpIri(uri) ? iri(uri) : org ? iri(`${site.url}/organization/${org.id}`) : blankNode()
  g.add(ds, SCHEMA.publisher, node)
  g.add(node, RDF.type, SCHEMA.Organization)
  g.text(node, SCHEMA.name, name)
  const contactName = firstValue(dict, 'contact_name', 'maintainer', 'author')
  const email = firstValue(dict, 'contact_email', 'maintainer_email', 'author_email')
  if (contactName || email) {
    const contact = blankNode()
    g.add(node, SCHEMA.contactPoint, contact)
    g.add(contact, RDF.type, SCHEMA.ContactPoint)
    g.text(contact, SCHEMA.contactType, 'customer service')
    g.text(contact, SCHEMA.name, contactName)
    g.text(contact, SCHEMA.email, email)
  }
}

function addPlace(g: Graph, ds: NamedNode, dict: PackageDict): void {
  const text = dictValue(dict, 'spatial_text')
  const geometry = dictValue(dict, 'spatial')
  if (!text && !geometry) return
  const place = blankNode()
  g.add(ds, SCHEMA.spatialCoverage, place)
  g.add(place, RDF.type, SCHEMA.Place)
  g.text(place, SCHEMA.description, text)
  if (geometry) {
    const shape = blankNode()
    g.add(place, SCHEMA.geo, shape)
    g.add(shape, RDF.type, SCHEMA.GeoShape)
    g.text(shape, SCHEMA.polygon, geometry)
  }
}

/** The catalog under the schemaorg profile: a schema:DataCatalog listing its datasets. */
export function addSchemaCatalog(g: Graph, site: Site, datasets: NamedNode[]): void {
  const cat = iri(site.url)
  g.add(cat, RDF.type, SCHEMA.DataCatalog)
  g.text(cat, SCHEMA.name, site.title)
  g.text(cat, SCHEMA.description, site.description)
  g.add(cat, SCHEMA.url, iri(site.url))
  for (const ds of datasets) g.add(cat, SCHEMA.dataset, ds)
}
