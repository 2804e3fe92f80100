import n3 from 'n3'
import type { NamedNode } from 'n3'

const { namedNode } = n3.DataFactory

/** The prefixes every serialisation declares (ckanext/dcat/profiles/base.py namespaces, plus hydra). */
export const PREFIXES = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  dcatap: 'http://data.europa.eu/r5r/',
  adms: 'http://www.w3.org/ns/adms#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  // http, not https: the namespace ckanext-dcat writes and reads
  schema: 'http://schema.org/',
  locn: 'http://www.w3.org/ns/locn#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  owl: 'http://www.w3.org/2002/07/owl#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  spdx: 'http://spdx.org/rdf/terms#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  // DCAT-US 3 (profile dcat_us_3): the namespace its specification and ckanext-dcat use
  dcatus: 'http://resources.data.gov/ontology/dcat-us#',
  cnt: 'http://www.w3.org/2011/content#',
  org: 'http://www.w3.org/ns/org#',
} as const

type Vocab = Record<string, NamedNode>

/** `ns('dct').title` → <http://purl.org/dc/terms/title>; terms are created on first use. */
function ns(prefix: keyof typeof PREFIXES): Vocab {
  const base = PREFIXES[prefix]
  const cache = new Map<string, NamedNode>()
  return new Proxy({} as Vocab, {
    get(_t, local: string) {
      let term = cache.get(local)
      if (!term) cache.set(local, (term = namedNode(base + local)))
      return term
    },
  })
}

export const RDF = ns('rdf')
export const RDFS = ns('rdfs')
export const XSD = ns('xsd')
export const DCAT = ns('dcat')
export const DCT = ns('dct')
export const VCARD = ns('vcard')
export const FOAF = ns('foaf')
export const SCHEMA = ns('schema')
export const LOCN = ns('locn')
export const GSP = ns('gsp')
export const SKOS = ns('skos')
export const SPDX = ns('spdx')
export const HYDRA = ns('hydra')
export const DCATUS = ns('dcatus')
export const CNT = ns('cnt')
export const ORG = ns('org')
export const ADMS = ns('adms')
export const DCATAP = ns('dcatap')
export const OWL = ns('owl')
