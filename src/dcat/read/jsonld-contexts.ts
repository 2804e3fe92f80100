/**
 * JSON-LD contexts the RDF harvester knows without fetching them. Catalogs that reference any
 * other remote @context are refused: resolving it would make the parser do network requests the
 * harvest pipeline neither schedules nor limits.
 */

// DCAT-US 1.1 (Project Open Data) data.json context, as published at
// project-open-data/project-open-data.github.io v1.1/schema/catalog.jsonld.
const POD_V1_1 = {
  '@context': {
    dcat: 'http://www.w3.org/ns/dcat#',
    org: 'http://www.w3.org/ns/org#',
    vcard: 'http://www.w3.org/2006/vcard/ns#',
    foaf: 'http://xmlns.com/foaf/0.1/',
    '@vocab': 'http://www.w3.org/ns/dcat#',
    dc: 'http://purl.org/dc/terms/',
    pod: 'https://project-open-data.cio.gov/v1.1/schema#',
    skos: 'http://www.w3.org/2004/02/skos/core#',
    describedBy: { '@id': 'http://www.w3.org/2007/05/powder#describedby', '@type': '@id' },
    downloadURL: { '@id': 'dcat:downloadURL', '@type': '@id' },
    accessURL: { '@id': 'dcat:accessURL', '@type': '@id' },
    title: 'dc:title',
    description: 'dc:description',
    issued: { '@id': 'dc:issued', '@type': 'http://www.w3.org/2001/XMLSchema#date' },
    modified: { '@id': 'dc:modified', '@type': 'http://www.w3.org/2001/XMLSchema#date' },
    language: 'dc:language',
    license: 'dc:license',
    rights: 'dc:rights',
    spatial: 'dc:spatial',
    conformsTo: { '@id': 'dc:conformsTo', '@type': '@id' },
    publisher: 'dc:publisher',
    identifier: 'dc:identifier',
    temporal: 'dc:temporal',
    format: 'dc:format',
    accrualPeriodicity: 'dc:accrualPeriodicity',
    homepage: 'foaf:homepage',
    accessLevel: 'pod:accessLevel',
    bureauCode: 'pod:bureauCode',
    dataQuality: 'pod:dataQuality',
    describedByType: 'pod:describedByType',
    primaryITInvestmentUII: 'pod:primaryITInvestmentUII',
    programCode: 'pod:programCode',
    fn: 'vcard:fn',
    hasEmail: 'vcard:hasEmail',
    name: 'skos:prefLabel',
    subOrganizationOf: 'org:subOrganizationOf',
  },
}

const CONTEXTS = new Map<string, object>([['https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld', POD_V1_1]])

/** The bundled context document for a URL (scheme-insensitive), or undefined. */
export function bundledContext(url: string): object | undefined {
  return CONTEXTS.get(url.replace(/^http:/, 'https:'))
}
