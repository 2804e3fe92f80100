import { sql, type RawBuilder } from 'kysely'
import type { QueryNode, RangeBound, SortField } from './ast.js'
import { ALWAYS_PRESENT, resolveField, type FieldRef } from './fields.js'
import { SearchError } from '../errors.js'

/**
 * QueryNode → SQL over search_document (alias `d`). Full-text terms match the weighted tsvector
 * built with two configurations (abierto_es over abierto_es_norm: folded, plurals made singular,
 * Spanish stemming; abierto_simple: folded only, so English words and codes match as typed). A
 * word that matches nothing is searched as its known neighbours within the typo bound, found
 * beforehand by PostgresSearchIndex.analyze.
 */
export type Sql = RawBuilder<unknown>

/** What analyze learnt about each free-text word of a query. */
export interface TermInfo {
  /** a stopword in Spanish: it matches nothing and is dropped, as Solr's analyser drops it */
  stop: boolean
  /**
   * known words within the typo bound of a word that matched nothing visible, closest first:
   * the word is searched as these instead (typo tolerance); empty for a word that matched
   */
  similar: string[]
}

export type TermAnalysis = Map<string, TermInfo>

/** The words whose analysis the compiler needs: unquoted full-text terms. */
export function textTerms(node: QueryNode, out: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'term':
      if (!node.phrase && isText(resolveField(node.field))) out.add(node.value)
      break
    case 'and':
    case 'or':
      node.children.forEach((c) => textTerms(c, out))
      break
    case 'not':
      textTerms(node.child, out)
      break
    case 'match':
      ;[...node.clauses, ...node.must, ...node.mustNot].forEach((c) => textTerms(c, out))
      break
  }
  return out
}

const isText = (ref: FieldRef) => ref.info.kind === 'text'

const TRUE = sql`TRUE`
const FALSE = sql`FALSE`

/** Solr's mm `2<-1 5<80%`, applied again after stopwords are dropped. */
export function minimumMatch(n: number): number {
  if (n <= 2) return n
  if (n <= 5) return n - 1
  return Math.floor(n * 0.8)
}

export class QueryCompiler {
  /** positive full-text queries, OR-ed into the relevance score */
  readonly rankQueries: Sql[] = []
  /** the corrections of misspelt words: they score too, below any exact word */
  readonly typoRankQueries: Sql[] = []
  /** the query matches full text (its matches come from the GIN index, computed once before sorting) */
  usesText = false

  constructor(private readonly terms: TermAnalysis) {}

  compile(node: QueryNode, negated = false): Sql {
    switch (node.kind) {
      case 'all':
        return TRUE
      case 'and':
        return node.children.length
          ? sql`(${sql.join(
              node.children.map((c) => this.compile(c, negated)),
              sql` AND `,
            )})`
          : TRUE
      case 'or':
        return node.children.length
          ? sql`(${sql.join(
              node.children.map((c) => this.compile(c, negated)),
              sql` OR `,
            )})`
          : FALSE
      case 'not':
        return sql`(NOT coalesce(${this.compile(node.child, !negated)}, FALSE))`
      case 'match':
        return this.match(node, negated)
      case 'term':
        return this.term(node.field, node.value, node.phrase, negated)
      case 'wildcard':
        return this.wildcard(node.field, node.pattern)
      case 'exists':
        return this.exists(resolveField(node.field))
      case 'range':
        return this.range(node.field, node.lower, node.upper)
    }
  }

  private match(node: Extract<QueryNode, { kind: 'match' }>, negated: boolean): Sql {
    const live = (c: QueryNode) => !(c.kind === 'term' && !c.phrase && this.terms.get(c.value)?.stop)
    const clauses = node.clauses.filter(live)
    const parts: Sql[] = [...node.must.filter(live).map((c) => this.compile(c, negated)), ...node.mustNot.map((c) => sql`(NOT coalesce(${this.compile(c, !negated)}, FALSE))`)]
    if (clauses.length) {
      const compiled = clauses.map((c) => this.compile(c, negated))
      const need = Math.min(node.minimumMatch, minimumMatch(clauses.length))
      if (need >= clauses.length) parts.push(...compiled)
      else {
        // any clause (index-friendly) and then the count
        parts.push(sql`(${sql.join(compiled, sql` OR `)})`)
        if (need > 1)
          parts.push(
            sql`((${sql.join(
              compiled.map((c) => sql`(${c})::int`),
              sql` + `,
            )}) >= ${need})`,
          )
      }
    }
    if (!parts.length) return node.clauses.length || node.must.length ? FALSE : TRUE
    return sql`(${sql.join(parts, sql` AND `)})`
  }

