import type { SearchCorrection } from '../../search/port.js'

/** What the page says about a typo the search corrected: the query as searched, and a link to search it as written so. */
export interface CorrectionNotice {
  /** the visitor's query with each corrected word replaced by its first suggestion */
  query: string
  url: string
}

/** Lower case without accents: how the search compares words (Postgres' abierto_fold). */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

interface Shown {
  title?: unknown
  notes?: unknown
  tags?: unknown
}

/**
 * The index keeps words folded ("poblacion"); a visitor should read them as the catalogue spells
 * them ("población"). The datasets on the page are where the corrected word was found.
 */
function spelling(folded: string, datasets: Shown[]): string {
  for (const d of datasets) {
    const tags = Array.isArray(d.tags) ? d.tags.map((t: { display_name?: unknown; name?: unknown }) => t?.display_name ?? t?.name) : []
    for (const text of [d.title, ...tags, d.notes]) {
      if (typeof text !== 'string') continue
      for (const [word] of text.matchAll(/\p{L}+/gu)) if (fold(word) === folded) return word.toLowerCase()
    }
  }
  return folded
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function correctionNotice(q: string, corrections: SearchCorrection[] | undefined, datasets: Shown[], link: (q: string) => string): CorrectionNotice | null {
  const usable = (corrections ?? []).filter((c) => c.suggestions.length > 0)
  if (!q || usable.length === 0) return null
  let query = q
  for (const c of usable) {
    const better = spelling(fold(c.suggestions[0]), datasets)
    query = query.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(c.word)}(?![\\p{L}\\p{N}])`, 'giu'), better)
  }
  return query === q ? null : { query, url: link(query) }
}
