/**
 * The one query tree every search backend translates. The parser (solr-query.ts) builds it from
 * CKAN's Solr-style `q`/`fq`; adapters (postgres.ts, meilisearch/) turn it into SQL or a
 * Meilisearch request. Field names are CKAN's index field names (see fields.ts); `field: null`
 * means the default field (`text`, the catch-all).
 */
export type QueryNode =
  /** `*:*`: every document */
  | { kind: 'all' }
  /** `field:value` or a bare word / `"phrase"` (field null). `phrase` keeps the words in order. */
  | { kind: 'term'; field: string | null; value: string; phrase: boolean; fuzzy?: boolean }
  /** `field:wat*r?` — `*` any run of characters, `?` one character (pattern keeps them literally, escapes removed: `\*` is stored as `\*`) */
  | { kind: 'wildcard'; field: string | null; pattern: string }
  /** `field:*` or `field:[* TO *]`: the field has a value */
  | { kind: 'exists'; field: string }
  /** `[a TO b]`, `{a TO b}`, mixed; a null bound is `*` (open). Date math is already resolved to ISO 8601 UTC. */
  | { kind: 'range'; field: string; lower: RangeBound | null; upper: RangeBound | null }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** DisMax (a `q` without `:`): at least `minimumMatch` of `clauses` must match; `must`/`mustNot` from `+`/`-`. */
  | { kind: 'match'; clauses: QueryNode[]; minimumMatch: number; must: QueryNode[]; mustNot: QueryNode[] }

export interface RangeBound {
  value: string
  inclusive: boolean
}

export interface SortField {
  /** `score` or an index field name */
  field: string
  dir: 'asc' | 'desc'
}
