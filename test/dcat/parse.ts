import n3 from 'n3'
import type { Quad } from 'n3'
import jsonld from 'jsonld'
import { RdfXmlParser } from 'rdfxml-streaming-parser'
import { LICENSES } from '../../src/model/licenses.js'

const DCAT = 'http://www.w3.org/ns/dcat#'
const DCT = 'http://purl.org/dc/terms/'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const SPDX = 'http://spdx.org/rdf/terms#'

/** Parses a served document with an independent parser for its format. */
export async function parse(ext: string, body: string): Promise<Quad[]> {
  if (ext === 'ttl') return new n3.Parser({ format: 'text/turtle' }).parse(body)
  if (ext === 'n3') return new n3.Parser({ format: 'text/n3' }).parse(body)
  if (ext === 'jsonld') {
    const nquads = (await jsonld.toRDF(JSON.parse(body), { format: 'application/n-quads' })) as unknown as string
    return new n3.Parser({ format: 'application/n-quads' }).parse(nquads)
  }
  return new Promise((resolve, reject) => {
    const parser = new RdfXmlParser()
    const out: Quad[] = []
    parser.on('data', (q: Quad) => out.push(q))
    parser.on('error', reject)
    parser.on('end', () => resolve(out))
    parser.write(body)
    parser.end()
  })
}

/** What an RDF harvester (ckanext-dcat's RDFParser, dcat.md §3.2) reads back from one dataset. */
export interface Harvested {
  uri: string
  title?: string
  notes?: string
  identifier?: string
  tags: string[]
  resources: { uri: string; url?: string; name?: string; format?: string; mimetype?: string; size?: number; hash?: string; algorithm?: string; license?: string }[]
  licenses: string[]
  /** ckanext-dcat's _license: the first distribution licence matching the register by url, then by dct:title */
  license_id: string
}

export function harvest(quads: Quad[]): Harvested[] {
  const objs = (s: string, p: string) => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object)
  const one = (s: string, p: string) => objs(s, p)[0]?.value
  return quads
    .filter((q) => q.predicate.value === RDF_TYPE && q.object.value === `${DCAT}Dataset`)
    .map((q) => q.subject.value)
    .map((ds) => {
      const resources = objs(ds, `${DCAT}distribution`).map((d) => {
        const sum = objs(d.value, `${SPDX}checksum`)[0]?.value
        const size = one(d.value, `${DCAT}byteSize`)
        return {
          uri: d.value,
          url: one(d.value, `${DCAT}downloadURL`) ?? one(d.value, `${DCAT}accessURL`),
          name: one(d.value, `${DCT}title`),
          format: one(d.value, `${DCT}format`),
          mimetype: one(d.value, `${DCAT}mediaType`),
          size: size === undefined ? undefined : Number(size),
          hash: sum ? one(sum, `${SPDX}checksumValue`) : undefined,
          algorithm: sum ? one(sum, `${SPDX}algorithm`) : undefined,
          license: one(d.value, `${DCT}license`),
        }
      })
      return {
        uri: ds,
        title: one(ds, `${DCT}title`),
        notes: one(ds, `${DCT}description`),
        identifier: one(ds, `${DCT}identifier`),
        tags: objs(ds, `${DCAT}keyword`)
          .map((o) => o.value)
          .sort(),
        resources,
        licenses: [...new Set(resources.flatMap((r) => (r.license ? [r.license] : [])))],
        license_id: licenseId(
          resources
            .map((r) => objs(r.uri, `${DCT}license`)[0])
            .filter((o) => o !== undefined)
            .map((o) => ({ value: o.value, title: one(o.value, `${DCT}title`) })),
        ),
      }
    })
}

function licenseId(nodes: { value: string; title?: string }[]): string {
  for (const n of nodes) {
    const byUrl = LICENSES.find((l) => l.url !== '' && l.url === n.value)
    const found = byUrl ?? LICENSES.find((l) => l.title === n.title)
    if (found) return found.id
  }
  return ''
}
