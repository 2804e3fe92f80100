import type { PackageDict, ResourceDict } from '../../model/package-dict.js'
import { datasetUri, licenseIri, type Site } from '../write/graph.js'
import { dictValue, firstValue, isHttpIri, listValue } from '../write/values.js'

/** A theme of the catalog's themeTaxonomy, as Argentina's national profile writes it. */
interface TaxonomyEntry {
  id: string
  label: string
  description: string
}

/**
 * A Project Open Data (DCAT-US 1.1) catalog written as it streams: head, datasets, tail. The tail
 * carries a `themeTaxonomy` (Argentina's profile) of the groups of the datasets written, the
 * entries their `theme` ids point to, so a harvester can make the same groups.
 */
export class DataJsonCatalog {
  private readonly taxonomy = new Map<string, TaxonomyEntry>()
  constructor(private readonly site: Site) {}

  head(): string {
    const head = JSON.stringify({
      '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld',
      '@id': `${this.site.url}/data.json`,
      '@type': 'dcat:Catalog',
      conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
      describedBy: 'https://project-open-data.cio.gov/v1.1/schema/catalog.json',
      dataset: [],
    })
    return head.slice(0, -2)
  }

  /** One dataset's JSON text (without separator). */
  dataset(dict: PackageDict): string {
    for (const g of groupsOf(dict)) if (!this.taxonomy.has(g.name)) this.taxonomy.set(g.name, { id: g.name, label: text(g.title) ?? g.name, description: text(g.description) ?? '' })
    return JSON.stringify(dataJsonDataset(dict, this.site))
  }

  tail(): string {
    if (this.taxonomy.size === 0) return ']}'
    const entries = [...this.taxonomy.values()].sort((a, b) => a.id.localeCompare(b.id))
    return `],"themeTaxonomy":${JSON.stringify(entries)}}`
  }
}

function groupsOf(dict: PackageDict): { name: string; title?: unknown; description?: unknown }[] {
  const groups = Array.isArray(dict.groups) ? (dict.groups as { name?: unknown; title?: unknown; description?: unknown }[]) : []
  return groups.filter((g): g is { name: string } => typeof g?.name === 'string' && g.name !== '')
}

const ACCESS_LEVELS = new Set(['public', 'restricted public', 'non-public'])

