import type { NamedNode } from 'n3'
import { DCAT, DCT, FOAF, RDF } from '../namespaces.js'
import { iri, type Graph, type Site } from './graph.js'
import { addLanguage } from './nodes.js'
import { dateLiteral } from './values.js'

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
  // ckanext-dcat writes ckan.locale_default as text; DCAT-AP wants the authority IRI
  if (site.language) addLanguage(g, cat, site.language)
  if (modified) g.add(cat, DCT.modified, dateLiteral(modified))
  for (const ds of datasets) g.add(cat, DCAT.dataset, ds)
  return cat
}
