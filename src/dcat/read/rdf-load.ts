/**
 * Turns a downloaded RDF document into an in-memory graph, whatever its serialisation. Format
 * choice follows ckanext-dcat's harvester (source config `rdf_format`, then the response's
 * Content-Type) and adds what a local path gave rdflib there: the URL's extension, then a sniff
 * of the first characters. Nothing here touches the network: JSON-LD contexts are resolved only
 * from the bundle in jsonld-contexts.ts.
 */
import { DataFactory, Parser, Store, type BlankNode, type DefaultGraph, type Literal, type NamedNode, type Quad } from 'n3'
import { RdfXmlParser } from 'rdfxml-streaming-parser'
import jsonld from 'jsonld'
import { HarvestParseError } from './parsed.js'
import { bundledContext } from './jsonld-contexts.js'
import { lookup } from '../../lookup.js'

export type RdfSyntax = 'turtle' | 'ntriples' | 'nquads' | 'trig' | 'n3' | 'rdfxml' | 'jsonld'

// Names accepted in a source's `rdf_format`: rdflib's plugin names, the catalog endpoint's
// extensions and media types, since harvest sources written for CKAN use any of them.
const FORMAT_NAMES: Record<string, RdfSyntax> = {
  turtle: 'turtle',
  ttl: 'turtle',
  'text/turtle': 'turtle',
  'application/x-turtle': 'turtle',
  nt: 'ntriples',
  nt11: 'ntriples',
  ntriples: 'ntriples',
  'n-triples': 'ntriples',
  'application/n-triples': 'ntriples',
  nquads: 'nquads',
  'n-quads': 'nquads',
  nq: 'nquads',
  'application/n-quads': 'nquads',
  trig: 'trig',
  'application/trig': 'trig',
  n3: 'n3',
  'text/n3': 'n3',
  'text/rdf+n3': 'n3',
  xml: 'rdfxml',
  rdf: 'rdfxml',
  'pretty-xml': 'rdfxml',
  'rdf/xml': 'rdfxml',
  'application/rdf+xml': 'rdfxml',
  owl: 'rdfxml',
  'application/xml': 'rdfxml',
  'text/xml': 'rdfxml',
  'json-ld': 'jsonld',
  jsonld: 'jsonld',
  'application/ld+json': 'jsonld',
  'application/json': 'jsonld',
}

export interface FormatHints {
  rdfFormat?: string | null
  contentType?: string | null
  url?: string | null
}

