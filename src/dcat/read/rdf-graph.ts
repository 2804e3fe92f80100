/**
 * Read helpers over a parsed graph with ckanext-dcat's value semantics (profiles/base.py
 * `_object_value`, `_object_value_list`): literals as their text, resources as their rdfs:label
 * when they have one, else their IRI. Where several language versions exist Abierto prefers
 * Spanish, then an untagged literal, then the first one.
 */
import type { Store, Term, Quad } from 'n3'
import { PREFIXES } from '../namespaces.js'
import { literalText } from './literal-text.js'

/** The vocabularies the parser reads: the ones our DCAT output declares, plus OWL-Time (temporal coverage). */
export const NS = { ...PREFIXES, time: 'http://www.w3.org/2006/time#' } as const

export const PREFERRED_LANGUAGE = 'es'

/** Among literals, the Spanish one, else an untagged one, else the first. */
export function pickLiteral(terms: Term[]): Term | undefined {
  return terms.find((t) => t.termType === 'Literal' && t.language.toLowerCase().split('-')[0] === PREFERRED_LANGUAGE) ?? terms.find((t) => t.termType === 'Literal' && t.language === '') ?? terms[0]
}

export class Graph {
  constructor(readonly store: Store) {}

  objects(subject: Term, predicate: string): Term[] {
    return this.store.getObjects(subject, predicate, null)
  }

  first(subject: Term, predicate: string): Term | undefined {
    return this.objects(subject, predicate)[0]
  }

  subjectsOfType(type: string): Term[] {
    return this.store.getSubjects(`${NS.rdf}type`, type, null)
  }

  hasType(subject: Term, type: string): boolean {
    return this.store.countQuads(subject, `${NS.rdf}type`, type, null) > 0
  }

  /** A term as ckanext-dcat reads it: a resource with an rdfs:label is its label. */
  termValue(term: Term): string {
    if (term.termType === 'Literal') return literalText(term)
    const label = pickLiteral(this.objects(term, `${NS.rdfs}label`))
    if (label) return label.termType === 'Literal' ? literalText(label) : label.value
    if (term.termType !== 'BlankNode') return term.value
    // a blank node's id means nothing outside this document; a licence node is named by its title
    return pickLiteral(this.objects(term, `${NS.dct}title`))?.value ?? ''
  }

  /** The single value of a property ("" when absent). */
  value(subject: Term, predicate: string): string {
    const picked = pickLiteral(this.objects(subject, predicate))
    return picked ? this.termValue(picked) : ''
  }

  /** The first non-empty value among several properties. */
  valueOf(subject: Term, predicates: string[]): string {
    for (const p of predicates) {
      const v = this.value(subject, p)
      if (v) return v
    }
    return ''
  }

  /** Every value of a property, as strings (IRIs as IRIs; blank nodes by their notation or label). */
  values(subject: Term, predicate: string): string[] {
    const out: string[] = []
    for (const o of this.objects(subject, predicate)) {
      if (o.termType === 'BlankNode') {
        // a blank node's id means nothing outside this document; DCAT-AP 3 puts the value in skos:notation
        const v = this.value(o, `${NS.skos}notation`) || this.value(o, `${NS.rdfs}label`)
        if (v) out.push(v)
      } else {
        out.push(o.termType === 'Literal' ? literalText(o) : o.value)
      }
    }
    return out
  }

  /** Triples describing `root`: its own, and those of the nodes it reaches, minus other datasets. */
  describe(root: Term, stopTypes: string[]): Quad[] {
    const seen = new Set<string>()
    const out: Quad[] = []
    const queue: Term[] = [root]
    while (queue.length > 0) {
      const node = queue.shift() as Term
      const key = `${node.termType}:${node.value}`
      if (seen.has(key)) continue
      seen.add(key)
      for (const q of this.store.getQuads(node, null, null, null)) {
        out.push(q)
        const o = q.object
        if (o.termType === 'Literal' || q.predicate.value === `${NS.rdf}type`) continue
        if (stopTypes.some((t) => this.hasType(o, t))) continue
        queue.push(o)
      }
    }
    return out
  }
}