  /** The tsquery for one word or phrase: Spanish stem OR as typed; a misspelt word's corrections instead of it. */
  private tsquery(value: string, phrase: boolean): { exact: Sql; typo: Sql | null } | null {
    if (phrase) return { exact: sql`(phraseto_tsquery('abierto_es', abierto_es_norm(${value})) || phraseto_tsquery('abierto_simple', ${value}))`, typo: null }
    const info = this.terms.get(value)
    if (info?.stop) return null
    const similar = info?.similar ?? []
    return {
      exact: wordQuery(sql`${value}`),
      typo: similar.length
        ? sql`(${sql.join(
            similar.map((w) => wordQuery(sql`${w}`)),
            sql` || `,
          )})`
        : null,
    }
  }

  /**
   * Full-text match. The GIN index on search_document.vector finds candidates for any text field (the
   * vector holds them all); `exact` then narrows to the one field asked for.
   */
  private textMatch(value: string, phrase: boolean, negated: boolean, opts: { rank: boolean; exact?: (q: Sql) => Sql; onText?: (q: Sql) => Sql }): Sql {
    const qs = this.tsquery(value, phrase)
    // a stopword matches nothing; under NOT it must not exclude everything either
    if (!qs) return negated ? FALSE : TRUE
    if (opts.rank && !negated) (qs.typo ? this.typoRankQueries : this.rankQueries).push(qs.typo ?? qs.exact)
    return this.inText(qs.typo ? sql`(${qs.exact} || ${qs.typo})` : qs.exact, opts)
  }

  private inText(q: Sql, opts: { exact?: (q: Sql) => Sql; onText?: (q: Sql) => Sql }): Sql {
    this.usesText = true
    const parts = [sql`d.vector @@ ${q}`]
    if (opts.onText) parts.push(opts.onText(q))
    if (opts.exact) parts.push(opts.exact(q))
    return sql`(${sql.join(parts, sql` AND `)})`
  }

  private term(field: string | null, value: string, phrase: boolean, negated: boolean): Sql {
    const ref = resolveField(field)
    switch (ref.type) {
      case 'vocab':
        return sql`(d.vocab_tags @> ARRAY[(SELECT v.id FROM vocabulary v WHERE v.name = ${ref.vocabulary}) || ':' || ${value}]::text[])`
      case 'extra_exact':
        return sql`(d.extras ->> ${ref.key} = ${value})`
      case 'extra_text':
        return this.textMatch(value, phrase, negated, { rank: false, exact: (q) => sql`${onTheFly(sql`d.extras ->> ${ref.key}`)} @@ ${q}` })
    }
    const name = ref.name
    switch (name) {
      case 'text':
        return this.textMatch(value, phrase, negated, { rank: true })
      case 'title':
        return this.textMatch(value, phrase, negated, { rank: true, exact: titleOnly })
      case 'capacity':
        return value === 'public' ? sql`(NOT d.private)` : value === 'private' ? sql`d.private` : FALSE
      case 'site_id':
        return value === 'default' ? TRUE : FALSE
      case 'entity_type':
        return value === 'package' ? TRUE : FALSE
      case 'private':
        return value === 'true' ? sql`d.private` : value === 'false' ? sql`(NOT d.private)` : FALSE
      case 'title_string':
        return sql`(d.title = ${value})`
      case 'metadata_created':
      case 'metadata_modified':
        return sql`(${sql.ref(`d.${name}`)} = ${timestamp(value)}::timestamp)`
      case 'num_resources':
      case 'num_tags':
        return sql`(${sql.ref(`d.${name}`)} = ${integer(value)})`
    }
    if (ref.info.kind === 'text') return this.textMatch(value, phrase, negated, { rank: false, onText: (q) => sql`${onTheFly(sql`d.texts ->> ${name}`)} @@ ${q}` })
    if (ref.info.multi) return sql`(${sql.ref(`d.${name}`)} @> ARRAY[${value}]::text[])`
    return sql`(${column(name)} = ${value})`
  }

