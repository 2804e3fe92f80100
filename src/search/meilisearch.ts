import { Meilisearch, MeilisearchApiError, MeilisearchError, type Index, type SearchParams, type Settings, type Task } from 'meilisearch'
import type { QueryNode, RangeBound } from './ast.js'
import type { IndexDocument } from './document.js'
import { ALWAYS_PRESENT, resolveField, type FieldRef } from './fields.js'
import { SearchBackendError, type SearchIndex, type SearchRequest, type SearchResult } from './port.js'
import { SearchError } from '../errors.js'

/**
 * The production search backend (SEARCH=meilisearch). Needs Meilisearch ≥ 1.15: string
 * comparison filters (1.15) carry prefixes and ranges, and the settings use prefixSearch (1.12)
 * and localizedAttributes (1.10). See "Limits" at the end of this comment.
 *
 * Meilisearch's filter language has no full text, and its `=` on strings is case-insensitive, so
 * each document carries, besides the searchable plain attributes (title, tags, notes…):
 *  - `e.<field>`: every exact field (and extras `x.<key>`, vocabularies `v.<id>`) *encoded* with
 *    encodeValue, an alphabet of lowercase letters and digits that keeps byte order: equality
 *    becomes case-sensitive, `name:agua*` becomes the range `enc(agua) TO enc(agua)+"w"`,
 *    ranges and sorts compare like Postgres' COLLATE "C", and facet values decode losslessly.
 *  - `n.<field>`: dates (epoch milliseconds) and integers, for typed ranges and sorts.
 *  - `w.<field>` (`wx.<key>` for extras): the words of each text field, folded (lowercase, no
 *    accents) with a light Spanish plural stemmer, so a text term anywhere in a boolean tree
 *    (under OR / NOT, in a DisMax minimum-match) is an exact filter.
 * Free-text terms that are plain conjuncts of the request go to Meilisearch's `q` instead (typo
 * tolerance, its relevance ranking), restricted with attributesToSearchOn; see planSearch.
 *
 * Limits (approximations, all documented where they happen):
 *  - wildcards other than a trailing `*` keep only their literal prefix (a superset); a leading
 *    wildcard is "has a value";
 *  - a DisMax `q` whose minimum-match lets words be missing is matched exactly through `w.*` but
 *    not ranked (Meilisearch's `q` has no "n of m words" mode), and a sort that does not start
 *    with `score` matches text through `w.*` only (no typo tolerance) so the sort is exact;
 *  - dates keep millisecond precision; string ranges on tokenised text fields match nothing;
 *  - vocabularies are keyed by vocabulary id, so `vocab_<name>` needs the `vocabularyId` option;
 *  - facets see at most MAX_FACET_VALUES values per field (by count); Meilisearch truncates facet
 *    strings at ~468 bytes (milli's MAX_FACET_VALUE_LENGTH), i.e. values over ~230 bytes once
 *    encoded, so exact matches on very long titles/urls fail and their sorts/facets see a prefix.
 */

/** Values per facet Meilisearch returns (setting faceting.maxValuesPerFacet); facet.limit=-1 is capped here. */
export const MAX_FACET_VALUES = 10_000
/** Largest result window (pagination.maxTotalHits): `count` and paging are exact up to it. */
export const MAX_TOTAL_HITS = 1_000_000

// ---------------------------------------------------------------------------------------------
// Encoding and words

const HIGH = 'ghijklmnopqrstuv'
const LOW = '0123456789abcdef'

/**
 * A string as two characters per UTF-8 byte: high nibble g–v, low nibble 0–9a–f. Lowercase only
 * (Meilisearch lowercases filter values), quote-free (no escaping in filters), order-preserving
 * (byte order = code point order = COLLATE "C"), and prefixes map to prefixes.
 */
export function encodeValue(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) out += HIGH[b >> 4] + LOW[b & 15]
  return out
}

export function decodeValue(s: string): string {
  const bytes: number[] = []
  for (let i = 0; i + 1 < s.length; i += 2) bytes.push((HIGH.indexOf(s[i]) << 4) | LOW.indexOf(s[i + 1]))
  return Buffer.from(bytes).toString('utf8')
}

/** Greater than every encoded string that starts with the same prefix. */
const AFTER = 'w'

