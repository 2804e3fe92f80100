import t from 'tap'
import type { AddressInfo } from 'node:net'
import { testApp, type TestApp } from '../helpers/app.js'
import { createSource, startJob, jobReport, waitForJob, LOCAL_REMOTES, recordingProxy, actionCounts } from './harvest-helpers.js'

/**
 * Two Abierto instances over real HTTP: B harvests A with the `ckan` harvester, A changes
 * (update, add, delete, make private), B re-harvests incrementally and must mirror A's public
 * catalogue exactly. A answers here as a real CKAN does, without a change feed (the feed path:
 * ckan-feed.test.ts).
 */

type Dict = Record<string, any>

async function listen(a: TestApp): Promise<string> {
  await a.app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`
}

function dataset(i: number, extra: Dict = {}): Dict {
  return {
    name: `ds-${i}`,
    title: `Conjunto ${i} de población`,
    notes: `Descripción del conjunto ${i}`,
    owner_org: 'org-a',
    license_id: 'cc-by',
    tags: [{ name: `etiqueta ${i}` }, { name: 'común' }],
    groups: [{ name: 'salud' }],
    extras: [{ key: 'frecuencia', value: 'anual' }],
    resources: [{ url: `http://files.example.org/${i}.csv`, name: `datos ${i}`, format: 'CSV' }],
    ...extra,
  }
}

/** The comparable part of a dataset dict: what a mirror must carry over. */
function essence(d: Dict): Dict {
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    notes: d.notes,
    license_id: d.license_id,
    private: d.private,
    state: d.state,
    tags: (d.tags as Dict[]).map((x) => x.name).sort(),
    groups: (d.groups as Dict[]).map((g) => g.name).sort(),
    organization: d.organization?.name,
    extras: (d.extras as Dict[])
      .filter((e) => !e.key.startsWith('harvest_'))
      .map((e) => `${e.key}=${e.value}`)
      .sort(),
    resources: (d.resources as Dict[]).map((r) => ({ id: r.id, url: r.url, name: r.name, format: r.format })),
  }
}

async function publicDatasets(app: TestApp): Promise<Dict[]> {
  const res = await app.ok<Dict>('package_search', { q: '*:*', rows: 1000, sort: 'name asc' }, { token: null })
  return res.results
}

