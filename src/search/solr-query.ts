import type { QueryNode, SortField } from './ast.js'
import { INDEX_FIELDS, SORTABLE_FIELDS, resolveField } from './fields.js'
import { SearchError, SearchQueryError } from '../errors.js'

/**
 * CKAN's Solr-style `q` / `fq` / `sort` → the query tree of ast.ts. Only the subset real clients
 * send (search.md §4); anything else is a SearchQueryError, never an exception of another kind.
 *
 * Where Lucene's own semantics would surprise, this parser follows what the client meant:
 * clauses joined by OR form one required disjunction, ANDed with everything around it
 * (`a OR b -c d` → (a ∨ b) ∧ ¬c ∧ d). Lucene would make `a`/`b` optional as soon as `d` is
 * required, which silently turns the harvester's `organization:a OR organization:b …` filter
 * into no filter at all.
 */
export interface ParseOptions {
  /** `q` picks DisMax for text without `:`; `fq` is always Lucene syntax */
  mode: 'q' | 'fq'
  /** the instant `NOW` means in date math */
  now?: Date
}

const ALL: QueryNode = { kind: 'all' }
/** deeper nesting is never a real query, and unbounded recursion would overflow the stack */
const MAX_DEPTH = 100

export function parseQuery(text: string, opts: ParseOptions): QueryNode {
  const trimmed = text.trim()
  if (trimmed === '' || (opts.mode === 'q' && (trimmed === '""' || trimmed === "''"))) return ALL
  // Solr would hand these to another query parser: a way around every filter CKAN adds
  if (/^(\{!|_query_\s*:|_val_\s*:)/.test(trimmed)) throw new SearchError(`Local parameters are not supported in param '${opts.mode}'.`)
  // as CKAN decides: any colon, even escaped or inside a URL, means Lucene syntax
  if (opts.mode === 'q' && !text.includes(':')) return parseDisMax(text)
  return new LuceneParser(text, opts.now ?? new Date()).parse()
}

// ---------------------------------------------------------------------------------------------
// DisMax: the search box. Words, "phrases", +must, -mustNot; nothing else is an operator.

/** Solr's mm `2<-1 5<80%`: how many optional clauses must match. */
function minimumMatch(n: number): number {
  if (n <= 2) return n
  if (n <= 5) return n - 1
  return Math.floor(n * 0.8)
}

const WS = /\s/
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

function parseDisMax(s: string): QueryNode {
  const clauses: QueryNode[] = []
  const must: QueryNode[] = []
  const mustNot: QueryNode[] = []
  let i = 0
  while (i < s.length) {
    const c = s[i]
    if (WS.test(c) || c === '(' || c === ')') {
      i++
      continue
    }
    let mod: '+' | '-' | null = null
    if (c === '+' || c === '-') {
      mod = c
      i++
    }
    let node: QueryNode | null = null
    if (s[i] === '"') {
      const close = closingQuote(s, i + 1)
      if (close < 0) {
        // a lone quote in free text: dropped, as Solr's DisMax drops unbalanced quotes
        i++
        continue
      }
      const value = unescape(s.slice(i + 1, close))
      i = close + 1
      if (LETTER_OR_DIGIT.test(value)) node = { kind: 'term', field: null, value, phrase: true }
    } else {
      let value = ''
      let pattern = ''
      let wild = false
      while (i < s.length && !WS.test(s[i]) && s[i] !== '(' && s[i] !== ')' && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) {
          const n = s[i + 1]
          value += n
          pattern += n === '*' || n === '?' || n === '\\' ? `\\${n}` : n
          i += 2
          continue
        }
        if (s[i] === '*') wild = true
        value += s[i]
        // `?` ends questions typed in the search box; only `*` is a wildcard here
        pattern += s[i] === '?' ? '\\?' : s[i]
        i++
      }
      if (value === 'AND' || value === 'OR' || value === 'NOT') continue
      // punctuation alone analyses to nothing in Solr; kept, it would count against mm
      if (!LETTER_OR_DIGIT.test(value)) continue
      node = wild ? { kind: 'wildcard', field: null, pattern } : { kind: 'term', field: null, value, phrase: false }
    }
    if (!node) continue
    if (mod === '+') must.push(node)
    else if (mod === '-') mustNot.push(node)
    else clauses.push(node)
  }
  if (!clauses.length && !must.length && !mustNot.length) return ALL
  return { kind: 'match', clauses, minimumMatch: minimumMatch(clauses.length), must, mustNot }
}