/**
 * Spanish function words, dropped from text queries: the Snowball Spanish list's unaccented
 * entries, which is what the Postgres adapter's `unaccent, spanish_stem` configuration drops (its
 * accented entries never match once accents are gone), so both backends ignore the same words.
 */
export const STOP_WORDS: readonly string[] = (
  'a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el ' +
  'ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta estaba estabais ' +
  'estaban estabas estad estada estadas estado estados estamos estando estar estaremos estas este ' +
  'estemos esto estos estoy estuve estuviera estuvierais estuvieran estuvieras estuvieron estuviese ' +
  'estuvieseis estuviesen estuvieses estuvimos estuviste estuvisteis estuvo fue fuera fuerais ' +
  'fueran fueras fueron fuese fueseis fuesen fueses fui fuimos fuiste fuisteis ha habida habidas ' +
  'habido habidos habiendo habremos han has hasta hay haya hayamos hayan hayas he hemos hube ' +
  'hubiera hubierais hubieran hubieras hubieron hubiese hubieseis hubiesen hubieses hubimos hubiste ' +
  'hubisteis hubo la las le les lo los me mi mis mucho muchos muy nada ni no nos nosotras nosotros ' +
  'nuestra nuestras nuestro nuestros o os otra otras otro otros para pero poco por porque que quien ' +
  'quienes se sea seamos sean seas sentid sentida sentidas sentido sentidos seremos siente sin ' +
  'sintiendo sobre sois somos son soy su sus suya suyas suyo suyos tanto te tendremos tened tenemos ' +
  'tenga tengamos tengan tengas tengo tenida tenidas tenido tenidos teniendo ti tiene tienen tienes ' +
  'todo todos tu tus tuve tuviera tuvierais tuvieran tuvieras tuvieron tuviese tuvieseis tuviesen ' +
  'tuvieses tuvimos tuviste tuvisteis tuvo tuya tuyas tuyo tuyos un una uno unos vosostras ' +
  'vosostros vuestra vuestras vuestro vuestros y ya yo'
).split(' ')
const STOP = new Set(STOP_WORDS)

/** Lowercase, accents removed, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}

/** A light Spanish plural stemmer: presupuestos → presupuesto, ciudades → ciudad, calles/calle → call. */
export function stem(word: string): string {
  let w = word
  if (w.length > 3 && w.endsWith('s') && !/\d/.test(w)) w = w.slice(0, -1)
  if (w.length > 3 && w.endsWith('e') && !/[aeiou]/.test(w[w.length - 2])) w = w.slice(0, -1)
  return w
}

/** What `w.<field>` holds for a text: each word as written (for prefix queries) and stemmed. */
export function wordTokens(texts: string[]): string[] {
  const out = new Set<string>()
  for (const t of texts) {
    for (const w of words(t)) {
      out.add(encodeValue(w))
      out.add(encodeValue(stem(w)))
    }
  }
  return [...out]
}

// ---------------------------------------------------------------------------------------------
// Documents

export interface MeiliDocument {
  id: string
  [attribute: string]: unknown
}

/** Text fields with a `w.<field>` word list (`text` is the catch-all). */
const TEXT_FIELDS = ['text', 'title', 'notes', 'license', 'author', 'author_email', 'maintainer', 'maintainer_email', 'urls', 'res_name', 'res_description'] as const

/** Searchable plain attributes in ranking order (title > tags > notes > resources/org > the rest). */
export const SEARCHABLE_ATTRIBUTES = ['title', 'tags', 'name', 'notes', 'res_name', 'res_description', 'organization', 'groups', 'extras', 'author', 'maintainer', 'license', 'urls', 'author_email', 'maintainer_email']

/** Text fields `q` can search with attributesToSearchOn (each is a searchable attribute of the same name); `text` is all of them. */
const Q_FIELDS = new Set(['text', 'title', 'notes', 'res_name', 'res_description', 'author', 'maintainer', 'license', 'urls', 'author_email', 'maintainer_email'])

const SINGLE_EXACT = ['id', 'name', 'state', 'type', 'owner_org', 'organization', 'license_id', 'url', 'version', 'creator_user_id'] as const
const MULTI_EXACT = ['tags', 'groups', 'res_format', 'res_url', 'res_type', 'permission_labels'] as const

function epochMs(iso: string): number | null {
  if (!iso) return null
  const m = ISO.exec(iso.trim())
  if (!m) return null
  return isoMs(m)
}

