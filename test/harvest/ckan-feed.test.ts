import t from 'tap'
import type { AddressInfo } from 'node:net'
import { testApp, type TestApp } from '../helpers/app.js'
import { createSource, startJob, jobReport, LOCAL_REMOTES, recordingProxy, actionCounts } from './harvest-helpers.js'

/**
 * The ckan harvester against an Abierto remote reads its change feed (changes_since) once a run
 * has ended without errors: only the changed datasets are fetched, deletions and datasets made
 * private come from the feed, and no listing of every remote id is needed.
 */

type Dict = Record<string, any>

async function listen(a: TestApp): Promise<string> {
  await a.app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`
}

function dataset(i: number, extra: Dict = {}): Dict {
  return {
    name: `ds-${i}`,
    title: `Conjunto ${i}`,
    notes: `Descripción ${i}`,
    owner_org: 'org-a',
    tags: [{ name: `etiqueta ${i}` }],
    resources: [{ url: `http://files.example.org/${i}.csv`, format: 'CSV' }],
    ...extra,
  }
}

function essence(d: Dict): Dict {
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    notes: d.notes,
    tags: (d.tags as Dict[]).map((x) => x.name).sort(),
    organization: d.organization?.name,
    resources: (d.resources as Dict[]).map((r) => ({ id: r.id, url: r.url })),
  }
}

async function publicDatasets(app: TestApp, fq?: string): Promise<Dict[]> {
  const res = await app.ok<Dict>('package_search', { q: '*:*', rows: 1000, sort: 'name asc', ...(fq ? { fq } : {}) }, { token: null })
  return res.results.map(essence)
}

async function feedCursor(b: TestApp, source: string): Promise<string | null> {
  return (await b.db.kysely.selectFrom('harvest_source').select('feed_cursor').where('id', '=', source).executeTakeFirstOrThrow()).feed_cursor
}

async function run(b: TestApp, source: string) {
  const job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  return jobReport(b, job)
}

t.test('incremental runs read the feed: creates, updates, deletions, privatisations and purges', async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES)
  const proxy = await recordingProxy(t, await listen(a))
  await a.ok('organization_create', { name: 'org-a' })
  for (let i = 1; i <= 6; i++) await a.ok('package_create', dataset(i))
  await a.ok('package_create', dataset(7, { private: true }))
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: proxy.url, source_type: 'ckan', owner_org: 'espejo', config: JSON.stringify({ remote_orgs: 'create' }) })

  const r1 = await run(b, source)
  t.equal(r1.mode, 'full', 'the first run lists everything')
  t.same(r1.stats, { added: 6, updated: 0, 'not modified': 0, errored: 0, deleted: 0 })
  const afterFirst = await feedCursor(b, source)
  t.type(afterFirst, 'string', 'the feed position before the listing is kept for the next run')
  t.same(await publicDatasets(b), await publicDatasets(a))

  await a.ok('package_patch', { id: 'ds-2', title: 'Conjunto 2 renombrado', tags: [{ name: 'nueva' }] })
  await a.ok('resource_create', { package_id: 'ds-6', url: 'http://files.example.org/6b.csv' })
  await a.ok('package_create', dataset(8))
  await a.ok('package_delete', { id: 'ds-3' })
  await a.ok('package_patch', { id: 'ds-4', private: true })
  await a.ok('dataset_purge', { id: 'ds-5' })
  await a.ok('package_patch', { id: 'ds-7', title: 'private edit' })
  await a.ok('package_create', dataset(9))
  await a.ok('package_delete', { id: 'ds-9' })

  proxy.requests.length = 0
  const r2 = await run(b, source)
  t.equal(r2.mode, 'incremental')
  t.same(r2.gatherErrors, [])
  t.same(r2.stats, { added: 1, updated: 2, 'not modified': 0, errored: 0, deleted: 3 }, 'ds-8 added; ds-2 and ds-6 updated; ds-3, ds-4 and ds-5 deleted; nothing re-listed')
  const asked = actionCounts(proxy.requests)
  t.same(asked, { changes_since: 1, package_show: 3 }, 'one feed page and the three changed datasets: no package_search, no id listing')
  t.same(await publicDatasets(b), await publicDatasets(a), 'B mirrors A')
  t.equal((await b.ok<Dict>('package_show', { id: 'ds-3' })).state, 'deleted', 'a remote deletion is a soft delete here')
  t.not(await feedCursor(b, source), afterFirst, 'the position moved')

  proxy.requests.length = 0
  const r3 = await run(b, source)
  t.same(r3.stats, { added: 0, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }, 'no remote change: no object at all')
  t.same(actionCounts(proxy.requests), { changes_since: 1 }, 'one empty feed page')

  await a.ok('package_patch', { id: 'ds-4', private: false, title: 'Cuatro' })
  const r4 = await run(b, source)
  t.same(r4.stats, { added: 1, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }, 'public again: back, with its id and name')
  t.same(await publicDatasets(b), await publicDatasets(a), 'B mirrors A again')
})

