import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { datasetUri, licenseIri, type Site } from '../write/graph.js'
import { dictValue, firstValue, isHttpIri, listValue } from '../write/values.js'

/** Project Open Data (DCAT-US 1.1) catalog wrapper; the datasets go between head and tail. */
export function dataJsonHead(site: Site): string {
  const head = JSON.stringify({
    '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld',
    '@id': `${site.url}/data.json`,
    '@type': 'dcat:Catalog',
    conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
    describedBy: 'https://project-open-data.cio.gov/v1.1/schema/catalog.json',
    dataset: [],
  })
  return head.slice(0, -2)
}
export const DATA_JSON_TAIL = ']}'

const ACCESS_LEVELS = new Set(['public', 'restricted public', 'non-public'])

/** One CKAN dataset as a DCAT-US 1.1 dataset (dcat.md §4.2). */
export function dataJsonDataset(dict: PackageDict, site: Site): Record<string, unknown> {
  const title = String(dict.title ?? dict.name ?? '')
  const notes = typeof dict.notes === 'string' && dict.notes.trim() !== '' ? dict.notes : title
  const org = dict.organization as { title?: string; name?: string } | null | undefined
  const publisherName = dictValue(dict, 'publisher_name') || org?.title || org?.name || site.title
  const tags = ((dict.tags as { name: string }[] | undefined) ?? []).map((t) => t.name)
  const email = firstValue(dict, 'contact_email', 'maintainer_email', 'author_email')
  const level = dictValue(dict, 'access_level')
  const license = licenseIri(dict)
  const out: Record<string, unknown> = {
    '@type': 'dcat:Dataset',
    title,
    description: notes,
    // keyword needs at least one entry: an untagged dataset is keyed by its name
    keyword: tags.length ? tags : [String(dict.name)],
    modified: firstValue(dict, 'modified', 'metadata_modified'),
    publisher: { '@type': 'org:Organization', name: publisherName },
    contactPoint: {
      '@type': 'vcard:Contact',
      fn: firstValue(dict, 'contact_name', 'maintainer', 'author') ?? publisherName,
      ...(email ? { hasEmail: email.startsWith('mailto:') ? email : `mailto:${email}` } : {}),
    },
    identifier: firstValue(dict, 'identifier', 'guid') ?? datasetUri(dict, site),
    accessLevel: level && ACCESS_LEVELS.has(level) ? level : 'public',
    landingPage: `${site.url}/dataset/${String(dict.name ?? dict.id)}`,
  }
  if (license) out.license = license
  const issued = firstValue(dict, 'issued', 'metadata_created')
  if (issued) out.issued = issued
  const spatial = dictValue(dict, 'spatial_text') ?? dictValue(dict, 'spatial_uri')
  if (spatial) out.spatial = spatial
  const start = dictValue(dict, 'temporal_start')
  const end = dictValue(dict, 'temporal_end')
  if (start && end) out.temporal = `${start}/${end}`
  const frequency = dictValue(dict, 'frequency')
  if (frequency && (/^R\/P/.test(frequency) || frequency === 'irregular')) out.accrualPeriodicity = frequency
  const languages = listValue(dict, 'language')
  if (languages.length) out.language = languages
  const themes = listValue(dict, 'theme')
  if (themes.length) out.theme = themes
  const distribution = ((dict.resources as ResourceDict[] | undefined) ?? []).flatMap((r) => dataJsonDistribution(r))
  if (distribution.length) out.distribution = distribution
  return out
}

function dataJsonDistribution(res: ResourceDict): Record<string, unknown>[] {
  const url = typeof res.url === 'string' ? res.url : ''
  if (!isHttpIri(url)) return []
  const mediaType = typeof res.mimetype === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(res.mimetype) ? res.mimetype : undefined
  const d: Record<string, unknown> = { '@type': 'dcat:Distribution' }
  // downloadURL requires mediaType; an upload without one is still reachable by accessURL
  if (res.url_type === 'upload' && mediaType) {
    d.downloadURL = url
    d.mediaType = mediaType
  } else {
    d.accessURL = url
    if (mediaType) d.mediaType = mediaType
  }
  if (typeof res.format === 'string' && res.format) d.format = res.format
  if (typeof res.name === 'string' && res.name) d.title = res.name
  if (typeof res.description === 'string' && res.description) d.description = res.description
  return [d]
}