export function toMeiliDocument(d: IndexDocument): MeiliDocument {
  const e: Record<string, string | string[]> = {}
  const put = (k: string, v: string | null | undefined) => {
    if (v) e[k] = encodeValue(v)
  }
  for (const k of SINGLE_EXACT) put(k, d[k])
  put('title_string', d.title)
  put('private', String(d.private))
  for (const k of MULTI_EXACT) if (d[k].length) e[k] = [...new Set(d[k])].map(encodeValue)
  const n: Record<string, number> = { num_resources: d.num_resources, num_tags: d.num_tags }
  for (const k of ['metadata_created', 'metadata_modified'] as const) {
    const ms = epochMs(d[k])
    if (ms !== null) n[k] = ms
  }
  const x: Record<string, string> = {}
  const wx: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(d.extras)) {
    if (!v) continue
    x[encodeValue(k)] = encodeValue(v)
    wx[encodeValue(k)] = wordTokens([v])
  }
  const v: Record<string, string[]> = {}
  for (const [vid, names] of Object.entries(d.vocab)) if (names.length) v[encodeValue(vid)] = names.map(encodeValue)
  const vocabTags = Object.values(d.vocab).flat()
  const urls = [d.url, ...d.res_url].filter(Boolean)
  const texts: Record<(typeof TEXT_FIELDS)[number], string[]> = {
    text: [
      d.name,
      d.title,
      d.notes,
      ...d.tags,
      ...vocabTags,
      ...d.groups,
      ...d.group_titles,
      d.organization ?? '',
      d.organization_title,
      ...d.res_name,
      ...d.res_description,
      d.license,
      d.author,
      d.maintainer,
      ...urls,
      ...Object.values(d.extras),
    ],
    title: [d.title],
    notes: [d.notes],
    license: [d.license],
    author: [d.author],
    author_email: [d.author_email],
    maintainer: [d.maintainer],
    maintainer_email: [d.maintainer_email],
    urls,
    res_name: d.res_name,
    res_description: d.res_description,
  }
  const w: Record<string, string[]> = {}
  for (const f of TEXT_FIELDS) {
    const tokens = wordTokens(texts[f])
    if (tokens.length) w[f] = tokens
  }
  return {
    id: d.id,
    title: d.title,
    tags: [...d.tags, ...vocabTags],
    name: d.name.replace(/[-_]+/g, ' '),
    notes: d.notes,
    res_name: d.res_name,
    res_description: d.res_description,
    organization: [d.organization ?? '', d.organization_title].filter(Boolean),
    groups: [...d.groups, ...d.group_titles],
    extras: Object.values(d.extras),
    author: d.author,
    maintainer: d.maintainer,
    license: d.license,
    urls,
    author_email: d.author_email,
    maintainer_email: d.maintainer_email,
    e,
    n,
    x,
    v,
    w,
    wx,
  }
}

const SORTABLE: Record<string, string> = {
  id: 'e.id',
  name: 'e.name',
  title_string: 'e.title_string',
  state: 'e.state',
  type: 'e.type',
  dataset_type: 'e.type',
  license_id: 'e.license_id',
  organization: 'e.organization',
  owner_org: 'e.owner_org',
  // 'private' > 'public' as 'true' > 'false'
  capacity: 'e.private',
  private: 'e.private',
  version: 'e.version',
  url: 'e.url',
  metadata_created: 'n.metadata_created',
  metadata_modified: 'n.metadata_modified',
  num_resources: 'n.num_resources',
  num_tags: 'n.num_tags',
}

export const INDEX_SETTINGS: Settings = {
  searchableAttributes: SEARCHABLE_ATTRIBUTES,
  displayedAttributes: ['id'],
  filterableAttributes: ['e', 'n', 'x', 'v', 'w', 'wx'],
  sortableAttributes: [...new Set(Object.values(SORTABLE))],
  // `sort` after the relevance rules: "score desc, metadata_modified desc" ranks by relevance first
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'],
  stopWords: [...STOP_WORDS],
  typoTolerance: { enabled: true },
  // whole words, as Solr and the Postgres adapter match: `rio` must not find "riobamba"
  prefixSearch: 'disabled',
  // facet *search* is never used, and the w.* word lists would make it costly to index
  facetSearch: false,
  faceting: { maxValuesPerFacet: MAX_FACET_VALUES, sortFacetValuesBy: { '*': 'count' } },
  pagination: { maxTotalHits: MAX_TOTAL_HITS },
  localizedAttributes: [{ attributePatterns: SEARCHABLE_ATTRIBUTES, locales: ['spa'] }],
}