  private wildcard(field: string | null, pattern: string): Sql {
    const ref = resolveField(field)
    const like = likePattern(pattern)
    if (ref.type === 'vocab') return sql`EXISTS (SELECT 1 FROM unnest(d.vocab_tags) x WHERE x LIKE (SELECT v.id FROM vocabulary v WHERE v.name = ${ref.vocabulary}) || ':' || ${like})`
    if (ref.type === 'extra_exact') return sql`(d.extras ->> ${ref.key} LIKE ${like})`
    if (ref.type === 'extra_text') return sql`(abierto_fold(d.extras ->> ${ref.key}) LIKE abierto_fold(${like}))`
    const name = ref.name
    if (name === 'text' || name === 'title') {
      const prefix = /^[\p{L}\p{N}]+\*$/u.test(pattern) ? pattern.slice(0, -1) : null
      if (prefix) {
        const q = sql`to_tsquery('abierto_simple', ${`${prefix}:*`})`
        this.rankQueries.push(q)
        return this.inText(q, name === 'title' ? { exact: titleOnly } : {})
      }
      const haystack = name === 'title' ? sql`d.title` : sql`(d.title || ' ' || d.name || ' ' || array_to_string(d.tags, ' '))`
      return sql`(abierto_fold(${haystack}) LIKE abierto_fold(${like}))`
    }
    if (ref.info.kind === 'text') return sql`(abierto_fold(d.texts ->> ${name}) LIKE abierto_fold(${like}))`
    if (ref.info.multi) return sql`EXISTS (SELECT 1 FROM unnest(${sql.ref(`d.${name}`)}) x WHERE x LIKE ${like})`
    if (ref.info.kind === 'exact') return sql`(${column(name)} LIKE ${like})`
    return sql`(${column(name)}::text LIKE ${like})`
  }

  private exists(ref: FieldRef): Sql {
    if (ref.type === 'vocab') return sql`EXISTS (SELECT 1 FROM unnest(d.vocab_tags) x WHERE x LIKE (SELECT v.id FROM vocabulary v WHERE v.name = ${ref.vocabulary}) || ':%')`
    if (ref.type === 'extra_exact' || ref.type === 'extra_text') return sql`(coalesce(d.extras ->> ${ref.key}, '') <> '')`
    const name = ref.name
    if (ALWAYS_PRESENT.has(name)) return TRUE
    if (name === 'title' || name === 'title_string') return sql`(d.title <> '')`
    if (ref.info.kind === 'text') return sql`(coalesce(d.texts ->> ${name}, '') <> '')`
    if (ref.info.multi) return sql`(cardinality(${sql.ref(`d.${name}`)}) > 0)`
    if (ref.info.kind === 'date') return sql`(${sql.ref(`d.${name}`)} IS NOT NULL)`
    return sql`(coalesce(${column(name)}, '') <> '')`
  }

  private range(field: string, lower: RangeBound | null, upper: RangeBound | null): Sql {
    const ref = resolveField(field)
    if (!lower && !upper) return this.exists(ref)
    const bounds = (expr: Sql, cast: (v: string) => Sql): Sql => {
      const parts: Sql[] = []
      if (lower) parts.push(sql`${expr} ${sql.raw(lower.inclusive ? '>=' : '>')} ${cast(lower.value)}`)
      if (upper) parts.push(sql`${expr} ${sql.raw(upper.inclusive ? '<=' : '<')} ${cast(upper.value)}`)
      return sql`(${sql.join(parts, sql` AND `)})`
    }
    const text = (v: string) => sql`${v} COLLATE "C"`
    if (ref.type === 'vocab') return FALSE
    if (ref.type !== 'core') return bounds(sql`(d.extras ->> ${ref.key}) COLLATE "C"`, text)
    const name = ref.name
    if (ref.info.kind === 'date') return bounds(sql.ref(`d.${name}`), (v) => sql`${timestamp(v)}::timestamp`)
    if (ref.info.kind === 'int') return bounds(sql.ref(`d.${name}`), (v) => sql`${integer(v)}`)
    if (name === 'title' || name === 'title_string') return bounds(sql`d.title COLLATE "C"`, text)
    if (ref.info.kind === 'text') return bounds(sql`(d.texts ->> ${name}) COLLATE "C"`, text)
    if (ref.info.multi) {
      const parts: Sql[] = []
      if (lower) parts.push(sql`x COLLATE "C" ${sql.raw(lower.inclusive ? '>=' : '>')} ${lower.value}`)
      if (upper) parts.push(sql`x COLLATE "C" ${sql.raw(upper.inclusive ? '<=' : '<')} ${upper.value}`)
      return sql`EXISTS (SELECT 1 FROM unnest(${sql.ref(`d.${name}`)}) x WHERE ${sql.join(parts, sql` AND `)})`
    }
    if (name === 'capacity' || name === 'private' || name === 'site_id' || name === 'entity_type') return FALSE
    return bounds(sql`${column(name)} COLLATE "C"`, text)
  }
}

