import type { Settings } from 'meilisearch'
import { SEARCHABLE_ATTRIBUTES, SORTABLE } from './document.js'
import { STOP_WORDS } from './text.js'

/** Values per facet Meilisearch returns (setting faceting.maxValuesPerFacet); facet.limit=-1 is capped here. */
export const MAX_FACET_VALUES = 10_000
/** Largest result window (pagination.maxTotalHits): `count` and paging are exact up to it. */
export const MAX_TOTAL_HITS = 1_000_000

/** No typo under 5 characters, 1 from 5, 2 from 9 (Meilisearch's defaults, Solr's fuzzy). */
export const MIN_WORD_SIZE_FOR_TYPOS = { oneTypo: 5, twoTypos: 9 } as const

export const INDEX_SETTINGS: Settings = {
  searchableAttributes: SEARCHABLE_ATTRIBUTES,
  displayedAttributes: ['id'],
  filterableAttributes: ['e', 'n', 'x', 'v', 'w', 'wx'],
  sortableAttributes: [...new Set(Object.values(SORTABLE))],
  // `sort` after the relevance rules: "score desc, metadata_modified desc" ranks by relevance first
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
  stopWords: [...STOP_WORDS],
  // explicit, as the search conventions fix them for both backends; the `typo` rule right after
  // `words` ranks every exact match above every typo match
  typoTolerance: { enabled: true, minWordSizeForTypos: MIN_WORD_SIZE_FOR_TYPOS },
  // whole words, as Solr and the Postgres adapter match: `rio` must not find "riobamba"
  prefixSearch: 'disabled',
  // facet *search* is never used, and the w.* word lists would make it costly to index
  facetSearch: false,
  faceting: { maxValuesPerFacet: MAX_FACET_VALUES, sortFacetValuesBy: { '*': 'count' } },
  pagination: { maxTotalHits: MAX_TOTAL_HITS },
  localizedAttributes: [{ attributePatterns: SEARCHABLE_ATTRIBUTES, locales: ['spa'] }],
}
