import type { QueryNode } from '../ast.js'
import { resolveField } from '../fields.js'
import type { SearchRequest } from '../port.js'
import { SearchError } from '../../errors.js'
import { decodeValue, encodeValue } from './values.js'
import { Q_FIELDS, SORTABLE } from './document.js'
import { MIN_WORD_SIZE_FOR_TYPOS } from './settings.js'
import { STOP, stem, stemmedText, words } from './text.js'
import { FALSE, FilterCompiler, and, eq, isStopTerm, minimumMatch, type VocabularyIds } from './filter.js'

/** A search request as one Meilisearch search, and its facet distribution back as the port's pairs. */

export interface SearchPlan {
  q: string
  /** null: every searchable attribute */
  attributesToSearchOn: string[] | null
  filter: string
  sort: string[]
  facets: string[]
  /**
   * The words of `q` long enough for a typo, each with the filter condition that holds when a
   * document has it exactly and the probe asking whether any visible document does: the client
   * adds the conditions of the words that exist, so a known word is never widened to its typos.
   */
  exactWords: Array<{ condition: string; probe: string }>
}

/** The attribute a facet field is counted on, or null for a constant field. */
export function facetAttribute(field: string, vocabularies: VocabularyIds = new Map()): string | null {
  const ref = resolveField(field)
  if (ref.type === 'vocab') return `v.${encodeValue(vocabularies.get(ref.vocabulary) ?? ref.vocabulary)}`
  if (ref.type !== 'core') return `x.${encodeValue(ref.key)}`
  if (ref.name === 'capacity') return 'e.private'
  if (ref.name === 'site_id' || ref.name === 'entity_type') return null
  if (ref.info.kind === 'int' || ref.info.kind === 'date') return `n.${ref.name}`
  return `e.${ref.name}`
}

/** Conjuncts of a node: what must all hold for it to hold. */
function conjuncts(node: QueryNode): QueryNode[] {
  if (node.kind === 'all') return []
  if (node.kind === 'and') return node.children.flatMap(conjuncts)
  if (node.kind === 'match') {
    const clauses = node.clauses.filter((c) => !isStopTerm(c))
    const need = Math.min(node.minimumMatch, minimumMatch(clauses.length))
    if (need >= clauses.length && (clauses.length > 0 || node.clauses.length === 0)) {
      return [...node.must, ...clauses].flatMap(conjuncts).concat(node.mustNot.map((c) => ({ kind: 'not', child: c }) as QueryNode))
    }
  }
  return [node]
}

interface QTerm {
  field: string
  /** as written in the query */
  value: string
  /** as q carries it */
  text: string
  phrase: boolean
}

/** A positive free-text term `q` can take: core text field with a searchable attribute, not a stopword. */
function qTerm(node: QueryNode): QTerm | null {
  if (node.kind !== 'term' || isStopTerm(node)) return null
  const ref = resolveField(node.field)
  if (ref.type !== 'core' || ref.info.kind !== 'text' || !Q_FIELDS.has(ref.name)) return null
  // stemmed, as the searchable attributes hold their text
  const stemmed = stemmedText(node.value)
  return { field: ref.name, value: node.value, text: node.phrase ? `"${stemmed}"` : stemmed, phrase: node.phrase }
}

/** Words of non-phrase q terms Meilisearch could match with a typo (phrases never are), by their stem's length as q carries it. */
function typoWords(terms: QTerm[], visibility: string[]): SearchPlan['exactWords'] {
  const out = new Map<string, SearchPlan['exactWords'][number]>()
  for (const t of terms) {
    if (t.phrase) continue
    for (const w of words(t.value)) {
      if (STOP.has(w)) continue
      const s = stem(w)
      if ([...s].length < MIN_WORD_SIZE_FOR_TYPOS.oneTypo) continue
      const condition = `w.${t.field} = "${encodeValue(s)}"`
      out.set(condition, { condition, probe: and([condition, ...visibility]) })
    }
  }
  return [...out.values()]
}