function closingQuote(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++
    else if (s[i] === '"') return i
  }
  return -1
}

function unescape(s: string): string {
  return s.replace(/\\(.)/gsu, '$1')
}

// ---------------------------------------------------------------------------------------------
// Lucene (standard query parser) with q.op=AND and df=text.

type Conj = 'none' | 'and' | 'or'
type Mod = 'none' | 'req' | 'not'
interface Clause {
  node: QueryNode
  conj: Conj
  mod: Mod
}
interface Token {
  /** escapes resolved */
  value: string
  /** escapes resolved except `\*`, `\?`, `\\`, which stay escaped (wildcard patterns) */
  pattern: string
  /** an unescaped `*` or `?` */
  wild: boolean
}

/** characters that end a term (besides whitespace, and `:` outside a field's value) */
const TERM_STOP = new Set(['(', ')', '[', ']', '{', '}', '"', '^', '~'])
const KEYWORDS: Array<[string, 'AND' | 'OR' | 'NOT']> = [
  ['AND', 'AND'],
  ['&&', 'AND'],
  ['OR', 'OR'],
  ['||', 'OR'],
  ['NOT', 'NOT'],
]
const NUMBER = /\d+(?:\.\d+)?|\.\d+/y
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/

class LuceneParser {
  private pos = 0
  private depth = 0

  constructor(
    private readonly src: string,
    private readonly now: Date,
  ) {}

  parse(): QueryNode {
    return this.query(null)
  }

  /** A sequence of clauses up to `)` (inside a group) or the end. */
  private query(field: string | null): QueryNode {
    const clauses: Clause[] = []
    for (;;) {
      this.skipWs()
      if (this.eof()) break
      if (this.peek() === ')') {
        if (this.depth === 0) this.fail("unbalanced ')'")
        break
      }
      let conj: Conj = 'none'
      const kw = this.keyword()
      if (kw === 'AND' || kw === 'OR') {
        if (!clauses.length) this.fail(`a query cannot start with ${kw}`)
        conj = kw === 'AND' ? 'and' : 'or'
        this.pos += this.src.startsWith(kw, this.pos) ? kw.length : 2
        this.skipWs()
      }
      const mod = this.modifier()
      this.skipWs()
      if (this.eof() || this.peek() === ')') this.fail(conj !== 'none' || mod !== 'none' ? 'an operator is missing its clause' : 'a clause is missing')
      clauses.push({ node: this.clause(field), conj, mod })
    }
    if (!clauses.length) {
      if (this.depth > 0) this.fail('empty parentheses')
      return ALL
    }
    return combine(clauses)
  }

  private modifier(): Mod {
    const c = this.peek()
    if (c === '+') {
      this.pos++
      return 'req'
    }
    if (c === '-' || c === '!') {
      this.pos++
      return 'not'
    }
    if (this.keyword() === 'NOT') {
      this.pos += 3
      return 'not'
    }
    return 'none'
  }

  /** An operator word here: `AND`, `&&`, `OR`, `||`, `NOT`, but not `ANDROID` or `ORO`. */
  private keyword(): 'AND' | 'OR' | 'NOT' | null {
    for (const [word, kw] of KEYWORDS) {
      if (this.src.startsWith(word, this.pos) && !this.continuesTerm(this.pos + word.length)) return kw
    }
    return null
  }

