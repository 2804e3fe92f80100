/**
 * Remote licence references → CKAN licence register ids (ckanext-dcat `_license`: by URL, then by
 * title). URLs are compared without scheme, "www." and trailing slash, because catalogs write the
 * same licence page every way.
 */
import { LICENSES } from '../../model/licenses.js'

function urlKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '')
}

const byUrl = new Map(LICENSES.filter((l) => l.url).map((l) => [urlKey(l.url), l.id]))
const byTitle = new Map(LICENSES.map((l) => [l.title, l.id]))
const ids = new Set(LICENSES.map((l) => l.id))

/**
 * The licence pages catalogs actually cite for the register's licences: Creative Commons' and
 * Open Data Commons' own pages (any version, legalcode or deed) and the EU Publications Office
 * licence vocabulary (DCAT-AP's recommended IRIs). The register itself points at opendefinition.org.
 */
const ALIASES: Array<[RegExp, string]> = [
  [/^creativecommons\.org\/licenses\/by\/\d/, 'cc-by'],
  [/^creativecommons\.org\/licenses\/by-sa\/\d/, 'cc-by-sa'],
  [/^creativecommons\.org\/licenses\/by-nc(-sa|-nd)?\/\d/, 'cc-nc'],
  [/^creativecommons\.org\/publicdomain\/zero\/1\.0/, 'cc-zero'],
  [/^opendatacommons\.org\/licenses\/odbl/, 'odc-odbl'],
  [/^opendatacommons\.org\/licenses\/pddl/, 'odc-pddl'],
  [/^opendatacommons\.org\/licenses\/by/, 'odc-by'],
  [/^publications\.europa\.eu\/resource\/authority\/licence\/cc_by_\d/, 'cc-by'],
  [/^publications\.europa\.eu\/resource\/authority\/licence\/cc_bysa_\d/, 'cc-by-sa'],
  [/^publications\.europa\.eu\/resource\/authority\/licence\/cc0$/, 'cc-zero'],
  [/^publications\.europa\.eu\/resource\/authority\/licence\/odc_bl$/, 'odc-odbl'],
  [/^publications\.europa\.eu\/resource\/authority\/licence\/odc_pddl$/, 'odc-pddl'],
  [/^publications\.europa\.eu\/resource\/authority\/licence\/odc_by$/, 'odc-by'],
]

export function licenseIdForUrl(url: string): string | undefined {
  if (!url) return undefined
  const key = urlKey(url)
  return byUrl.get(key) ?? ALIASES.find(([re]) => re.test(key))?.[1]
}

export function licenseIdForTitle(title: string): string | undefined {
  return byTitle.get(title.trim())
}

export function isLicenseId(id: string): boolean {
  return ids.has(id)
}