t.test("the feed respects the source's organization filter", async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES)
  const proxy = await recordingProxy(t, await listen(a))
  await a.ok('organization_create', { name: 'org-a' })
  await a.ok('organization_create', { name: 'org-b' })
  for (let i = 1; i <= 3; i++) await a.ok('package_create', dataset(i))
  for (let i = 4; i <= 5; i++) await a.ok('package_create', dataset(i, { owner_org: 'org-b' }))
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: proxy.url, source_type: 'ckan', owner_org: 'espejo', config: JSON.stringify({ remote_orgs: 'create', organizations_filter_include: ['org-a'] }) })
  t.same((await run(b, source)).stats.added, 3)

  await a.ok('package_patch', { id: 'ds-1', owner_org: 'org-b' })
  await a.ok('package_patch', { id: 'ds-4', title: 'otra organización' })
  await a.ok('package_patch', { id: 'ds-5', owner_org: 'org-a' })
  const r2 = await run(b, source)
  t.same(r2.stats, { added: 1, updated: 0, 'not modified': 0, errored: 0, deleted: 1 }, 'ds-5 moved in, ds-1 moved out, ds-4 is not ours')
  t.same(await publicDatasets(b), await publicDatasets(a, 'organization:org-a'), "B holds A's org-a datasets")
})

t.test('a feed position the remote refuses starts over with a listing', async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES)
  const aUrl = await listen(a)
  await a.ok('organization_create', { name: 'org-a' })
  for (let i = 1; i <= 3; i++) await a.ok('package_create', dataset(i))
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: aUrl, source_type: 'ckan', owner_org: 'espejo' })
  await run(b, source)
  const good = await feedCursor(b, source)
  // another feed's position (a restored or replaced remote)
  const foreign = Buffer.from('v1:999999', 'utf8').toString('base64url')
  await b.db.kysely.updateTable('harvest_source').set({ feed_cursor: foreign }).where('id', '=', source).execute()
  await a.ok('package_delete', { id: 'ds-2' })
  const r = await run(b, source)
  t.same(r.gatherErrors, [], 'not an error: the remote is listed instead')
  t.equal(r.mode, 'incremental', 'by package_search since the watermark')
  t.equal(r.stats.deleted, 1, 'the id listing found the deletion')
  t.not(good, null)
  t.equal(await feedCursor(b, source), (await a.ok<Dict>('changes_since', { limit: 10000 })).cursor, "and the remote's current position is stored again")
})

t.test('a run with errors keeps the old feed position, so the next one reads those changes again', async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES)
  const aUrl = await listen(a)
  await a.ok('organization_create', { name: 'org-a' })
  await a.ok('package_create', dataset(1))
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: aUrl, source_type: 'ckan', owner_org: 'espejo' })
  await run(b, source)
  const before = await feedCursor(b, source)
  // a dataset B cannot import: its id is a dataset another source of B holds
  await a.ok('package_create', dataset(2))
  const a2 = await a.ok<Dict>('package_show', { id: 'ds-2' })
  await b.db.kysely.insertInto('package').values({ id: a2.id, name: 'ocupado', type: 'dataset', state: 'active', private: false, owner_org: null, metadata_created: '2024-01-01T00:00:00', metadata_modified: '2024-01-01T00:00:00' }).execute()
  await b.ok('harvest_source_create', { name: 'otra', title: 'otra', url: 'http://127.0.0.1:9/otra', source_type: 'ckan', owner_org: 'espejo' })
  const otra = (await b.db.kysely.selectFrom('package').select('id').where('name', '=', 'otra').executeTakeFirstOrThrow()).id
  const job = await b.db.kysely.selectFrom('harvest_job').select('id').where('source_id', '=', source).executeTakeFirstOrThrow()
  await b.db.kysely
    .insertInto('harvest_object')
    .values({ id: crypto.randomUUID(), guid: a2.id, current: true, gathered: '2024-01-01T00:00:00', content: '{}', content_hash: 'x', harvest_job_id: job.id, harvest_source_id: otra, package_id: a2.id, extras: '{}' as never })
    .execute()
  const failed = await run(b, source)
  t.equal(failed.stats.errored, 1, 'the dataset another source owns cannot be imported')
  t.equal(await feedCursor(b, source), before, 'the position did not move')
  await b.db.kysely.deleteFrom('harvest_object').where('harvest_source_id', '=', otra).execute()
  const again = await run(b, source)
  t.same(again.stats, { added: 1, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }, 'the next run reads the same change again and imports it')
  t.not(await feedCursor(b, source), before)
})

t.test('harvest_source_clear forgets the feed position and the watermark: the next run lists everything again', async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES)
  const aUrl = await listen(a)
  await a.ok('organization_create', { name: 'org-a' })
  for (let i = 1; i <= 2; i++) await a.ok('package_create', dataset(i))
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: aUrl, source_type: 'ckan', owner_org: 'espejo' })
  await run(b, source)
  t.type(await feedCursor(b, source), 'string')
  await b.ok('harvest_source_clear', { id: source })
  const row = await b.db.kysely.selectFrom('harvest_source').select(['feed_cursor', 'watermark']).where('id', '=', source).executeTakeFirstOrThrow()
  t.same(row, { feed_cursor: null, watermark: null })
  const r = await run(b, source)
  t.equal(r.mode, 'full')
  t.same(r.stats, { added: 2, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }, 'the cleared datasets come back (from the old position the feed would have had nothing)')
})