  private continuesTerm(i: number): boolean {
    const c = this.src[i]
    return c !== undefined && !WS.test(c) && !TERM_STOP.has(c) && c !== ':'
  }

  private startsTerm(c: string): boolean {
    return !WS.test(c) && !TERM_STOP.has(c) && c !== ':' && c !== '+' && c !== '-' && c !== '!'
  }

  private clause(field: string | null): QueryNode {
    const c = this.peek() ?? ''
    if (c === '(') return this.group(field)
    if (c === '"') return this.postfix(this.phrase(field), true)
    if (c === '[' || c === '{') return this.postfix(this.range(field), false)
    const kw = this.keyword()
    if (kw) this.fail(`unexpected ${kw}`)
    if (!this.startsTerm(c)) this.fail(`unexpected '${c}'`)
    const start = this.pos
    const tok = this.term(false)
    if (this.peek() !== ':') return this.postfix(this.leaf(field, tok), true)
    if (this.src.startsWith('//', this.pos + 1) && URL_SCHEME.test(tok.value)) {
      // a bare URL is text to look for, not a field called `http`
      this.pos = start
      return this.postfix(this.leaf(field, this.term(true)), true)
    }
    this.pos++
    return this.fieldValue(tok, start)
  }

  /** What follows `name:`. */
  private fieldValue(name: Token, start: number): QueryNode {
    if (name.wild && name.pattern !== '*') this.fail(`invalid field name '${name.value}'`, start)
    if (name.value === '_query_' || name.value === '_val_') this.fail(`nested queries (${name.value}) are not supported`, start)
    this.skipWs()
    const c = this.peek()
    if (c === undefined || this.keyword() || (!this.startsTerm(c) && c !== '(' && c !== '"' && c !== '[' && c !== '{')) {
      this.fail(`field '${name.value}' has no value`)
    }
    if (name.wild) {
      // `*:*`; any other `*:value` names no field
      const valueAt = this.pos
      const v = c === '*' ? this.term(true) : null
      if (!v || v.pattern !== '*') this.fail("'*' as a field name is only valid in '*:*'", valueAt)
      return this.postfix(ALL, false)
    }
    const field = name.value
    if (c === '(') return this.group(field)
    if (c === '"') return this.postfix(this.phrase(field), true)
    if (c === '[' || c === '{') return this.postfix(this.range(field), false)
    return this.postfix(this.leaf(field, this.term(true)), true)
  }

  private leaf(field: string | null, tok: Token): QueryNode {
    if (!tok.wild) {
      // `metadata_modified:NOW/DAY` is as valid in Solr as inside a range
      if (field !== null && resolveField(field).info.kind === 'date') {
        const resolved = resolveDateMath(tok.value, this.now)
        if (resolved === undefined) this.fail(`invalid date math '${tok.value}'`, this.pos - tok.value.length)
        return { kind: 'term', field, value: resolved ?? tok.value, phrase: false }
      }
      return { kind: 'term', field, value: tok.value, phrase: false }
    }
    if (tok.pattern === '*') return field === null ? ALL : { kind: 'exists', field }
    return { kind: 'wildcard', field, pattern: tok.pattern }
  }

  /** A bare term; inside a field's value (`allowColon`) colons are part of it (`id:urn:x`, `res_url:http://…`). */
  private term(allowColon: boolean): Token {
    const s = this.src
    let value = ''
    let pattern = ''
    let wild = false
    while (this.pos < s.length) {
      const c = s[this.pos]
      if (c === '\\') {
        const n = s[this.pos + 1]
        if (n === undefined) this.fail('a backslash at the end escapes nothing')
        value += n
        pattern += n === '*' || n === '?' || n === '\\' ? `\\${n}` : n
        this.pos += 2
        continue
      }
      if (WS.test(c) || TERM_STOP.has(c) || (c === ':' && !allowColon)) break
      if (c === '*' || c === '?') wild = true
      value += c
      pattern += c
      this.pos++
    }
    return { value, pattern, wild }
  }

