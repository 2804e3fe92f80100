import type { PackageDict, ResourceDict } from '../model/package-dict.js'
import { markdownText } from './markdown.js'
import { downloadHref, linkHref } from './urls.js'

export interface JsonLdSite {
  url: string
  title: string
}

// CKAN stores UTC timestamps without a zone
function isoUtc(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined
  return /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined
}

function absoluteUrl(href: string | null, base: string): string | undefined {
  if (!href) return undefined
  try {
    return new URL(href, base).toString()
  } catch {
    return undefined
  }
}

/** Drops the keys left undefined, so the block names only what the dataset has. */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>
}

/**
 * A schema.org Dataset in the shape Google Dataset Search reads (its own `@context`, plain
 * property names, absolute URLs), built from the package_show dict. The DCAT `schemaorg`
 * profile describes the same dataset as RDF; its compacted JSON-LD uses prefixed names, which
 * Google's structured-data reader does not take.
 */
export function datasetJsonLd(dict: PackageDict, site: JsonLdSite): Record<string, unknown> {
  const name = (dict.name ?? dict.id) as string
  const page = `${site.url}/dataset/${name}`
  const org = dict.organization as { name?: string; title?: string } | null | undefined
  const publisher = org?.name ? { '@type': 'Organization', name: text(org.title) ?? org.name, url: `${site.url}/organization/${org.name}` } : undefined
  const licence = linkHref(dict.license_url) ?? text(dict.license_title)
  const description = markdownText(dict.notes)
  const resources = (dict.resources as ResourceDict[] | undefined) ?? []
  return compact({
    '@context': 'https://schema.org',
    '@type': 'Dataset',
    '@id': page,
    url: page,
    name: text(dict.title) ?? name,
    // Google requires a description; the title stands in when the dataset has none
    description: description || text(dict.title) || name,
    identifier: dict.id as string,
    version: text(dict.version),
    keywords: ((dict.tags as { name: string }[] | undefined) ?? []).map((t) => t.name),
    license: licence,
    isAccessibleForFree: true,
    dateCreated: isoUtc(dict.metadata_created),
    dateModified: isoUtc(dict.metadata_modified),
    creator: publisher,
    publisher,
    sameAs: linkHref(dict.url) ?? undefined,
    includedInDataCatalog: { '@type': 'DataCatalog', name: site.title, url: site.url },
    distribution: resources.map((r) => {
      const href = downloadHref(r as { id: string; url?: unknown; url_type?: unknown }, dict.id as string)
      return compact({
        '@type': 'DataDownload',
        name: text(r.name),
        description: markdownText(r.description) || undefined,
        encodingFormat: text(r.format) ?? text(r.mimetype),
        contentUrl: absoluteUrl(href, site.url),
        contentSize: typeof r.size === 'number' ? `${r.size} B` : undefined,
        dateModified: isoUtc(r.last_modified) ?? isoUtc(r.metadata_modified),
      })
    }),
  })
}

/**
 * JSON for a `<script type="application/ld+json">` data block: `<`, `>` and `&` as JSON escapes,
 * so no value can close the element or open a comment, and the line separators that old
 * parsers take for line ends.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}
