/**
 * Remote licence references → CKAN licence register ids (ckanext-dcat `_license`: by URL, then by
 * title). URLs are compared without scheme, "www." and trailing slash, because catalogs write the
 * same licence page every way.
 */
import { LICENSES } from '../model/licenses.js'

function urlKey(url: string): string {
  return url.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/+$/, '')
}

const byUrl = new Map(LICENSES.filter((l) => l.url).map((l) => [urlKey(l.url), l.id]))
const byTitle = new Map(LICENSES.map((l) => [l.title, l.id]))
const ids = new Set(LICENSES.map((l) => l.id))

export function licenseIdForUrl(url: string): string | undefined {
  return url ? byUrl.get(urlKey(url)) : undefined
}

export function licenseIdForTitle(title: string): string | undefined {
  return byTitle.get(title.trim())
}

export function isLicenseId(id: string): boolean {
  return ids.has(id)
}