  private phrase(field: string | null): QueryNode {
    const open = this.pos
    const close = closingQuote(this.src, open + 1)
    if (close < 0) this.fail('unterminated phrase', open)
    this.pos = close + 1
    return { kind: 'term', field, value: unescape(this.src.slice(open + 1, close)), phrase: true }
  }

  private group(field: string | null): QueryNode {
    const open = this.pos
    this.pos++
    if (++this.depth > MAX_DEPTH) this.fail(`parentheses nested deeper than ${MAX_DEPTH}`)
    const node = this.query(field)
    if (this.peek() !== ')') this.fail("missing ')' for the '(' opened", open)
    this.pos++
    this.depth--
    return this.postfix(node, false)
  }

  private range(field: string | null): QueryNode {
    const open = this.pos
    const lowerInclusive = this.src[this.pos++] === '['
    this.skipWs()
    const lower = this.bound()
    this.skipWs()
    const afterTo = this.src[this.pos + 2] ?? ''
    if (!(this.src.startsWith('TO', this.pos) && (WS.test(afterTo) || afterTo === ']' || afterTo === '}'))) this.fail("a range needs 'TO' between its bounds")
    this.pos += 2
    this.skipWs()
    const upper = this.bound()
    this.skipWs()
    const close = this.peek()
    if (close !== ']' && close !== '}') this.fail("missing ']' or '}' for the range opened", open)
    this.pos++
    const name = field ?? 'text'
    const lo = lower === null ? null : { value: lower, inclusive: lowerInclusive }
    const hi = upper === null ? null : { value: upper, inclusive: close === ']' }
    if (!lo && !hi) return { kind: 'exists', field: name }
    return { kind: 'range', field: name, lower: lo, upper: hi }
  }

  /** One range bound: `*` (open, null), a "quoted" value or a run of characters; date math resolved. */
  private bound(): string | null {
    const at = this.pos
    let text: string
    if (this.peek() === '"') {
      const close = closingQuote(this.src, at + 1)
      if (close < 0) this.fail('unterminated quoted range bound', at)
      text = unescape(this.src.slice(at + 1, close))
      this.pos = close + 1
    } else {
      while (!this.eof() && !WS.test(this.src[this.pos]) && this.src[this.pos] !== ']' && this.src[this.pos] !== '}') {
        this.pos += this.src[this.pos] === '\\' ? 2 : 1
      }
      if (this.pos > this.src.length) this.fail('a backslash at the end escapes nothing')
      const raw = this.src.slice(at, this.pos)
      if (raw === '') this.fail('a range bound is missing')
      if (raw === '*') return null
      text = unescape(raw)
    }
    const resolved = resolveDateMath(text, this.now)
    if (resolved === undefined) this.fail(`invalid date math '${text}'`, at)
    return resolved ?? text
  }

  /** `^boost` (ignored) and `~fuzzy` (single terms only; proximity on phrases is ignored), in any order. */
  private postfix(node: QueryNode, fuzzyAllowed: boolean): QueryNode {
    let out = node
    for (;;) {
      const c = this.peek()
      if (c !== '^' && c !== '~') return out
      if (c === '~' && !fuzzyAllowed) this.fail("'~' only follows a term or a phrase")
      this.pos++
      NUMBER.lastIndex = this.pos
      const m = NUMBER.exec(this.src)
      if (m) this.pos += m[0].length
      else if (c === '^') this.fail("'^' needs a number")
      if (c === '~' && out.kind === 'term' && !out.phrase) out = { ...out, fuzzy: true }
    }
  }

  private skipWs(): void {
    while (this.pos < this.src.length && WS.test(this.src[this.pos])) this.pos++
  }

  private peek(): string | undefined {
    return this.src[this.pos]
  }

