import type { RdfFormat } from './write/serialize.js'
import { lookup } from '../lookup.js'

const EXACT: Record<string, RdfFormat> = {
  'application/rdf+xml': 'rdfxml',
  'text/n3': 'n3',
  'text/turtle': 'turtle',
  'application/ld+json': 'jsonld',
}
/** ckanext-dcat maps a wildcard subtype to the first format of that top type. */
const WILDCARD: Record<string, RdfFormat> = { 'application/*': 'rdfxml', 'text/*': 'n3' }

/**
 * ckanext-dcat's parse_accept_header: by q descending (ties in header order), the first type
 * that is text/html or * /* means the HTML page (undefined), the first RDF type picks the format.
 */
export function negotiate(accept: string | undefined): RdfFormat | undefined {
  if (!accept) return undefined
  const entries = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().split(';')
      const q = params.map((x) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(x)).find(Boolean)
      return { type: type.trim().toLowerCase(), q: q ? Number(q[1]) : 1, i }
    })
    .filter((e) => e.type !== '' && e.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
  for (const { type } of entries) {
    if (type === 'text/html' || type === '*/*') return undefined
    const f = lookup(EXACT, type) ?? lookup(WILDCARD, type)
    if (f) return f
  }
  return undefined
}
