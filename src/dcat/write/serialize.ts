import n3 from 'n3'
import type { Quad } from 'n3'
import xmlScribe from '@graphy/content.xml.scribe'
import { PREFIXES } from '../namespaces.js'

/** The serialisations served, by the names the endpoints and actions accept. */
export type RdfFormat = 'turtle' | 'n3' | 'ntriples' | 'rdfxml' | 'jsonld'

export const MEDIA_TYPES: Record<RdfFormat, string> = {
  turtle: 'text/turtle',
  n3: 'text/n3',
  ntriples: 'application/n-triples',
  rdfxml: 'application/rdf+xml',
  jsonld: 'application/ld+json',
}

/** URL extensions (ckanext-dcat's CONTENT_TYPES) and rdflib format names the actions accept. */
const FORMAT_NAMES: Record<string, RdfFormat> = {
  ttl: 'turtle',
  turtle: 'turtle',
  n3: 'n3',
  nt: 'ntriples',
  ntriples: 'ntriples',
  'n-triples': 'ntriples',
  rdf: 'rdfxml',
  xml: 'rdfxml',
  'pretty-xml': 'rdfxml',
  rdfxml: 'rdfxml',
  jsonld: 'jsonld',
  'json-ld': 'jsonld',
}

export function rdfFormat(name: string): RdfFormat | undefined {
  return Object.hasOwn(FORMAT_NAMES, name.toLowerCase()) ? FORMAT_NAMES[name.toLowerCase()] : undefined
}

/** The local JSON-LD context: the prefixes, so compaction never needs the network. */
const CONTEXT = { ...PREFIXES }

const noRemoteContexts = async (url: string): Promise<never> => {
  throw new Error(`remote JSON-LD documents are not loaded (${url})`)
}

export async function serialize(quads: Quad[], format: RdfFormat): Promise<string> {
  switch (format) {
    case 'turtle':
      return n3Write(quads, 'Turtle')
    case 'n3':
      return n3Write(quads, 'N3')
    case 'ntriples':
      return n3Write(quads, 'N-Triples')
    case 'rdfxml':
      return rdfXml(quads)
    case 'jsonld': {
      // imported on the first JSON-LD request: jsonld.js is slow to load and most requests never need it
      const { default: jsonld } = await import('jsonld')
      const expanded = await jsonld.fromRDF(jsonldDataset(quads) as never)
      const compacted = await jsonld.compact(expanded, CONTEXT, { documentLoader: noRemoteContexts as never })
      return JSON.stringify(compacted, null, 2)
    }
  }
}

/** The quads with each subject's triples together (first-appearance order), so Turtle lists each node once. */
function bySubject(quads: Quad[]): Quad[] {
  const groups = new Map<string, Quad[]>()
  for (const q of quads) {
    const key = `${q.subject.termType}:${q.subject.value}`
    const list = groups.get(key)
    if (list) list.push(q)
    else groups.set(key, [q])
  }
  return [...groups.values()].flat()
}

/**
 * The quads in jsonld.js's own dataset shape (blank nodes labelled `_:…`), handed over directly:
 * writing and re-parsing N-Quads cost twenty times more.
 */
function jsonldDataset(quads: Quad[]): object[] {
  const term = (t: Quad['subject'] | Quad['object']) =>
    t.termType === 'BlankNode'
      ? { termType: 'BlankNode', value: `_:${t.value}` }
      : t.termType === 'Literal'
        ? { termType: 'Literal', value: t.value, language: t.language, datatype: { termType: 'NamedNode', value: t.datatype.value } }
        : { termType: t.termType, value: t.value }
  return quads.map((q) => ({ subject: term(q.subject), predicate: { termType: 'NamedNode', value: q.predicate.value }, object: term(q.object), graph: { termType: 'DefaultGraph', value: '' } }))
}

function n3Write(quads: Quad[], format: string): Promise<string> {
  const prefixed = format === 'Turtle' || format === 'N3'
  const writer = new n3.Writer({ format, ...(prefixed ? { prefixes: PREFIXES } : {}) })
  writer.addQuads(prefixed ? bySubject(quads) : quads)
  return new Promise((resolve, reject) => writer.end((err, out) => (err ? reject(err) : resolve(out))))
}

/** Characters XML 1.0 cannot carry at all, not even as references (control characters, U+FFFE…). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** A literal XML can hold: stored text may contain control characters that Turtle escapes but XML cannot. */
function xmlSafe(q: Quad): Quad {
  if (q.object.termType !== 'Literal' || !NOT_XML.test(q.object.value)) return q
  const o = q.object
  const value = o.value.replace(new RegExp(NOT_XML.source, 'gu'), '')
  return n3.DataFactory.quad(q.subject, q.predicate, n3.DataFactory.literal(value, o.language || o.datatype))
}

/** RDF/XML through graphy's scribe (a flat rdf:Description per subject; blank nodes by rdf:nodeID). */
function rdfXml(quads: Quad[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const writer = xmlScribe({ prefixes: PREFIXES })
    const chunks: string[] = []
    writer.on('data', (c: string | Buffer) => chunks.push(String(c)))
    writer.on('error', reject)
    writer.on('end', () => resolve(chunks.join('')))
    for (const q of bySubject(quads)) writer.write(xmlSafe(q))
    writer.end()
  })
}