/**
 * The whole request as one Meilisearch search. When the sort starts with `score`, the free-text
 * terms that must all hold (top-level AND, a DisMax whose words are all required) become `q`,
 * searched on their field's attributes; with terms on several fields the word filters stay too,
 * as attributesToSearchOn would let a word match in the other field. Everything else is the filter.
 */
export function planSearch(req: SearchRequest, vocabularies: VocabularyIds = new Map()): SearchPlan {
  const compiler = new FilterCompiler(vocabularies)
  const all = [req.query, ...req.filters].flatMap(conjuncts)
  const byScore = req.sort[0]?.field === 'score'
  const qTerms = byScore ? all.map(qTerm) : []
  const terms = qTerms.filter((t): t is QTerm => t !== null)
  const fields = new Set(terms.map((t) => t.field))
  const keepWordFilters = fields.size > 1
  const parts: string[] = []
  const q: string[] = []
  all.forEach((node, i) => {
    const t = qTerms[i]
    if (t) {
      q.push(t.text)
      if (!keepWordFilters) return
    }
    parts.push(compiler.compile(node))
  })
  let attributesToSearchOn: string[] | null = null
  if (!fields.has('text') && fields.size) attributesToSearchOn = [...fields]
  const visibility = visibilityFilter(req.visibility)
  parts.push(...visibility)
  // with word filters kept every word is exact already
  const exactWords = keepWordFilters ? [] : typoWords(terms, visibility)
  const sort: string[] = []
  for (const s of req.sort) {
    if (s.field === 'score') continue
    const attr = Object.hasOwn(SORTABLE, s.field) ? SORTABLE[s.field] : undefined
    if (!attr) throw new SearchError(`can not sort on field: ${s.field}`)
    sort.push(`${attr}:${s.dir}`)
  }
  // a stable order for paging, as the Postgres adapter's package_id tie-break
  sort.push('e.id:asc')
  const facets = [...new Set(req.facetFields.map((f) => facetAttribute(f, vocabularies)).filter((a): a is string => a !== null))]
  return { q: q.join(' '), attributesToSearchOn, filter: and(parts), sort: dedupeSort(sort), facets, exactWords }
}

function dedupeSort(sort: string[]): string[] {
  const seen = new Set<string>()
  return sort.filter((s) => {
    const attr = s.slice(0, s.lastIndexOf(':'))
    if (seen.has(attr)) return false
    seen.add(attr)
    return true
  })
}

export function visibilityFilter(v: SearchRequest['visibility']): string[] {
  const inList = (attr: string, values: string[]) => (values.length ? `${attr} IN [${values.map((x) => `"${encodeValue(x)}"`).join(', ')}]` : FALSE)
  const parts = [inList('e.state', v.states)]
  if (!v.includePrivate) parts.push(eq('e.private', 'false'))
  if (v.labels !== null) parts.push(inList('e.permission_labels', v.labels))
  return parts
}

/** facetDistribution of one attribute → [value, count] pairs as the port wants them. */
export function facetPairs(field: string, dist: Record<string, number> | undefined, total: number, limit: number, mincount: number): Array<[string, number]> {
  const ref = resolveField(field)
  let pairs: Array<[string, number]>
  if (ref.type === 'core' && (ref.name === 'site_id' || ref.name === 'entity_type')) {
    pairs = total > 0 ? [[ref.name === 'site_id' ? 'default' : 'package', total]] : []
  } else {
    const numeric = ref.type === 'core' && (ref.info.kind === 'int' || ref.info.kind === 'date')
    pairs = Object.entries(dist ?? {}).map(([k, c]) => {
      const v = numeric ? k : decodeValue(k)
      return [ref.type === 'core' && ref.name === 'capacity' ? (v === 'true' ? 'private' : 'public') : v, c]
    })
  }
  pairs = pairs.filter(([, c]) => c >= Math.max(mincount, 1))
  pairs.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return limit < 0 ? pairs : pairs.slice(0, limit)
}