/** What one word matches: its Spanish stem (plurals made singular), or the word as typed. */
export const wordQuery = (word: Sql): Sql => sql`(plainto_tsquery('abierto_es', abierto_es_norm(${word})) || plainto_tsquery('abierto_simple', ${word}))`

const titleOnly = (q: Sql): Sql => sql`ts_filter(d.rank_vector, '{a}') @@ ${q}`

const onTheFly = (expr: Sql): Sql => sql`(to_tsvector('abierto_es', abierto_es_norm(coalesce(${expr}, ''))) || to_tsvector('abierto_simple', coalesce(${expr}, '')))`

/** Single-valued exact fields → their column. */
export function column(name: string): Sql {
  switch (name) {
    case 'id':
      return sql`d.package_id`
    case 'title_string':
      return sql`d.title`
    case 'capacity':
      return sql`(CASE WHEN d.private THEN 'private' ELSE 'public' END)`
    case 'site_id':
      return sql`'default'::text`
    case 'entity_type':
      return sql`'package'::text`
    case 'private':
      return sql`(d.private::text)`
    default:
      return sql.ref(`d.${name}`)
  }
}

/** Solr wildcard (`*`, `?`, `\` escapes) → LIKE pattern. */
export function likePattern(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[++i]
      out += n === '%' || n === '_' || n === '\\' ? `\\${n}` : n
    } else if (c === '*') out += '%'
    else if (c === '?') out += '_'
    else if (c === '%' || c === '_') out += `\\${c}`
    else out += c
  }
  return out
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]00:?00)?$/

/** A Solr date (ISO 8601 UTC) → 'YYYY-MM-DD HH:MM:SS.ffffff' for our UTC timestamp columns. */
export function timestamp(value: string): string {
  const m = ISO.exec(value.trim())
  if (!m) throw new SearchError(`Invalid Date String:'${value}'`)
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m
  const t = `${y}-${mo}-${d} ${h}:${mi}:${s}${frac.slice(0, 7)}`
  if (Number.isNaN(Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`))) throw new SearchError(`Invalid Date String:'${value}'`)
  return t
}

function integer(value: string): number {
  if (!/^[+-]?\d{1,15}$/.test(value.trim())) throw new SearchError(`Invalid Number: ${value}`)
  return Number(value)
}

/** ORDER BY for the sort fields (fields already checked against SORTABLE_FIELDS). */
export function orderBy(sort: SortField[], rank: Sql | null): Sql {
  const parts: Sql[] = []
  for (const s of sort) {
    const dir = sql.raw(s.dir === 'asc' ? 'ASC' : 'DESC')
    if (s.field === 'score') {
      if (rank) parts.push(sql`${rank} ${dir}`)
      continue
    }
    const name = s.field === 'dataset_type' ? 'type' : s.field
    // NOT NULL columns sort without a NULLS clause, so the btree indexes serve the order
    if (['metadata_created', 'metadata_modified', 'num_resources', 'num_tags', 'private'].includes(name)) parts.push(sql`${sql.ref(`d.${name}`)} ${dir}`)
    else if (name === 'name' || name === 'title_string' || name === 'id') parts.push(sql`${column(name)} COLLATE "C" ${dir}`)
    else parts.push(sql`${column(name)} COLLATE "C" ${dir} NULLS LAST`)
  }
  // a stable order for paging (harvesters page with start/rows)
  parts.push(sql`d.package_id ASC`)
  return sql.join(parts, sql`, `)
}