  private eof(): boolean {
    return this.pos >= this.src.length
  }

  private fail(reason: string, at = this.pos): never {
    const shown = this.src.length > 200 ? `${this.src.slice(0, 200)}…` : this.src
    throw new SearchQueryError(`Cannot parse '${shown}': ${reason} at column ${at + 1}`)
  }
}

/**
 * One level of clauses → a tree. Runs of clauses joined by OR become one `or`; everything else
 * is ANDed; a level with only prohibited clauses starts from every document, as Solr does.
 */
function combine(clauses: Clause[]): QueryNode {
  const parts: Array<QueryNode | QueryNode[]> = []
  let group: QueryNode[] | null = null
  for (const c of clauses) {
    if (c.mod === 'not') parts.push({ kind: 'not', child: c.node })
    else if (c.conj === 'or' && group) group.push(c.node)
    else {
      group = [c.node]
      parts.push(group)
    }
  }
  return andOf(parts.map((p) => (Array.isArray(p) ? orOf(p) : p)))
}

function orOf(children: QueryNode[]): QueryNode {
  const flat = children.flatMap((c) => (c.kind === 'or' ? c.children : [c]))
  if (flat.some((c) => c.kind === 'all')) return ALL
  return flat.length === 1 ? flat[0] : { kind: 'or', children: flat }
}

function andOf(children: QueryNode[]): QueryNode {
  const flat = children.flatMap((c) => (c.kind === 'and' ? c.children : [c]))
  const positive = flat.some((c) => c.kind !== 'all' && c.kind !== 'not')
  const kept = flat.filter((c) => c.kind !== 'all')
  // `*:*` adds nothing next to a positive clause, but a purely negative level needs it
  const out = positive ? kept : [ALL, ...kept]
  return out.length === 1 ? out[0] : { kind: 'and', children: out }
}

// ---------------------------------------------------------------------------------------------
// Solr date math: NOW, NOW-7DAYS, NOW/DAY-1MONTH, 2020-01-01T00:00:00Z/DAY …

type Unit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'milli'
const UNITS: Record<string, Unit> = {
  YEAR: 'year',
  YEARS: 'year',
  MONTH: 'month',
  MONTHS: 'month',
  DAY: 'day',
  DAYS: 'day',
  DATE: 'day',
  HOUR: 'hour',
  HOURS: 'hour',
  MINUTE: 'minute',
  MINUTES: 'minute',
  SECOND: 'second',
  SECONDS: 'second',
  MILLI: 'milli',
  MILLIS: 'milli',
  MILLISECOND: 'milli',
  MILLISECONDS: 'milli',
}
const ISO_BASE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z/
const MATH_OP = /\/([A-Za-z]+)|([+-])(\d{1,9})([A-Za-z]+)/y
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
/** 0000-01-01T00:00:00Z: earlier years have no plain ISO 8601 form */
const MIN_TIME = -62_167_219_200_000

/**
 * Resolves date math to ISO 8601 UTC with milliseconds. null: not date math (a plain date passes
 * through unchanged, so microseconds survive); undefined: date math that does not parse.
 */
export function resolveDateMath(text: string, now: Date): string | null | undefined {
  let t: number
  let rest: string
  if (/^NOW(?:$|[/+-])/.test(text)) {
    t = now.getTime()
    rest = text.slice(3)
  } else {
    const m = ISO_BASE.exec(text)
    if (!m) return null
    rest = text.slice(m[0].length)
    if (rest === '') return null
    const [, y, mo, d, h, mi, s, frac = ''] = m
    t = utc(+y, +mo - 1, +d, +h, +mi, +s, +frac.slice(0, 3).padEnd(3, '0'))
    const [, tmo, td] = parts(t)
    if (tmo !== +mo - 1 || td !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined
  }
  let at = 0
  while (at < rest.length) {
    MATH_OP.lastIndex = at
    const m = MATH_OP.exec(rest)
    if (!m) return undefined
    at = MATH_OP.lastIndex
    const unit = UNITS[(m[1] ?? m[4]).toUpperCase()]
    if (!unit) return undefined
    t = m[1] !== undefined ? roundDown(t, unit) : add(t, unit, (m[2] === '-' ? -1 : 1) * Number(m[3]))
    if (!Number.isFinite(t) || t > MAX_TIME || t < MIN_TIME) return undefined
  }
  return new Date(t).toISOString()
}

/** Date.UTC without its two-digit-year quirk */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0)
  date.setUTCFullYear(y, mo, d)
  date.setUTCHours(h, mi, s, ms)
  return date.getTime()
}

