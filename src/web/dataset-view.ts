import type { PackageDict, ResourceDict } from '../model/package-dict.js'
import { imageDisplayUrl } from '../model/package-dict.js'
import { markdownText } from './markdown.js'
import { downloadHref, imageSrc, linkHref, mailtoHref } from './urls.js'

/**
 * What the dataset and resource templates show, taken from package_show's dict once, so the
 * templates only lay it out: every URL here is safe for an `href` (or null), every text plain.
 */

export interface Party {
  name: string | null
  email: string | null
  mailto: string | null
}

export interface ResourceItem {
  id: string
  name: string | null
  format: string | null
  size: number | null
  excerpt: string
  /** the resource's own page */
  page: string
  /** where its data is: the download route for an upload, the link otherwise (null when not linkable) */
  download: string | null
  upload: boolean
  /** the stored URL, as text */
  url: string | null
}

export interface DatasetView {
  id: string
  name: string
  title: string
  page: string
  /** the dataset's activity stream (CKAN's /dataset/activity/{name}) */
  activity: string
  private: boolean
  state: string
  organization: { name: string; title: string; image: string | null; page: string } | null
  license: { title: string; url: string | null } | null
  groups: Array<{ name: string; title: string; page: string }>
  tags: Array<{ name: string; search: string }>
  author: Party | null
  maintainer: Party | null
  source: { url: string; href: string | null } | null
  version: string | null
  created: string | null
  modified: string | null
  extras: Array<{ key: string; value: string }>
  resources: ResourceItem[]
  machine: { turtle: string; jsonld: string; rdfxml: string; api: string }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

function party(name: unknown, email: unknown): Party | null {
  const n = str(name)
  const e = str(email)
  if (!n && !e) return null
  return { name: n, email: e, mailto: mailtoHref(e) }
}

export function resourceItem(r: ResourceDict, dataset: { id: string; name: string }): ResourceItem {
  const id = String(r.id)
  const upload = r.url_type === 'upload'
  return {
    id,
    name: str(r.name),
    format: str(r.format),
    size: typeof r.size === 'number' ? r.size : null,
    excerpt: markdownText(r.description),
    page: `/dataset/${encodeURIComponent(dataset.name)}/resource/${encodeURIComponent(id)}`,
    download: downloadHref({ id, url: r.url, url_type: r.url_type }, dataset.id),
    upload,
    url: str(r.url),
  }
}

export function datasetView(dict: PackageDict, siteUrl: string): DatasetView {
  const id = String(dict.id)
  const name = str(dict.name) ?? id
  const org = dict.organization as { name?: string; title?: string; image_url?: string } | null | undefined
  const licenseTitle = str(dict.license_title) ?? str(dict.license_id)
  const sourceUrl = str(dict.url)
  const q = encodeURIComponent(name)
  return {
    id,
    name,
    title: str(dict.title) ?? name,
    page: `/dataset/${q}`,
    activity: `/dataset/activity/${q}`,
    private: dict.private === true,
    state: typeof dict.state === 'string' ? dict.state : 'active',
    organization: org?.name ? { name: org.name, title: str(org.title) ?? org.name, image: imageSrc(imageDisplayUrl(org.image_url ?? '', siteUrl)), page: `/organization/${encodeURIComponent(org.name)}` } : null,
    license: licenseTitle ? { title: licenseTitle, url: linkHref(dict.license_url) } : null,
    groups: ((dict.groups as Array<{ name: string; title?: string; display_name?: string }> | undefined) ?? []).map((g) => ({
      name: g.name,
      title: str(g.display_name) ?? str(g.title) ?? g.name,
      page: `/group/${encodeURIComponent(g.name)}`,
    })),
    tags: ((dict.tags as Array<{ name: string }> | undefined) ?? []).map((t) => ({ name: t.name, search: `/dataset?tags=${encodeURIComponent(t.name)}` })),
    author: party(dict.author, dict.author_email),
    maintainer: party(dict.maintainer, dict.maintainer_email),
    source: sourceUrl ? { url: sourceUrl, href: linkHref(sourceUrl) } : null,
    version: str(dict.version),
    created: str(dict.metadata_created),
    modified: str(dict.metadata_modified),
    extras: ((dict.extras as Array<{ key: string; value: unknown }> | undefined) ?? []).map((e) => ({ key: e.key, value: typeof e.value === 'string' ? e.value : JSON.stringify(e.value) })),
    resources: ((dict.resources as ResourceDict[] | undefined) ?? []).map((r) => resourceItem(r, { id, name })),
    machine: {
      turtle: `/dataset/${q}.ttl`,
      jsonld: `/dataset/${q}.jsonld`,
      rdfxml: `/dataset/${q}.rdf`,
      api: `/api/3/action/package_show?id=${q}`,
    },
  }
}

/** Fields the resource page shows in their own rows, or never (internal bookkeeping). */
// datastore_active: the page shows the rows themselves when it is true
const SHOWN_APART = new Set(['id', 'name', 'description', 'url', 'url_type', 'format', 'size', 'mimetype', 'created', 'last_modified', 'metadata_modified', 'package_id', 'position', 'state', 'datastore_active'])

/** A resource's other fields (CKAN's "additional information"), empty values left out, as text. */
export function resourceExtraFields(r: ResourceDict): Array<{ key: string; value: string }> {
  return Object.entries(r)
    .filter(([k, v]) => !SHOWN_APART.has(k) && v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}