// ---------------------------------------------------------------------------------------------
// Query tree → filter

/** Meilisearch has no boolean literals: every document has `e.id`. */
export const TRUE = 'e.id EXISTS'
export const FALSE = 'NOT e.id EXISTS'

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]00:?00)?$/

function isoMs(m: RegExpExecArray): number | null {
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m
  const base = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`)
  if (Number.isNaN(base)) return null
  return base + (frac ? Math.floor(Number(`0${frac}`) * 1000) : 0)
}

function dateMs(value: string): number {
  const m = ISO.exec(value.trim())
  const ms = m ? isoMs(m) : null
  if (ms === null) throw new SearchError(`Invalid Date String:'${value}'`)
  return ms
}

function integer(value: string): number {
  if (!/^[+-]?\d{1,15}$/.test(value.trim())) throw new SearchError(`Invalid Number: ${value}`)
  return Number(value)
}

/** Solr's mm `2<-1 5<80%`. */
export function minimumMatch(n: number): number {
  if (n <= 2) return n
  if (n <= 5) return n - 1
  return Math.floor(n * 0.8)
}

export function and(parts: string[]): string {
  if (parts.includes(FALSE)) return FALSE
  const live = [...new Set(parts.filter((p) => p !== TRUE))]
  if (live.length === 0) return TRUE
  return live.length === 1 ? live[0] : `(${live.join(' AND ')})`
}

export function or(parts: string[]): string {
  if (parts.includes(TRUE)) return TRUE
  const live = [...new Set(parts.filter((p) => p !== FALSE))]
  if (live.length === 0) return FALSE
  return live.length === 1 ? live[0] : `(${live.join(' OR ')})`
}

export function not(part: string): string {
  if (part === TRUE) return FALSE
  if (part === FALSE) return TRUE
  return `NOT ${part.startsWith('(') ? part : `(${part})`}`
}

const eq = (attr: string, value: string) => `${attr} = "${encodeValue(value)}"`
const exists = (attr: string) => `${attr} EXISTS`

/** `vocab_<name>` → the vocabulary id documents are keyed by (unknown names stay as they are). */
export type VocabularyIds = ReadonlyMap<string, string>

/** Text-field terms with no searchable word (stopwords, punctuation) never restrict, negated or not. */
function isStopTerm(node: QueryNode): boolean {
  if (node.kind !== 'term' || resolveField(node.field).info.kind !== 'text') return false
  return words(node.value).every((w) => STOP.has(w))
}

/** Attribute holding the folded words of a text field, or null when no document can have it. */
function wordAttr(ref: FieldRef): string | null {
  if (ref.type === 'extra_text') return ref.key.startsWith('res_extras_') ? null : `wx.${encodeValue(ref.key)}`
  if (ref.type === 'core' && (TEXT_FIELDS as readonly string[]).includes(ref.name)) return `w.${ref.name}`
  return null
}

/** Attribute of an exact core field (capacity, site_id and entity_type are handled before). */
function exactAttr(name: string): string {
  return `e.${name}`
}

export class FilterCompiler {
  constructor(private readonly vocabularies: VocabularyIds = new Map()) {}

  compile(node: QueryNode, negated = false): string {
    switch (node.kind) {
      case 'all':
        return TRUE
      case 'and':
        return and(node.children.map((c) => this.compile(c, negated)))
      case 'or':
        return or(node.children.map((c) => this.compile(c, negated)))
      case 'not':
        return not(this.compile(node.child, !negated))
      case 'match':
        return this.match(node, negated)
      case 'term':
        return this.term(node.field, node.value, negated)
      case 'wildcard':
        return this.wildcard(node.field, node.pattern)
      case 'exists':
        return this.exists(resolveField(node.field))
      case 'range':
        return this.range(node.field, node.lower, node.upper)
    }
  }

  private match(node: Extract<QueryNode, { kind: 'match' }>, negated: boolean): string {
    const clauses = node.clauses.filter((c) => !isStopTerm(c))
    const parts = [...node.must.filter((c) => !isStopTerm(c)).map((c) => this.compile(c, negated)), ...node.mustNot.map((c) => not(this.compile(c, !negated)))]
    if (clauses.length) {
      const compiled = clauses.map((c) => this.compile(c, negated))
      const need = Math.min(node.minimumMatch, minimumMatch(clauses.length))
      if (need >= compiled.length) parts.push(...compiled)
      else if (need <= 1) parts.push(or(compiled))
      else if (binomial(compiled.length, need) <= 64) parts.push(or(combinations(compiled, need).map(and)))
      // too many combinations for one filter: any clause (a superset)
      else parts.push(or(compiled))
    }
    if (!parts.length) return node.clauses.length || node.must.length ? FALSE : TRUE
    return and(parts)
  }

  private textTerm(attr: string | null, value: string, negated: boolean): string {
    const ws = words(value).filter((w) => !STOP.has(w))
    // a stopword matches nothing and is dropped; under NOT it must not exclude everything either
    if (!ws.length) return negated ? FALSE : TRUE
    if (!attr) return FALSE
    // a phrase as all of its words (word order is not kept: a superset)
    return and(ws.map((w) => `${attr} = "${encodeValue(stem(w))}"`))
  }

  private term(field: string | null, value: string, negated: boolean): string {
    const ref = resolveField(field)
    if (ref.info.kind === 'text') return this.textTerm(wordAttr(ref), value, negated)
    if (ref.type === 'vocab') return eq(`v.${encodeValue(this.vocabularies.get(ref.vocabulary) ?? ref.vocabulary)}`, value)
    if (ref.type === 'extra_exact' || ref.type === 'extra_text') return eq(`x.${encodeValue(ref.key)}`, value)
    const name = ref.name
    switch (name) {
      case 'capacity':
        return value === 'public' ? eq('e.private', 'false') : value === 'private' ? eq('e.private', 'true') : FALSE
      case 'site_id':
        return value === 'default' ? TRUE : FALSE
      case 'entity_type':
        return value === 'package' ? TRUE : FALSE
      case 'private':
        return value === 'true' || value === 'false' ? eq('e.private', value) : FALSE
      case 'metadata_created':
      case 'metadata_modified':
        return `n.${name} = ${dateMs(value)}`
      case 'num_resources':
      case 'num_tags':
        return `n.${name} = ${integer(value)}`
    }
    return eq(exactAttr(name), value)
  }

  private wildcard(field: string | null, pattern: string): string {
    const ref = resolveField(field)
    // `agua*` exactly; `agua*x`, `agu?` keep their literal prefix (a superset)
    const { prefix } = literalPrefix(pattern)
    if (ref.info.kind === 'text') {
      const attr = wordAttr(ref)
      if (!attr) return FALSE
      const w = words(prefix)
      // `title:agu*` is a word prefix; anything fancier keeps its first word's prefix (a superset)
      if (w.length === 0) return exists(attr)
      return prefixRange(attr, w[0])
    }
    let attr: string
    if (ref.type === 'vocab') attr = `v.${encodeValue(this.vocabularies.get(ref.vocabulary) ?? ref.vocabulary)}`
    else if (ref.type !== 'core') attr = `x.${encodeValue(ref.key)}`
    else if (ref.info.kind === 'date' || ref.info.kind === 'int') return pattern === '*' ? this.exists(ref) : FALSE
    else if (ref.name === 'capacity' || ref.name === 'site_id' || ref.name === 'entity_type') return pattern === '*' ? TRUE : FALSE
    else attr = exactAttr(ref.name)
    if (!prefix) return pattern === '*' ? this.exists(ref) : exists(attr)
    return prefixRange(attr, prefix)
  }

  private exists(ref: FieldRef): string {
    if (ref.type === 'vocab') return exists(`v.${encodeValue(this.vocabularies.get(ref.vocabulary) ?? ref.vocabulary)}`)
    if (ref.type === 'extra_exact' || ref.type === 'extra_text') return exists(`x.${encodeValue(ref.key)}`)
    const name = ref.name
    if (ALWAYS_PRESENT.has(name)) return TRUE
    if (name === 'title') return exists('e.title_string')
    if (ref.info.kind === 'text') {
      const attr = wordAttr(ref)
      return attr ? exists(attr) : FALSE
    }
    if (ref.info.kind === 'date') return exists(`n.${name}`)
    return exists(exactAttr(name))
  }

  private range(field: string, lower: RangeBound | null, upper: RangeBound | null): string {
    const ref = resolveField(field)
    if (!lower && !upper) return this.exists(ref)
    const bounds = (attr: string, cast: (v: string) => string): string => {
      const parts: string[] = []
      if (lower) parts.push(`${attr} ${lower.inclusive ? '>=' : '>'} ${cast(lower.value)}`)
      if (upper) parts.push(`${attr} ${upper.inclusive ? '<=' : '<'} ${cast(upper.value)}`)
      return and(parts)
    }
    const str = (v: string) => `"${encodeValue(v)}"`
    if (ref.type === 'vocab') return FALSE
    if (ref.type !== 'core') return bounds(`x.${encodeValue(ref.key)}`, str)
    const name = ref.name
    if (ref.info.kind === 'date') return bounds(`n.${name}`, (v) => String(dateMs(v)))
    if (ref.info.kind === 'int') return bounds(`n.${name}`, (v) => String(integer(v)))
    if (name === 'title' || name === 'title_string') return bounds('e.title_string', str)
    // the whole value of a tokenised field is not stored in a comparable form
    if (ref.info.kind === 'text') return FALSE
    if (name === 'capacity' || name === 'private' || name === 'site_id' || name === 'entity_type') return FALSE
    // on a multi-valued field `TO` keeps both bounds on one value; exclusive bounds may hold on different values (a superset)
    if (ref.info.multi && lower?.inclusive && upper?.inclusive) return `${exactAttr(name)} ${str(lower.value)} TO ${str(upper.value)}`
    return bounds(exactAttr(name), str)
  }
}

/** The literal text before the first unescaped `*` / `?`, and whether the pattern is just that plus one trailing `*`. */
export function literalPrefix(pattern: string): { prefix: string; exactPrefix: boolean } {
  let prefix = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\' && i + 1 < pattern.length) prefix += pattern[++i]
    else if (c === '*' || c === '?') return { prefix, exactPrefix: c === '*' && i === pattern.length - 1 }
    else prefix += c
  }
  return { prefix, exactPrefix: false }
}

/**
 * Values starting with `prefix`: encoded, a prefix is a contiguous range, closed above by a
 * string no value can equal. One `TO` condition, so on a multi-valued field one value must match.
 */
export function prefixRange(attr: string, prefix: string): string {
  const p = encodeValue(prefix)
  return `${attr} "${p}" TO "${p}${AFTER}"`
}

function binomial(n: number, k: number): number {
  let r = 1
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i
  return r
}

function combinations<T>(items: T[], k: number): T[][] {
  const out: T[][] = []
  const pick = (start: number, acc: T[]) => {
    if (acc.length === k) return void out.push(acc)
    for (let i = start; i <= items.length - (k - acc.length); i++) pick(i + 1, [...acc, items[i]])
  }
  pick(0, [])
  return out
}

// ---------------------------------------------------------------------------------------------
// Request → Meilisearch search

export interface SearchPlan {
  q: string
  /** null: every searchable attribute */
  attributesToSearchOn: string[] | null
  filter: string
  sort: string[]
  facets: string[]
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

/** A positive free-text term `q` can take: core text field with a searchable attribute, not a stopword. */
function qTerm(node: QueryNode): { field: string; text: string } | null {
  if (node.kind !== 'term' || isStopTerm(node)) return null
  const ref = resolveField(node.field)
  if (ref.type !== 'core' || ref.info.kind !== 'text' || !Q_FIELDS.has(ref.name)) return null
  const text = node.phrase ? `"${node.value.replace(/"/g, ' ')}"` : node.value
  return { field: ref.name, text }
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
  const fields = new Set(qTerms.filter((t) => t !== null).map((t) => t!.field))
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
  parts.push(...visibilityFilter(req.visibility))
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
  return { q: q.join(' '), attributesToSearchOn, filter: and(parts), sort: dedupeSort(sort), facets }
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

// ---------------------------------------------------------------------------------------------
// The adapter

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
    const base: SearchParams = {
      filter: plan.filter,
      sort: plan.sort,
      attributesToRetrieve: ['id'],
      matchingStrategy: 'all',
      ...(plan.attributesToSearchOn ? { attributesToSearchOn: plan.attributesToSearchOn } : {}),
    }
    const withFacets = plan.facets.length ? { facets: plan.facets } : {}
    return this.call(async () => {
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
