import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/** The facet fields kept in memory: CKAN's default facets (ckan.search.default_facets and the portal's). */
export const STORED_FACETS = ['organization', 'groups', 'tags', 'res_format', 'license_id'] as const
type StoredFacet = (typeof STORED_FACETS)[number]

export const isStoredFacet = (field: string): field is StoredFacet => (STORED_FACETS as readonly string[]).includes(field)

interface FacetRow {
  doc_no: string
  organization: string | null
  groups: string[]
  tags: string[]
  res_format: string[]
  license_id: string
}

/**
 * Facet values of indexed documents, in memory, counted here instead of in SQL: Postgres groups
 * a broad match's ~10 values per dataset at about 0.3 µs each, which was most of a search over a
 * quarter of a large catalogue. Solr keeps facet values in memory (docValues) for the same reason.
 *
 * Entries are keyed by `doc_no`, which every write of a search_document row renews, so an entry
 * never goes stale: a document missing here is read from the search's own snapshot (see
 * PostgresSearchIndex.overMatches), and entries of replaced versions are dropped when the map
 * outgrows the catalogue. Each process keeps its own; nothing needs invalidating across them.
 */
export class FacetStore {
  /** per field: value → id, and id → value */
  private readonly ids = STORED_FACETS.map(() => new Map<string, number>())
  private readonly values: string[][] = STORED_FACETS.map(() => [])
  /** doc_no → [n0, ids of field 0..., n1, ids of field 1..., ...] */
  private docs = new Map<number, Int32Array>()
  private largestMatch = 0

  /**
   * [value, count] pairs per field for the documents `docNos`, count descending then value
   * ascending (byte order, as Postgres' "C" collation), at most `limit` (null: all) with at least
   * `mincount`. Documents not yet known are read through `db` (the search's transaction).
   */
  async count(db: Kysely<Database>, docNos: number[], fields: StoredFacet[], limit: number | null, mincount: number): Promise<Record<string, Array<[string, number]>>> {
    this.largestMatch = Math.max(this.largestMatch, docNos.length)
    // versions replaced since they were read: start afresh rather than track which are live
    if (this.docs.size > 4 * Math.max(this.largestMatch, 10_000)) this.docs = new Map()
    const missing = docNos.filter((n) => !this.docs.has(n))
    for (let i = 0; i < missing.length; i += 10_000) await this.load(db, missing.slice(i, i + 10_000))
    // one pass over the matches counts every field asked for
    const counts = STORED_FACETS.map((f, fi) => (fields.includes(f) ? new Uint32Array(this.values[fi].length) : null))
    for (const n of docNos) {
      const entry = this.docs.get(n)
      if (!entry) continue
      let at = 0
      for (let fi = 0; fi < STORED_FACETS.length; fi++) {
        const end = at + 1 + entry[at]
        const c = counts[fi]
        if (c) for (let k = at + 1; k < end; k++) c[entry[k]]++
        at = end
      }
    }
    const out: Record<string, Array<[string, number]>> = {}
    const least = Math.max(mincount, 1)
    for (const field of fields) {
      const fi = STORED_FACETS.indexOf(field)
      const c = counts[fi]!
      const pairs: Array<[string, number]> = []
      for (let id = 0; id < c.length; id++) if (c[id] >= least) pairs.push([this.values[fi][id], c[id]])
      pairs.sort((a, b) => b[1] - a[1] || byteOrder(a[0], b[0]))
      out[field] = limit === null ? pairs : pairs.slice(0, limit)
    }
    return out
  }

  private async load(db: Kysely<Database>, docNos: number[]): Promise<void> {
    const { rows } = await sql<FacetRow>`
      SELECT doc_no::text AS doc_no, organization, groups, tags, res_format, license_id
        FROM search_document WHERE doc_no = ANY(${docNos.map(String)}::bigint[])`.execute(db)
    for (const r of rows) {
      const perField = [r.organization === null ? [] : [r.organization], r.groups, r.tags, r.res_format, [r.license_id]]
      const entry: number[] = []
      perField.forEach((vals, fi) => {
        const unique = [...new Set(vals)]
        entry.push(unique.length, ...unique.map((v) => this.idOf(fi, v)))
      })
      this.docs.set(Number(r.doc_no), Int32Array.from(entry))
    }
  }

  private idOf(fi: number, value: string): number {
    let id = this.ids[fi].get(value)
    if (id === undefined) {
      id = this.values[fi].length
      this.ids[fi].set(value, id)
      this.values[fi].push(value)
    }
    return id
  }
}

/** Code point order (UTF-8 byte order), which differs from `<` on UTF-16 only past the surrogates. */
function byteOrder(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/** doc_no values sent by Postgres as base64 of int8send concatenated (8 bytes each, big-endian). */
export function decodeDocNos(base64: string | null): number[] {
  if (!base64) return []
  const buf = Buffer.from(base64, 'base64')
  const out = new Array<number>(buf.length / 8)
  for (let i = 0, o = 0; o < buf.length; i++, o += 8) out[i] = buf.readUInt32BE(o) * 0x1_0000_0000 + buf.readUInt32BE(o + 4)
  return out
}