function extensionOf(url: string): string | null {
  let path = url
  try {
    path = new URL(url).pathname
  } catch {
    path = url.split(/[?#]/)[0]
  }
  const last = path.split('/').pop() ?? ''
  const dot = last.lastIndexOf('.')
  return dot > 0 ? last.slice(dot + 1).toLowerCase() : null
}

function looksLikeHtml(body: string): boolean {
  return /^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(body)
}

/** The syntax to parse `body` with: explicit config, then Content-Type, then extension, then a sniff. */
export function detectSyntax(body: string, hints: FormatHints): RdfSyntax {
  const configured = hints.rdfFormat?.trim().toLowerCase()
  if (configured) {
    const syntax = lookup(FORMAT_NAMES, configured)
    if (!syntax) throw new HarvestParseError(`Error parsing the RDF file: unknown rdf_format "${hints.rdfFormat}"`)
    return syntax
  }
  const mediaType = hints.contentType?.split(';')[0].trim().toLowerCase()
  if (mediaType && lookup(FORMAT_NAMES, mediaType)) return FORMAT_NAMES[mediaType]
  const ext = hints.url ? extensionOf(hints.url) : null
  if (ext && lookup(FORMAT_NAMES, ext)) return FORMAT_NAMES[ext]
  const start = body.trimStart()
  if (start.startsWith('<?xml') || /^<rdf:RDF[\s>]/.test(start)) return 'rdfxml'
  if (start.startsWith('{') || start.startsWith('[')) return 'jsonld'
  return 'turtle'
}

const N3_FORMATS: Record<'turtle' | 'ntriples' | 'nquads' | 'trig' | 'n3', string> = {
  turtle: 'Turtle',
  ntriples: 'N-Triples',
  nquads: 'N-Quads',
  trig: 'TriG',
  n3: 'N3',
}

function parseWithN3(body: string, syntax: keyof typeof N3_FORMATS, baseIRI: string | undefined): Quad[] {
  try {
    return new Parser({ format: N3_FORMATS[syntax], baseIRI }).parse(body)
  } catch (err) {
    // n3's messages already end with "on line N."
    throw new HarvestParseError(`Error parsing the RDF file: ${(err as Error).message}`)
  }
}

function parseRdfXml(body: string, baseIRI: string | undefined): Promise<Quad[]> {
  return new Promise((resolve, reject) => {
    const quads: Quad[] = []
    const parser = new RdfXmlParser({ baseIRI, trackPosition: true })
    parser.on('data', (q: Quad) => quads.push(q))
    parser.on('error', (err: Error) => {
      // the XML tokenizer reports positions as "4:10: …"
      const message = err.message.replace(/^(\d+):(\d+): /, 'line $1, column $2: ')
      reject(new HarvestParseError(`Error parsing the RDF file: ${message}`))
    })
    parser.on('end', () => resolve(quads))
    parser.write(body)
    parser.end()
  })
}

/** Thrown by the document loader; carries the URL so the page error can name it. */
class RefusedContext extends Error {
  constructor(readonly url: string) {
    super(`remote JSON-LD context ${url} refused`)
  }
}

function findRefused(err: unknown, depth = 0): RefusedContext | null {
  if (err instanceof RefusedContext) return err
  if (!err || typeof err !== 'object' || depth > 5) return null
  const e = err as { cause?: unknown; details?: { cause?: unknown } }
  return findRefused(e.cause, depth + 1) ?? findRefused(e.details?.cause, depth + 1)
}

interface JsonLdTerm {
  termType: 'NamedNode' | 'BlankNode' | 'Literal' | 'DefaultGraph'
  value: string
  datatype?: { value: string }
  language?: string
}
interface JsonLdQuad {
  subject: JsonLdTerm
  predicate: JsonLdTerm
  object: JsonLdTerm
  graph: JsonLdTerm
}

function jsonLdTerm(t: JsonLdTerm): NamedNode | BlankNode | Literal | DefaultGraph {
  switch (t.termType) {
    case 'NamedNode':
      return DataFactory.namedNode(t.value)
    case 'BlankNode':
      return DataFactory.blankNode(t.value)
    case 'Literal':
      return DataFactory.literal(t.value, t.language || (t.datatype ? DataFactory.namedNode(t.datatype.value) : undefined))
    default:
      return DataFactory.defaultGraph()
  }
}

async function parseJsonLd(body: string, baseIRI: string | undefined): Promise<Quad[]> {
  let doc: unknown
  try {
    doc = JSON.parse(body)
  } catch (err) {
    throw new HarvestParseError(`Error parsing the RDF file: invalid JSON-LD: ${(err as Error).message}`)
  }
  const documentLoader = async (url: string) => {
    const context = bundledContext(url)
    // harvesting must never make requests the pipeline did not decide on (SSRF, slow remotes)
    if (!context) throw new RefusedContext(url)
    return { contextUrl: undefined, documentUrl: url, document: context }
  }
  let raw: JsonLdQuad[]
  try {
    raw = (await jsonld.toRDF(doc as jsonld.JsonLdDocument, { base: baseIRI, documentLoader: documentLoader as never })) as unknown as JsonLdQuad[]
  } catch (err) {
    const refused = findRefused(err)
    if (refused) {
      throw new HarvestParseError(`Error parsing the RDF file: the JSON-LD @context ${refused.url} is remote and Abierto does not fetch contexts; inline it or use a known context`)
    }
    throw new HarvestParseError(`Error parsing the RDF file: invalid JSON-LD: ${(err as Error).message}`)
  }
  // jsonld's own quads straight into n3 terms: serialising to N-Quads and parsing again costs more than the expansion
  return raw.map((q) =>
    DataFactory.quad(jsonLdTerm(q.subject) as NamedNode | BlankNode, jsonLdTerm(q.predicate) as NamedNode, jsonLdTerm(q.object) as NamedNode | BlankNode | Literal, jsonLdTerm(q.graph) as NamedNode | BlankNode | DefaultGraph),
  )
}

/** Parses the document into a store; any syntax problem becomes a HarvestParseError. */
export async function loadRdf(body: string, hints: FormatHints): Promise<Store> {
  // an empty answer must not read as an empty catalog: the pipeline would delete every dataset
  if (body.trim() === '') throw new HarvestParseError('Error parsing the RDF file: the document is empty')
  if (looksLikeHtml(body)) {
    throw new HarvestParseError('Error parsing the RDF file: the document is an HTML page, not RDF')
  }
  const syntax = detectSyntax(body, hints)
  const baseIRI = hints.url ?? undefined
  let quads: Quad[]
  if (syntax === 'rdfxml') quads = await parseRdfXml(body, baseIRI)
  else if (syntax === 'jsonld') quads = await parseJsonLd(body, baseIRI)
  else quads = parseWithN3(body, syntax, baseIRI)
  // Plain JSON read as JSON-LD, or a stray comment-only file, parses to nothing. Even an empty
  // catalog has its dcat:Catalog triple, so no triples at all means the wrong document.
  if (quads.length === 0) throw new HarvestParseError(`Error parsing the RDF file: the document (read as ${syntax}) contains no RDF statements`)
  return new Store(quads)
}
