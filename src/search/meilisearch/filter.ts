import type { QueryNode, RangeBound } from '../ast.js'
import { ALWAYS_PRESENT, resolveField, type FieldRef } from '../fields.js'
import { SearchError } from '../../errors.js'
import { AFTER, encodeValue, epochMs } from './values.js'
import { STOP, stem, words } from './text.js'
import { TEXT_FIELDS } from './document.js'

/** A query tree as a Meilisearch filter expression. */

/** Meilisearch has no boolean literals: every document has `e.id`. */
export const TRUE = 'e.id EXISTS'
export const FALSE = 'NOT e.id EXISTS'

function dateMs(value: string): number {
  const ms = epochMs(value)
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

export const eq = (attr: string, value: string) => `${attr} = "${encodeValue(value)}"`
const exists = (attr: string) => `${attr} EXISTS`

/** `vocab_<name>` → the vocabulary id documents are keyed by (unknown names stay as they are). */
export type VocabularyIds = ReadonlyMap<string, string>

/** Text-field terms with no searchable word (stopwords, punctuation) never restrict, negated or not. */
export function isStopTerm(node: QueryNode): boolean {
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
