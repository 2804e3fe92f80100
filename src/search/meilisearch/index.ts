import { Meilisearch, MeilisearchApiError, MeilisearchError, type Index, type SearchParams, type Task } from 'meilisearch'
import type { QueryNode } from '../ast.js'
import type { IndexDocument } from '../document.js'
import { SearchBackendError, type SearchIndex, type SearchRequest, type SearchResult } from '../port.js'
import { SearchError } from '../../errors.js'
import { toMeiliDocument, type MeiliDocument } from './document.js'
import { INDEX_SETTINGS } from './settings.js'
import { and, type VocabularyIds } from './filter.js'
import { facetAttribute, facetPairs, planSearch, type SearchPlan } from './plan.js'

/**
 * The production search backend (SEARCH=meilisearch). Needs Meilisearch ≥ 1.15: string
 * comparison filters (1.15) carry prefixes and ranges, and the settings use prefixSearch (1.12)
 * and localizedAttributes (1.10). See "Limits" at the end of this comment.
 *
 * Meilisearch's filter language has no full text, and its `=` on strings is case-insensitive, so
 * each document carries, besides the searchable attributes (title, tags, notes…, holding their
 * text's words stemmed by text.ts, so a `q` stemmed alike meets singular and plural and typo
 * tolerance measures the distance between stems):
 *  - `e.<field>`: every exact field (and extras `x.<key>`, vocabularies `v.<id>`) *encoded* with
 *    encodeValue, an alphabet of lowercase letters and digits that keeps byte order: equality
 *    becomes case-sensitive, `name:agua*` becomes the range `enc(agua) TO enc(agua)+"w"`,
 *    ranges and sorts compare like Postgres' COLLATE "C", and facet values decode losslessly.
 *  - `n.<field>`: dates (epoch milliseconds) and integers, for typed ranges and sorts.
 *  - `w.<field>` (`wx.<key>` for extras): the words of each text field, folded (lowercase, no
 *    accents), as written and stemmed, so a text term anywhere in a boolean tree (under OR / NOT,
 *    in a DisMax minimum-match) is an exact filter.
 * Free-text terms that are plain conjuncts of the request go to Meilisearch's `q` instead (typo
 * tolerance, its relevance ranking), restricted with attributesToSearchOn; see planSearch. A `q`
 * word that some visible document has exactly is also required through `w.*` (knownWords), so
 * typos widen only unknown words, as every backend must.
 *
 * Limits (approximations, all documented where they happen):
 *  - wildcards other than a trailing `*` keep only their literal prefix (a superset); a leading
 *    wildcard is "has a value";
 *  - a DisMax `q` whose minimum-match lets words be missing is matched exactly through `w.*` but
 *    not ranked (Meilisearch's `q` has no "n of m words" mode), and a sort that does not start
 *    with `score` matches text through `w.*` only (no typo tolerance) so the sort is exact;
 *  - a `q` with a word of 5+ letters (one that could take a typo) costs a second round trip, the
 *    multi-search asking which of its words are known;
 *  - dates keep millisecond precision; string ranges on tokenised text fields match nothing;
 *  - vocabularies are keyed by vocabulary id, so `vocab_<name>` needs the `vocabularyId` option;
 *  - facets see at most MAX_FACET_VALUES values per field (by count); Meilisearch truncates facet
 *    strings at ~468 bytes (milli's MAX_FACET_VALUE_LENGTH), i.e. values over ~230 bytes once
 *    encoded, so exact matches on very long titles/urls fail and their sorts/facets see a prefix.
 */

export interface MeilisearchOptions {
  url: string
  apiKey?: string
  index: string
  /** vocabulary name → id, for `vocab_<name>` (documents key vocabularies by id) */
  vocabularyId?: (name: string) => Promise<string | null>
}

const TASK_TIMEOUT_MS = 120_000
const BATCH = 1000

/** Codes of errors caused by the query itself (→ 409 Search Error), not by the backend. */
const QUERY_ERRORS = new Set([
  'invalid_search_filter',
  'invalid_search_sort',
  'invalid_search_facets',
  'invalid_search_q',
  'invalid_search_attributes_to_search_on',
  'invalid_search_offset',
  'invalid_search_limit',
  'invalid_search_page',
  'invalid_search_hits_per_page',
])

export class MeilisearchIndex implements SearchIndex {
  readonly backend = 'meilisearch' as const
  private readonly client: Meilisearch
  private readonly index: Index<MeiliDocument>

  constructor(private readonly options: MeilisearchOptions) {
    this.client = new Meilisearch({ host: options.url, apiKey: options.apiKey || undefined, timeout: 30_000 })
    this.index = this.client.index<MeiliDocument>(options.index)
  }

  async prepare(): Promise<void> {
    await this.call(async () => {
      const created = await this.client.createIndex(this.options.index, { primaryKey: 'id' }).waitTask({ timeout: TASK_TIMEOUT_MS })
      if (created.status === 'failed' && created.error?.code !== 'index_already_exists') throw taskError(created)
      checkTask(await this.index.updateSettings(INDEX_SETTINGS).waitTask({ timeout: TASK_TIMEOUT_MS }))
    })
  }

  async close(): Promise<void> {}

