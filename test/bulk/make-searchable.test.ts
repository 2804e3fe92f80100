import { Readable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { testApp } from '../helpers/app.js'
import { PostgresSearchIndex } from '../../src/search/postgres.js'
import { SearchIndexer } from '../../src/search/indexer.js'
import { readLines } from '../../src/bulk/jsonl.js'
import { loadDatasets } from '../../src/bulk/load.js'
import { makeSearchable } from '../../src/bulk/make-searchable.js'

const count = async (db: Kysely<Database>, table: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n

async function setup(t: Parameters<typeof testApp>[0], n: number) {
  const { db, ok } = await testApp(t, {}, { indexWorker: false })
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ name: `carga-${i}`, title: `Carga masiva ${i}`, organization: { name: `org-${i % 3}` }, tags: [{ name: 'masiva' }] }))
  const reported: string[] = []
  const result = await loadDatasets(db.kysely, readLines(Readable.from([Buffer.from(lines.join('\n'))])), {
    createUnownedDataset: false,
    batchSize: 7, // several batches, two in flight
    report: (m) => reported.push(m),
  })
  const index = new PostgresSearchIndex(db.kysely)
  await index.prepare()
  const indexer = new SearchIndexer(db.kysely, index, pino({ level: 'silent' }))
  return { db, ok, result, reported, indexer }
}

for (const [mode, rebuildMin] of [
  ['rebuild', 1],
  ['outbox', 1000],
] as const) {
  t.test(`after a load the datasets are searchable (${mode})`, async (t) => {
    const { db, ok, result, reported, indexer } = await setup(t, 30)
    t.same(reported, [])
    t.equal(result.created, 30)
    t.equal(await count(db.kysely, 'search_outbox'), 30, 'the triggers queued every loaded dataset')
    t.equal(await count(db.kysely, 'search_document'), 0, 'nothing indexed yet')
    const before = await ok('package_search', { q: 'masiva', rows: 0 }, { token: null })
    t.equal(before.count, 0)

    const plan = await makeSearchable(db.kysely, indexer, result.ids, undefined, rebuildMin)
    t.equal(plan.mode, mode)
    t.equal(await count(db.kysely, 'search_document'), 30)
    t.equal(await count(db.kysely, 'search_outbox'), 0, 'the outbox is done, not left to the worker')
    const found = await ok('package_search', { q: 'masiva', rows: 0, 'facet.field': ['organization'] }, { token: null })
    t.equal(found.count, 30)
    t.same(Object.fromEntries(found.search_facets.organization.items.map((i: { name: string; count: number }) => [i.name, i.count])), { 'org-0': 10, 'org-1': 10, 'org-2': 10 })
  })
}
