/** Params shared by dcat_catalog_show and dcat_catalog_search (ckanext/dcat/logic.py). */
export const catalogParams = {
  type: 'object',
  additionalProperties: true,
  properties: {
    page: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    modified_since: { type: 'string' },
    q: { type: 'string' },
    fq: { type: 'string' },
    format: { type: 'string' },
    profiles: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
} as const

export const catalogDescription = (name: string) =>
  `${name}: one page (100 datasets, newest first) of the DCAT catalog of public datasets, serialised.\n\nParams: page (1-based), modified_since (ISO 8601), q, fq (Solr syntax, as package_search), format (rdf/xml default, ttl, n3, nt, jsonld), profiles (euro_dcat_ap_3 default, schemaorg; list or comma-separated).\n\nReturns the serialised catalog as a string, with hydra paging triples.`
