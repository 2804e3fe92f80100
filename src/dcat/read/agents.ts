/**
 * Agents (dct:publisher, dct:creator) and vCard contact points as ckanext-dcat reads them
 * (profiles/base.py `_agents_details`, `_contact_details`): one dict per node, every key present,
 * "" when absent, e-mail addresses without `mailto:`.
 */
import type { Term } from 'n3'
import { type Graph, NS } from './rdf-graph.js'

const { dct, vcard, foaf } = NS

function withoutMailto(s: string): string {
  return s.replace(/^mailto:/i, '')
}

// vCard 4 allows a property as a literal or as a node carrying vcard:hasValue
function vcardValue(g: Graph, node: Term, predicate: string, stringPredicate?: string): string {
  const direct = stringPredicate ? g.value(node, stringPredicate) : ''
  if (direct) return direct
  const o = g.first(node, predicate)
  return o && o.termType === 'BlankNode' ? g.value(o, `${vcard}hasValue`) : g.value(node, predicate)
}

export function contacts(g: Graph, node: Term, predicate: string): Record<string, string>[] {
  return g.objects(node, predicate).map((c) => ({
    uri: c.termType === 'NamedNode' ? c.value : '',
    name: vcardValue(g, c, `${vcard}hasFN`, `${vcard}fn`),
    email: withoutMailto(vcardValue(g, c, `${vcard}hasEmail`)),
    identifier: vcardValue(g, c, `${vcard}hasUID`),
    url: vcardValue(g, c, `${vcard}hasURL`),
  }))
}

export function agents(g: Graph, node: Term, predicate: string): Record<string, string>[] {
  return g.objects(node, predicate).map((a) => ({
    uri: a.termType === 'NamedNode' ? a.value : '',
    name: g.value(a, `${foaf}name`),
    email: withoutMailto(g.value(a, `${foaf}mbox`) || g.value(a, `${vcard}hasEmail`)),
    url: g.value(a, `${foaf}homepage`),
    type: g.value(a, `${dct}type`),
    identifier: g.value(a, `${dct}identifier`),
  }))
}