  async upsert(docs: IndexDocument[]): Promise<void> {
    if (!docs.length) return
    await this.call(async () => {
      const batches: MeiliDocument[][] = []
      for (let i = 0; i < docs.length; i += BATCH) batches.push(docs.slice(i, i + BATCH).map(toMeiliDocument))
      // read-your-writes: the write returns once Meilisearch has applied every batch; allSettled
      // so a failing batch leaves no other request's rejection unhandled
      const settled = await Promise.allSettled(batches.map((b) => this.index.addDocuments(b, { primaryKey: 'id' }).waitTask({ timeout: TASK_TIMEOUT_MS })))
      for (const r of settled) {
        if (r.status === 'rejected') throw r.reason
        checkTask(r.value)
      }
    })
  }

  async remove(ids: string[]): Promise<void> {
    if (!ids.length) return
    await this.call(async () => checkTask(await this.index.deleteDocuments(ids).waitTask({ timeout: TASK_TIMEOUT_MS })))
  }

  async clear(): Promise<void> {
    await this.call(async () => checkTask(await this.index.deleteAllDocuments().waitTask({ timeout: TASK_TIMEOUT_MS })))
  }

  async count(): Promise<number> {
    return this.call(async () => (await this.index.getStats()).numberOfDocuments)
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const vocabularies = await this.vocabularies(req)
    const plan = planSearch(req, vocabularies)
    const withFacets = plan.facets.length ? { facets: plan.facets } : {}
    return this.call(async () => {
      const base: SearchParams = {
        filter: and([plan.filter, ...(await this.knownWords(plan))]),
        sort: plan.sort,
        attributesToRetrieve: ['id'],
        matchingStrategy: 'all',
        ...(plan.attributesToSearchOn ? { attributesToSearchOn: plan.attributesToSearchOn } : {}),
      }
      let hits: Array<{ id: string }>
      let counted: { totalHits?: number; facetDistribution?: Record<string, Record<string, number>> }
      if (req.rows === 0 || req.start % req.rows === 0) {
        // page mode: exact totalHits (up to maxTotalHits) in the same request
        const r = await this.index.search(plan.q, { ...base, ...withFacets, hitsPerPage: req.rows, page: req.rows ? req.start / req.rows + 1 : 1 })
        hits = r.hits
        counted = r
      } else {
        const [page, count] = await Promise.all([this.index.search(plan.q, { ...base, offset: req.start, limit: req.rows }), this.index.search(plan.q, { ...base, ...withFacets, hitsPerPage: 0, page: 1 })])
        hits = page.hits
        counted = count
      }
      const count = counted.totalHits ?? 0
      // fromEntries defines own properties: a facet named `__proto__` stays a facet
      const facets: SearchResult['facets'] = Object.fromEntries(
        req.facetFields.map((f) => {
          const attr = facetAttribute(f, vocabularies)
          const dist = attr && counted.facetDistribution && Object.hasOwn(counted.facetDistribution, attr) ? counted.facetDistribution[attr] : undefined
          return [f, facetPairs(f, dist, count, req.facetLimit, req.facetMincount)]
        }),
      )
      return { count, ids: hits.map((h) => String(h.id)), facets }
    })
  }

  /**
   * The conditions of the plan's words that some visible document has exactly, asked in one
   * multi-search: those words must match as they are, so a typo never widens a known word.
   */
  private async knownWords(plan: SearchPlan): Promise<string[]> {
    if (!plan.exactWords.length) return []
    const queries = plan.exactWords.map((w) => ({ indexUid: this.options.index, q: '', filter: w.probe, limit: 1, attributesToRetrieve: ['id'] }))
    const { results } = await this.client.multiSearch({ queries })
    return plan.exactWords.filter((_, i) => results[i].hits.length > 0).map((w) => w.condition)
  }

  /** Delete the whole index (tests). */
  async drop(): Promise<void> {
    await this.call(async () => {
      await this.client.deleteIndex(this.options.index).waitTask({ timeout: TASK_TIMEOUT_MS })
    })
  }

  private async vocabularies(req: SearchRequest): Promise<VocabularyIds> {
    const lookup = this.options.vocabularyId
    const names = new Set<string>()
    const visit = (n: QueryNode): void => {
      if ('field' in n && n.field?.startsWith('vocab_')) names.add(n.field.slice(6))
      if (n.kind === 'and' || n.kind === 'or') n.children.forEach(visit)
      else if (n.kind === 'not') visit(n.child)
      else if (n.kind === 'match') [...n.clauses, ...n.must, ...n.mustNot].forEach(visit)
    }
    ;[req.query, ...req.filters].forEach(visit)
    for (const f of req.facetFields) if (f.startsWith('vocab_')) names.add(f.slice(6))
    const out = new Map<string, string>()
    if (!lookup) return out
    for (const name of names) {
      const id = await lookup(name)
      if (id) out.set(name, id)
    }
    return out
  }

  /** Backend failures → SearchBackendError; the query's own faults → SearchError. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (err instanceof SearchError || err instanceof SearchBackendError) throw err
      if (err instanceof MeilisearchApiError && err.cause && QUERY_ERRORS.has(err.cause.code)) throw new SearchError(err.cause.message)
      if (err instanceof MeilisearchError) throw new SearchBackendError(`Meilisearch: ${err.message}`, { cause: err })
      throw new SearchBackendError(`Meilisearch: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
  }
}

function taskError(task: Task): SearchBackendError {
  return new SearchBackendError(`Meilisearch task ${task.uid} (${task.type}) ${task.status}: ${task.error?.message ?? 'no detail'}`)
}

function checkTask(task: Task): void {
  if (task.status !== 'succeeded') throw taskError(task)
}
