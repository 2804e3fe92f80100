import type { QueryNode, SortField } from './ast.js'
import type { IndexDocument } from './document.js'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/**
 * Who may see what, as CKAN's permission labels: a document matches when it carries at least one
 * of `labels` (null = no label filter: sysadmins), is in one of `states`, and is public unless
 * `includePrivate`.
 */
export interface VisibilityFilter {
  labels: string[] | null
  states: string[]
  includePrivate: boolean
}

export interface SearchRequest {
  /** the parsed `q` */
  query: QueryNode
  /** each parsed `fq` / `fq_list` item; all must match */
  filters: QueryNode[]
  visibility: VisibilityFilter
  /** never empty; `score` ranks by relevance to `query` */
  sort: SortField[]
  rows: number
  start: number
  /** exact fields to count values of (validated by the caller with fields.facetable) */
  facetFields: string[]
  /** top values per facet by count; negative = unlimited */
  facetLimit: number
  facetMincount: number
}

export interface SearchResult {
  count: number
  /** matching dataset ids of the requested page, in result order */
  ids: string[]
  /** per requested field: [value, count] pairs, count descending (ties by value ascending) */
  facets: Record<string, Array<[string, number]>>
  /**
   * Words of the query the backend did not know and searched as known words instead (typo
   * tolerance), so a page can say so. Backends that cannot tell leave it undefined. Never part of
   * package_search's public answer.
   */
  corrections?: SearchCorrection[]
}

/** One query word replaced (or widened) by the backend, and the words it searched for it, closest first. */
export interface SearchCorrection {
  word: string
  suggestions: string[]
}

/** Thrown by adapters when the backend cannot be reached or fails (mapped to CKAN's 500 Search Connection Error / 409 Search Error). */
export class SearchBackendError extends Error {}

/** A search backend. Writes are idempotent upserts by dataset id; the index can always be rebuilt from Postgres. */
export interface SearchIndex {
  readonly backend: 'postgres' | 'meilisearch'
  /** create tables/indexes/settings if missing; safe to call at every start */
  prepare(): Promise<void>
  search(req: SearchRequest): Promise<SearchResult>
  upsert(docs: IndexDocument[]): Promise<void>
  remove(ids: string[]): Promise<void>
  /**
   * A backend stored in the same Postgres (the embedded default) returns an instance that writes
   * through this transaction, so the index changes commit with the outbox; others omit it.
   */
  inTransaction?(db: Kysely<Database>): SearchIndex
  /**
   * Optional fast full rebuild: writes go to `index` (an empty copy), `commit` swaps it in,
   * `abort` throws it away. Backends without it are rebuilt by upserts in place.
   */
  rebuild?(): Promise<{ index: SearchIndex; commit(): Promise<void>; abort(): Promise<void> }>
  /** remove every document (before a full rebuild) */
  clear(): Promise<void>
  /** number of documents in the index */
  count(): Promise<number>
  close(): Promise<void>
}