function parts(t: number): [number, number, number, number, number, number, number] {
  const d = new Date(t)
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
}

function roundDown(t: number, unit: Unit): number {
  const [y, mo, d, h, mi, s, ms] = parts(t)
  switch (unit) {
    case 'year':
      return utc(y, 0, 1, 0, 0, 0, 0)
    case 'month':
      return utc(y, mo, 1, 0, 0, 0, 0)
    case 'day':
      return utc(y, mo, d, 0, 0, 0, 0)
    case 'hour':
      return utc(y, mo, d, h, 0, 0, 0)
    case 'minute':
      return utc(y, mo, d, h, mi, 0, 0)
    case 'second':
      return utc(y, mo, d, h, mi, s, 0)
    case 'milli':
      return utc(y, mo, d, h, mi, s, ms)
  }
}

function add(t: number, unit: Unit, n: number): number {
  switch (unit) {
    case 'year':
      return addMonths(t, n * 12)
    case 'month':
      return addMonths(t, n)
    case 'day':
      return t + n * 86_400_000
    case 'hour':
      return t + n * 3_600_000
    case 'minute':
      return t + n * 60_000
    case 'second':
      return t + n * 1000
    case 'milli':
      return t + n
  }
}

/** Calendar months, the day clamped to the target month (Jan 31 + 1 MONTH = Feb 28/29), as Solr does. */
function addMonths(t: number, n: number): number {
  if (Math.abs(n) > 12 * 20000) return NaN
  const [y, mo, d, h, mi, s, ms] = parts(t)
  const total = y * 12 + mo + n
  const ty = Math.floor(total / 12)
  const tm = total - ty * 12
  const last = new Date(utc(ty, tm + 1, 0, 0, 0, 0, 0)).getUTCDate()
  return utc(ty, tm, Math.min(d, last), h, mi, s, ms)
}

// ---------------------------------------------------------------------------------------------
// sort

export const DEFAULT_SORT: readonly SortField[] = [
  { field: 'score', dir: 'desc' },
  { field: 'metadata_modified', dir: 'desc' },
]

const INVALID_SORT = 'Invalid "sort" parameter'

/** CKAN's `sort`: comma-separated `field dir` pairs; missing, empty or `rank` is the default. */
export function parseSort(sort: string | null | undefined): SortField[] {
  const text = (sort ?? '').trim()
  if (text === '' || text === 'rank') return DEFAULT_SORT.map((s) => ({ ...s }))
  return text.split(',').map((part) => {
    const words = part.trim().split(/\s+/)
    if (words.length !== 2) throw new SearchQueryError(INVALID_SORT)
    const [field, way] = words
    const dir = way.toLowerCase()
    if (dir !== 'asc' && dir !== 'desc') throw new SearchQueryError(INVALID_SORT)
    if (!SORTABLE_FIELDS.has(field)) {
      // Solr knows these fields but cannot sort on them (tokenised or multi-valued)
      if (Object.hasOwn(INDEX_FIELDS, field) || /^(extras_|res_extras_|vocab_)/.test(field)) {
        throw new SearchError(`Can not sort on multivalued field: ${field}`)
      }
      throw new SearchQueryError(INVALID_SORT)
    }
    return { field, dir }
  })
}