t.test('B mirrors A through the ckan harvester, incrementally', async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES)
  const proxy = await recordingProxy(t, await listen(a), { plainCkan: true })
  const aUrl = proxy.url
  await a.ok('organization_create', { name: 'org-a', title: 'Organización A' })
  await a.ok('group_create', { name: 'salud', title: 'Salud' })
  for (let i = 1; i <= 6; i++) await a.ok('package_create', dataset(i))
  await a.ok('package_create', dataset(7, { private: true }))
  await b.ok('organization_create', { name: 'espejo', title: 'Espejo' })

  const source = await createSource(b, { name: 'fuente-a', url: aUrl, source_type: 'ckan', owner_org: 'espejo', config: JSON.stringify({ remote_orgs: 'create', remote_groups: 'create' }) })
  const first = await startJob(b, source)
  await b.app.harvest.runInline(first)
  const r1 = await jobReport(b, first)
  t.same(r1.stats, { added: 6, updated: 0, 'not modified': 0, errored: 0, deleted: 0 }, 'first run adds the six public datasets')
  t.equal(r1.gatherErrors.length, 0)
  t.same((await publicDatasets(b)).map(essence), (await publicDatasets(a)).map(essence), 'B equals A: ids, names, text, tags, groups, orgs, extras, resources')

  const onB = await b.ok<Dict>('package_show', { id: 'ds-1' })
  t.equal(onB.organization.name, 'org-a', 'remote_orgs=create made the remote organization locally')
  t.equal(onB.resources[0].id, (await a.ok<Dict>('package_show', { id: 'ds-1' })).resources[0].id, 'resource ids are kept')
  t.notOk((await b.call('package_show', { id: 'ds-7' })).statusCode === 200, 'the private dataset never reached B')

  // A changes: an update, an addition, a deletion, a dataset made private
  await a.ok('package_patch', { id: 'ds-2', title: 'Conjunto 2 renombrado', tags: [{ name: 'nueva' }] })
  await a.ok('package_create', dataset(8))
  await a.ok('package_delete', { id: 'ds-3' })
  await a.ok('package_patch', { id: 'ds-4', private: true })

  t.equal((await b.db.kysely.selectFrom('harvest_source').select('feed_cursor').where('id', '=', source).executeTakeFirstOrThrow()).feed_cursor, null, 'a remote without a feed leaves no feed position')
  proxy.requests.length = 0
  const second = await startJob(b, source)
  await b.app.harvest.runInline(second)
  const r2 = await jobReport(b, second)
  t.equal(r2.mode, 'incremental', 'the second run is incremental')
  const asked = actionCounts(proxy.requests)
  t.equal(asked.changes_since, 1, 'the feed is asked for once and refused')
  t.ok(asked.package_search >= 2, 'the changes and the remote ids are listed with package_search')
  t.notOk(asked.package_show, 'no dataset is fetched one by one')
  t.same(r2.stats, { added: 1, updated: 1, 'not modified': 3, errored: 0, deleted: 2 }, 'one added, one updated, two deleted; the unchanged ones the overlap window re-lists are not modified')
  t.same((await publicDatasets(b)).map(essence), (await publicDatasets(a)).map(essence), 'B mirrors A again (private and deleted ones gone)')
  t.equal((await b.ok<Dict>('package_show', { id: 'ds-3' })).state, 'deleted', 'remote deletion is a soft delete on B')

  // nothing changed: a third run writes nothing
  const third = await startJob(b, source)
  await b.app.harvest.runInline(third)
  const r3 = await jobReport(b, third)
  t.same(r3.stats, { added: 0, updated: 0, 'not modified': r3.stats['not modified'], errored: 0, deleted: 0 }, 'no remote change: nothing added, updated or deleted')

  // a dataset made public again comes back with its id and name
  await a.ok('package_patch', { id: 'ds-4', private: false })
  const fourth = await startJob(b, source)
  await b.app.harvest.runInline(fourth)
  t.same((await publicDatasets(b)).map(essence), (await publicDatasets(a)).map(essence), 'made public again: mirrored again')
})

t.test('the queue runs a job end to end and finishes it without a cron', async (t) => {
  const a = await testApp(t)
  const b = await testApp(t, LOCAL_REMOTES, { jobWorker: true })
  const aUrl = await listen(a)
  await a.ok('organization_create', { name: 'org-a' })
  await a.ok('group_create', { name: 'salud' })
  for (let i = 1; i <= 3; i++) await a.ok('package_create', dataset(i))
  // CKAN names may have 100 characters; ckanext-harvest would cut these to 95
  const long = [`padron-municipal-${'2024-'.repeat(16)}xy`, `padron-provincial-${'2024-'.repeat(16)}xy`]
  t.same(
    long.map((n) => n.length),
    [99, 100],
  )
  for (const [i, name] of long.entries()) await a.ok('package_create', dataset(4 + i, { name }))
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: aUrl, source_type: 'ckan', owner_org: 'espejo' })
  const job = await startJob(b, source, { queue: true })
  const finished = await waitForJob(b, job, 30_000)
  t.equal(finished.status, 'Finished')
  const report = await jobReport(b, job)
  t.same(report.stats, { added: 5, updated: 0, 'not modified': 0, errored: 0, deleted: 0 })
  const found = await b.ok<Dict>('package_search', { q: 'población', rows: 10 }, { token: null })
  t.equal(found.count, 5, 'harvested datasets are searchable when the job finishes')
  t.equal(found.results[0].organization.name, 'espejo', 'without remote_orgs datasets go to the source organization')
  for (const name of long) t.equal((await b.ok<Dict>('package_show', { id: name })).name, name, `the ${name.length}-character name is kept whole`)
})
