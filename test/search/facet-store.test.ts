import t from 'tap'
import { testDatabase } from '../helpers/app.js'
import { PostgresSearchIndex } from '../../src/search/postgres.js'
import { decodeDocNos } from '../../src/search/facet-store.js'
import { CONTRACT_DOCS } from './contract.js'
import type { SearchRequest } from '../../src/search/port.js'
import type { IndexDocument } from '../../src/search/document.js'

/**
 * The Postgres adapter counts CKAN's default facets in memory (src/search/facet-store.ts). What
 * must hold: every process (here: two adapters on one database, each with its own store) counts
 * the database as it is now, after writes made by the other; and the SQL path for other facet
 * fields agrees with it.
 */
const request = (r: Partial<SearchRequest>): SearchRequest => ({
  query: { kind: 'all' },
  filters: [],
  visibility: { labels: null, states: ['active', 'draft', 'deleted'], includePrivate: true },
  sort: [{ field: 'metadata_modified', dir: 'desc' }],
  rows: 0,
  start: 0,
  facetFields: ['organization', 'groups', 'tags', 'res_format', 'license_id'],
  facetLimit: -1,
  facetMincount: 1,
  ...r,
})

/** What the facets must be for these documents, counted here without any cleverness. */
function expected(docs: IndexDocument[], field: 'organization' | 'groups' | 'tags' | 'res_format' | 'license_id'): Array<[string, number]> {
  const counts = new Map<string, number>()
  for (const d of docs) {
    const values = field === 'organization' ? (d.organization ? [d.organization] : []) : field === 'license_id' ? [d.license_id] : d[field]
    for (const v of new Set(values)) counts.set(v, (counts.get(v) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

t.test('facet counts follow writes made by any process', async (t) => {
  const db = await testDatabase(t)
  const one = new PostgresSearchIndex(db.kysely)
  const two = new PostgresSearchIndex(db.kysely)
  const docs = CONTRACT_DOCS.map((d) => ({ ...d, tags: [...d.tags], res_format: [...d.res_format] }))
  await one.upsert(docs)

  const check = async (label: string, current: IndexDocument[]) => {
    for (const [who, index] of [
      ['process one', one],
      ['process two', two],
    ] as const) {
      const r = await index.search(request({}))
      t.equal(r.count, current.length, `${label}: ${who} counts every document`)
      for (const f of ['organization', 'groups', 'tags', 'res_format', 'license_id'] as const) t.same(r.facets[f], expected(current, f), `${label}: ${who}, ${f}`)
    }
  }
  await check('after the first load', docs)

  // process two rewrites a dataset's tags and formats; process one has counted it before
  const changed = { ...docs[0], tags: ['nueva-etiqueta', ...docs[0].tags.slice(1)], res_format: ['KMZ-Test', 'KMZ-Test'] }
  await two.upsert([changed])
  const afterUpdate = [changed, ...docs.slice(1)]
  await check('after another process changed a dataset', afterUpdate)

  // a removal and a re-insertion under the same id
  await one.remove([docs[1].id])
  await check('after a removal', [changed, ...docs.slice(2)])
  await two.upsert([docs[1]])
  await check('after the dataset came back', afterUpdate)

  // filtered: only the matches are counted
  const r = await two.search(request({ filters: [{ kind: 'term', field: 'res_format', value: 'KMZ-Test', phrase: false }] }))
  t.same(r.facets.res_format, [['KMZ-Test', 1]], 'a filtered search counts only its matches, a repeated format once')
  t.same(r.facets.tags, expected([changed], 'tags'), 'and their tags')

  // a facet field outside the store (counted in SQL) agrees with the document
  const extra = await one.search(request({ facetFields: ['tags', 'type', 'state'] }))
  t.same(extra.facets.type, [['dataset', afterUpdate.length]], 'SQL-counted facets alongside the stored ones')
  t.same(extra.facets.tags, expected(afterUpdate, 'tags'))
})

t.test('doc_no transfer encoding', async (t) => {
  const buf = Buffer.alloc(24)
  buf.writeBigInt64BE(1n, 0)
  buf.writeBigInt64BE(2n ** 40n + 5n, 8)
  buf.writeBigInt64BE(4_294_967_296n, 16)
  t.same(decodeDocNos(buf.toString('base64')), [1, 2 ** 40 + 5, 4_294_967_296], 'int8send values decoded, including above 32 bits')
  t.same(decodeDocNos(null), [], 'no matches')
})