// The value rules below are narrower than the DCAT-US 1.1 schema's patterns: what passes them passes the schema.
/** The schema's hasEmail pattern: ASCII local part and a dotted domain. */
const EMAIL = /^[\w~!$&'()*+,;=:.-]+@[\w.-]+\.[\w.-]+$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/
const REPEATING = /^R\/P(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/
const MEDIA_TYPE = /^[-\w]+\/[-\w]+(\.[-\w]+)*([+][-\w]+)?$/
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?$/
const EU_LANGUAGE = /^https?:\/\/publications\.europa\.eu\/resource\/authority\/language\/([A-Z]{3})$/

/** The first address of a field that may hold several ("a@x.org, b@y.org"), as a mailto: IRI. */
function mailto(value: string | undefined): string | undefined {
  if (!value) return undefined
  for (const part of value.split(/[\s,;]+/)) {
    const address = part.replace(/^mailto:/i, '')
    if (EMAIL.test(address)) return `mailto:${address}`
  }
  return undefined
}

/**
 * hasEmail is required by the federal schema and what harvesters show as the contact: a dataset
 * without a usable address points at the site's webmaster mailbox (RFC 2142).
 */
function siteMailbox(site: Site): string {
  const host = new URL(site.url).hostname
  // a host the pattern refuses (localhost, an IPv6 literal) gets the reserved .invalid domain (RFC 2606)
  return `mailto:webmaster@${/^[\w-]+(\.[\w-]+)+$/.test(host) ? host : `${/^[\w-]+$/.test(host) ? host : 'localhost'}.invalid`}`
}

function date(value: string | undefined): string | undefined {
  return value && ISO_DATE.test(value) ? value : undefined
}

function uniq(values: string[]): string[] {
  return [...new Set(values)]
}

function languages(dict: PackageDict): string[] {
  return uniq(
    listValue(dict, 'language').flatMap((v) => {
      const eu = EU_LANGUAGE.exec(v)
      if (eu) return [eu[1].toLowerCase()]
      return LANGUAGE.test(v) ? [v] : []
    }),
  )
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined
}

/** Argentina's `source` is text; DCAT-AP's dct:source (a JSON list in the extra) is written as its items. */
function sourceText(value: string | undefined): string | undefined {
  if (!value?.startsWith('[')) return value
  try {
    const parsed: unknown = JSON.parse(value)
    return Array.isArray(parsed) ? parsed.map(String).join(' ') || undefined : value
  } catch {
    return value
  }
}

/** One CKAN dataset as a DCAT-US 1.1 dataset (dcat.md §4.2), valid against the non-federal schema. */
export function dataJsonDataset(dict: PackageDict, site: Site): Record<string, unknown> {
  const title = text(dict.title) ?? String(dict.name ?? dict.id)
  const org = dict.organization as { title?: string; name?: string } | null | undefined
  const publisherName = dictValue(dict, 'publisher_name') || text(org?.title) || text(org?.name) || text(site.title) || new URL(site.url).hostname
  const tags = ((dict.tags as { name: string }[] | undefined) ?? []).map((t) => t.name).filter((t) => t !== '')
  const emails = ['contact_email', 'maintainer_email', 'author_email', 'publisher_email'].map((k) => mailto(dictValue(dict, k)))
  const level = dictValue(dict, 'access_level') ?? dictValue(dict, 'access_rights')
  // a licence outside the register is kept by the harvesters as the extra `license`: its URL still names it
  const license = licenseIri(dict) ?? [dictValue(dict, 'license')].find((v): v is string => !!v && isHttpIri(v))
  const publisher: Record<string, unknown> = { '@type': 'org:Organization', name: publisherName }
  const publisherEmail = mailto(dictValue(dict, 'publisher_email'))
  // Argentina's national profile names the publisher's address mbox; harvesters of it read it there
  if (publisherEmail) publisher.mbox = publisherEmail.slice('mailto:'.length)
  const out: Record<string, unknown> = {
    '@type': 'dcat:Dataset',
    title,
    description: text(dict.notes) ?? title,
    // no tags, no keyword: a made-up keyword would come back as a tag from every harvester
    ...(tags.length ? { keyword: uniq(tags) } : {}),
    modified: date(dictValue(dict, 'modified')) ?? date(text(dict.metadata_modified)) ?? new Date().toISOString(),
    publisher,
    contactPoint: {
      '@type': 'vcard:Contact',
      fn: firstValue(dict, 'contact_name', 'maintainer', 'author') ?? publisherName,
      hasEmail: emails.find(Boolean) ?? siteMailbox(site),
    },
    identifier: firstValue(dict, 'identifier', 'guid') ?? datasetUri(dict, site),
    accessLevel: level && ACCESS_LEVELS.has(level) ? level : 'public',
  }
  // landingPage is the dataset's own page at its source; Abierto's page is what identifier/@id point to
  if (typeof dict.url === 'string' && isHttpIri(dict.url)) out.landingPage = dict.url.trim()
  if (license) out.license = license
  const issued = date(dictValue(dict, 'issued')) ?? date(text(dict.metadata_created))
  if (issued) out.issued = issued
  const rights = dictValue(dict, 'rights')
  if (rights && rights.length <= 255) out.rights = rights
  const standard = listValue(dict, 'conforms_to').find(isHttpIri)
  if (standard) out.conformsTo = standard
  const references = uniq(listValue(dict, 'documentation').filter(isHttpIri))
  if (references.length) out.references = references
  const source = sourceText(dictValue(dict, 'source'))
  if (source) out.source = source
  const spatial = dictValue(dict, 'spatial_text') ?? dictValue(dict, 'spatial_uri')
  if (spatial) out.spatial = spatial
  const start = date(dictValue(dict, 'temporal_start'))
  const end = date(dictValue(dict, 'temporal_end'))
  if (start && end) out.temporal = `${start}/${end}`
  const frequency = dictValue(dict, 'frequency')
  if (frequency && (REPEATING.test(frequency) || frequency === 'irregular')) out.accrualPeriodicity = frequency
  const langs = languages(dict)
  if (langs.length) out.language = langs
  // the source's themes when harvested, else the dataset's groups (described in the catalog's themeTaxonomy)
  const themes = uniq(listValue(dict, 'theme'))
  const groupThemes = groupsOf(dict).map((g) => g.name)
  if (themes.length || groupThemes.length) out.theme = themes.length ? themes : uniq(groupThemes)
  // the national profiles' top-level theme (Argentina: superTheme), kept for their harvesters
  const superThemes = uniq(listValue(dict, 'superTheme'))
  if (superThemes.length) out.superTheme = superThemes
  const distribution = ((dict.resources as ResourceDict[] | undefined) ?? []).flatMap((r) => dataJsonDistribution(r))
  if (distribution.length) out.distribution = distribution
  return out
}

/** Portal Andino keeps a distribution's column list as JSON text in `attributesDescription`. */
function columns(value: unknown): unknown[] | undefined {
  if (typeof value !== 'string' || !value.startsWith('[')) return undefined
  try {
    const parsed: unknown = JSON.parse(value)
    return Array.isArray(parsed) && parsed.length > 0 ? parsed : undefined
  } catch {
    return undefined
  }
}

function dataJsonDistribution(res: ResourceDict): Record<string, unknown>[] {
  const url = typeof res.url === 'string' ? res.url.trim() : ''
  if (!isHttpIri(url)) return []
  const mediaType = typeof res.mimetype === 'string' && MEDIA_TYPE.test(res.mimetype) ? res.mimetype : undefined
  const d: Record<string, unknown> = { '@type': 'dcat:Distribution' }
  const harvestedAccess = text(res.access_url)
  // downloadURL requires mediaType; a file without one is still reachable by accessURL
  if ((res.url_type === 'upload' || text(res.download_url) === url) && mediaType) {
    d.downloadURL = url
    if (harvestedAccess && isHttpIri(harvestedAccess) && harvestedAccess !== url) d.accessURL = harvestedAccess
  } else {
    d.accessURL = url
  }
  if (mediaType) d.mediaType = mediaType
  for (const [key, value] of [
    ['format', res.format],
    ['title', res.name],
    ['description', res.description],
  ] as const) {
    if (text(value)) d[key] = value
  }
  const conformsTo = listValue(res as PackageDict, 'conforms_to').find(isHttpIri)
  if (conformsTo) d.conformsTo = conformsTo
  // beyond DCAT-US 1.1 (which allows more keys): what Argentina's profile adds to a distribution,
  // read back by our harvester and by pydatajson's
  for (const [key, value] of [
    ['identifier', res.identifier],
    ['rights', res.rights],
    ['fileName', res.fileName],
  ] as const) {
    if (text(value)) d[key] = value
  }
  for (const key of ['issued', 'modified'] as const) {
    const v = date(text(res[key]))
    if (v) d[key] = v
  }
  if (typeof res.size === 'number' && Number.isFinite(res.size)) d.byteSize = res.size
  const license = text(res.license) ? licenseIri({ license_id: res.license }) : undefined
  if (license) d.license = license
  const fields = columns(res.attributesDescription)
  if (fields) d.field = fields
  return [d]
}
