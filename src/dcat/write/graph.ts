import n3 from 'n3'
import type { Quad, Quad_Object, Quad_Subject, NamedNode } from 'n3'
import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { findLicense } from '../../model/licenses.js'
import { dictValue, isHttpIri } from './values.js'

const { namedNode, literal, quad } = n3.DataFactory

/** What the catalog node says about the site (SITE_URL, SITE_TITLE, SITE_DESCRIPTION). */
export interface Site {
  url: string
  title: string
  description: string
  /** the site's language (SITE_LOCALE), an ISO 639-1 code */
  language?: string
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

/** A dict value, where the text `None` (Python's, from ckanext-dcat exports) is no value. */
export function extraValue(dict: PackageDict, key: string): string | undefined {
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
