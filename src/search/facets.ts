import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { findLicense } from '../model/licenses.js'

export type FacetCounts = Record<string, Array<[string, number]>>

export interface SearchFacet {
  title: string
  items: Array<{ name: string; display_name: string; count: number }>
}

/**
 * CKAN's search_facets: display names are group/organization titles (name when empty) and
 * license titles; items are ordered by display_name descending, as package_search does after
 * Solr picked the top values by count.
 */
export async function searchFacets(db: Kysely<Database>, counts: FacetCounts): Promise<Record<string, SearchFacet>> {
  const groupNames = [...new Set(['groups', 'organization'].flatMap((f) => (counts[f] ?? []).map(([v]) => v)))]
  const titles = new Map<string, string>()
  if (groupNames.length) {
    const { rows } = await sql<{ name: string; title: string }>`SELECT name, title FROM "group" WHERE name = ANY(${groupNames}::text[])`.execute(db)
    for (const r of rows) if (r.title) titles.set(r.name, r.title)
  }
  // fromEntries below defines own properties: a facet field named `__proto__` stays a key
  const entries: Array<[string, SearchFacet]> = []
  for (const [field, pairs] of Object.entries(counts)) {
    const display = (v: string) => (field === 'groups' || field === 'organization' ? (titles.get(v) ?? v) : field === 'license_id' ? (findLicense(v)?.title ?? v) : v)
    const items = pairs.map(([name, count]) => ({ name, display_name: display(name), count }))
    items.sort((a, b) => (a.display_name < b.display_name ? 1 : a.display_name > b.display_name ? -1 : 0))
    entries.push([field, { title: field, items }])
  }
  return Object.fromEntries(entries)
}
