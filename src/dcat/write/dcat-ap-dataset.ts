/**
 * One CKAN dataset as a dcat:Dataset with its distributions, in the DCAT-AP 2 or 3 form
 * (ckanext-dcat euro_dcat_ap_base + euro_dcat_ap_2 + euro_dcat_ap_3, dcat.md §2.4): every property
 * those profiles write, under the same CKAN keys (root field, else extra, else `dcat_` extra).
 */
import n3 from 'n3'
import type { NamedNode } from 'n3'
import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { ADMS, DCAT, DCATAP, DCT, FOAF, OWL, RDF, SKOS } from '../namespaces.js'
import { addContactPoint, addCreator, addPublisher } from './agents.js'
import { addSpatial, addTemporal } from './coverage.js'
import { ELI_LEGAL_RESOURCE, addDistribution, addLicense, addResolutionInMeters, addTemporalResolution } from './dcat-ap-distribution.js'
import { datasetLicense, datasetUri, extraValue, iri, type Graph, type Site } from './graph.js'
import { addLanguage, classNode, iriOrLiteral } from './nodes.js'
import type { DcatApFlavour } from './profiles.js'
import { dateLiteral, dictValue, firstValue, isHttpIri, listValue } from './values.js'
import { frequencyIri, themeIri, themeLabel } from './vocabularies.js'

const { blankNode, literal } = n3.DataFactory

/** Links to other datasets or resources, by IRI when they are one (ckanext-dcat's list properties). */
function addLinks(g: Graph, ds: NamedNode, dict: PackageDict, flavour: DcatApFlavour): void {
  for (const v of listValue(dict, 'conforms_to')) classNode(g, ds, DCT.conformsTo, v, DCT.Standard)
  for (const v of listValue(dict, 'documentation')) classNode(g, ds, FOAF.page, v, FOAF.Document)
  for (const v of listValue(dict, 'related_resource')) classNode(g, ds, DCT.relation, v)
  for (const v of listValue(dict, 'is_referenced_by')) classNode(g, ds, DCT.isReferencedBy, v)
  for (const v of listValue(dict, 'applicable_legislation')) classNode(g, ds, DCATAP.applicableLegislation, v, ELI_LEGAL_RESOURCE)
  for (const v of listValue(dict, 'hvd_category')) iriOrLiteral(g, ds, DCATAP.hvdCategory, v)
  // other datasets are linked, not typed: a bare node typed dcat:Dataset would be harvested as a dataset of its own
  for (const v of listValue(dict, 'has_version')) {
    classNode(g, ds, DCT.hasVersion, v)
    if (flavour.version === 3) classNode(g, ds, DCAT.hasVersion, v)
  }
  for (const v of listValue(dict, 'is_version_of')) classNode(g, ds, DCT.isVersionOf, v)
  for (const v of listValue(dict, 'source')) classNode(g, ds, DCT.source, v)
  for (const v of listValue(dict, 'sample')) {
    const node = classNode(g, ds, ADMS.sample, v)
    // a sample is a distribution, reached at its own IRI (the shapes ask every distribution for an accessURL)
    if (node?.termType === 'NamedNode') {
      g.add(node, RDF.type, DCAT.Distribution)
      g.add(node, DCAT.accessURL, node)
    }
  }
  for (const v of listValue(dict, 'alternate_identifier')) {
    // DCAT-AP 3's form (ckanext-dcat's v2 writes the bare value, which the shapes refuse when it is text)
    const node = blankNode()
    g.add(ds, ADMS.identifier, node)
    g.add(node, RDF.type, ADMS.Identifier)
    g.add(node, SKOS.notation, literal(v))
  }
}

function addClassified(g: Graph, ds: NamedNode, dict: PackageDict): void {
  for (const v of listValue(dict, 'theme')) {
    const t = themeIri(v)
    classNode(g, ds, DCAT.theme, t ?? v, SKOS.Concept, t ? themeLabel(t) : undefined)
  }
  for (const v of listValue(dict, 'language')) addLanguage(g, ds, v)
  const frequency = dictValue(dict, 'frequency')
  if (frequency) classNode(g, ds, DCT.accrualPeriodicity, frequencyIri(frequency) ?? frequency, DCT.Frequency)
  const type = extraValue(dict, 'dcat_type')
  if (type) classNode(g, ds, DCT.type, type, SKOS.Concept)
  const accessRights = extraValue(dict, 'access_rights')
  if (accessRights) classNode(g, ds, DCT.accessRights, accessRights, DCT.RightsStatement)
  const provenance = extraValue(dict, 'provenance')
  if (provenance) classNode(g, ds, DCT.provenance, provenance, DCT.ProvenanceStatement)
}

export function addDataset(g: Graph, dict: PackageDict, site: Site, flavour: DcatApFlavour): NamedNode {
  const ds = iri(datasetUri(dict, site))
  const title = String(dict.title ?? dict.name ?? '')
  g.add(ds, RDF.type, DCAT.Dataset)
  g.text(ds, DCT.title, title)
  // dct:description is mandatory in DCAT-AP: a dataset without notes is described by its title
  g.text(ds, DCT.description, typeof dict.notes === 'string' && dict.notes.trim() !== '' ? dict.notes : title)
  for (const tag of (dict.tags as { name: string }[] | undefined) ?? []) g.text(ds, DCAT.keyword, tag.name)
  const landing = typeof dict.url === 'string' && isHttpIri(dict.url) ? dict.url : undefined
  if (landing) classNode(g, ds, DCAT.landingPage, landing, FOAF.Document)
  // always a literal (the shapes require one), even when it looks like a URL
  g.text(ds, DCT.identifier, firstValue(dict, 'identifier', 'guid', 'id'))
  const issued = firstValue(dict, 'issued', 'metadata_created')
  if (issued) g.add(ds, DCT.issued, dateLiteral(issued))
  const modified = firstValue(dict, 'modified', 'metadata_modified')
  if (modified) g.add(ds, DCT.modified, dateLiteral(modified))
  g.text(ds, flavour.version === 3 ? DCAT.version : OWL.versionInfo, firstValue(dict, 'version'))
  g.text(ds, ADMS.versionNotes, extraValue(dict, 'version_notes'))
  addPublisher(g, ds, dict, site)
  addCreator(g, ds, dict)
  addContactPoint(g, ds, dict)
  addClassified(g, ds, dict)
  addLinks(g, ds, dict, flavour)
  addSpatial(g, ds, dict, flavour)
  addTemporal(g, ds, dict, flavour)
  addTemporalResolution(g, ds, extraValue(dict, 'temporal_resolution') ?? '')
  addResolutionInMeters(g, ds, listValue(dict, 'spatial_resolution_in_meters'))
  // the homepage a harvest read off the source dataset (ckanext-dcat reads it, never writes it back)
  const homepage = extraValue(dict, 'homepage')
  if (homepage && isHttpIri(homepage)) g.add(ds, FOAF.homepage, iri(homepage))
  const license = datasetLicense(dict)
  // one licence node shared by the dataset's distributions (a blank node when it has no url)
  const licenseNode = license ? addLicense(g, license) : undefined
  const resources = (dict.resources as ResourceDict[] | undefined) ?? []
  for (const res of resources) g.add(ds, DCAT.distribution, addDistribution(g, res, dict, site, licenseNode, flavour))
  // DCAT-AP licenses distributions; with none, the dataset itself carries it so a harvester still finds it
  if (licenseNode && resources.length === 0) g.add(ds, DCT.license, licenseNode)
  return ds
}
