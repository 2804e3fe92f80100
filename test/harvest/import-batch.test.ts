import t, { type Test } from 'tap'
import http from 'node:http'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../helpers/app.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { serveLocally } from '../helpers/local-server.js'

/**
 * The batched import stage (src/harvest/pipeline/import-batch.ts): the objects of a batch are
 * written together, yet an object that fails errors alone, and each keeps what package_create /
 * package_update would have done (activities, default views, DataStore loads, search, bookkeeping).
 */

type Dict = Record<string, any>

const id = (i: number) => `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`
const resId = (i: number) => `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`

function remote(i: number, extra: Dict = {}): Dict {
  return { id: id(i), name: `lote-${i}`, title: `Lote ${i}`, type: 'dataset', notes: `Datos del lote ${i}`, tags: [{ name: 'lotes' }], resources: [], extras: [], groups: [], ...extra }
}

/** A remote CKAN answering package_search with whatever `list()` holds at the time. */
async function fakeCkan(t: Test, list: () => Dict[]): Promise<string> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x')
    const start = Number(u.searchParams.get('start') ?? 0)
    const rows = Number(u.searchParams.get('rows') ?? 10)
    res.setHeader('content-type', 'application/json')
    if (!u.pathname.endsWith('/package_search')) {
      res.statusCode = 404
      res.end(JSON.stringify({ success: false, error: { message: 'Not found' } }))
      return
    }
    res.end(JSON.stringify({ success: true, result: { count: list().length, results: list().slice(start, start + rows) } }))
  })
  return serveLocally(t, server)
}

async function harvest(b: TestApp, source: string) {
  const job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  return jobReport(b, job)
}

async function setup(t: Test, list: () => Dict[]) {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const url = await fakeCkan(t, list)
  const source = await createSource(b, { name: 'fuente', url, source_type: 'ckan', owner_org: 'espejo' })
  return { b, source }
}

async function queuedLoads(b: TestApp) {
  const { rows } = await sql<{ resource_id: string; key: string | null; queue: string | null }>`
    SELECT j.payload->>'resource_id' AS resource_id, j.key, q.queue_name AS queue
      FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
      LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
     WHERE k.identifier = 'datastore_load' ORDER BY j.id`.execute(b.db.kysely)
  return rows
}

async function objectsOf(b: TestApp, source: string) {
  const { rows } = await sql<{ guid: string; state: string; report_status: string; current: boolean; package_id: string | null }>`
    SELECT o.guid, o.state, o.report_status, o.current, o.package_id FROM harvest_object o
      JOIN harvest_job j ON j.id = o.harvest_job_id WHERE o.harvest_source_id = ${source} ORDER BY j.created DESC, o.guid`.execute(b.db.kysely)
  return rows
}

t.test('an object failing inside a batch errors alone; the others land whole', async (t) => {
  const list = [
    remote(1, { resources: [{ id: resId(1), url: 'http://datos.example/a.pdf', format: 'PDF', name: 'Informe' }] }),
    // invalid: rejected by validation, the batch goes on
    remote(2, { tags: [{ name: 'x' }] }),
    remote(3),
    // shares a resource id with 1: Postgres refuses the batch's insert, so it is redone one object per savepoint
    remote(4, { resources: [{ id: resId(1), url: 'http://datos.example/b.pdf', format: 'PDF', name: 'Copia' }] }),
    remote(5, { resources: [{ id: resId(5), url: 'http://datos.example/c.pdf', format: 'PDF' }] }),
  ]
  const { b, source } = await setup(t, () => list)
  const r = await harvest(b, source)
  t.same([r.status, r.stats.added, r.stats.errored], ['Finished', 3, 2])
  t.same(r.objectErrors.map((e) => e.guid).sort(), [id(2), id(4)])
  t.match(r.objectErrors.find((e) => e.guid === id(2))!.message, /^Invalid package with GUID .*tags/)
  t.match(r.objectErrors.find((e) => e.guid === id(4))!.message, /Resource id already exists/)
  const rows = await b.db.kysely.selectFrom('package').select(['id', 'name']).where('type', '=', 'dataset').orderBy('name').execute()
  t.same(
    rows.map((p) => p.id),
    [id(1), id(3), id(5)],
    'the failed objects left no dataset behind',
  )
  const res = await b.db.kysely.selectFrom('resource').select(['id', 'package_id', 'name']).orderBy('id').execute()
  t.same(res, [
    { id: resId(1), package_id: id(1), name: 'Informe' },
    { id: resId(5), package_id: id(5), name: null },
  ])
  const objects = await objectsOf(b, source)
  t.same(
    objects.map((o) => [o.guid, o.state, o.report_status, o.current, o.package_id]),
    [
      [id(1), 'COMPLETE', 'added', true, id(1)],
      [id(2), 'ERROR', 'errored', false, null],
      [id(3), 'COMPLETE', 'added', true, id(3)],
      [id(4), 'ERROR', 'errored', false, null],
      [id(5), 'COMPLETE', 'added', true, id(5)],
    ],
  )
  const shown = await b.ok<Dict>('package_show', { id: 'lote-5' })
  t.equal(shown.tags[0].name, 'lotes', 'tags written')
  t.equal(shown.organization.name, 'espejo')
})

t.test('a batch does what package_create and package_update do besides the rows', async (t) => {
  const list = [
    remote(1, {
      resources: [
        { id: resId(11), url: 'http://datos.example/tabla.csv', format: 'CSV', name: 'Tabla' },
        { id: resId(12), url: 'http://datos.example/mapa.png', format: 'PNG', name: 'Mapa' },
      ],
    }),
    remote(2),
    remote(3),
  ]
  const { b, source } = await setup(t, () => list)
  const first = await harvest(b, source)
  t.same([first.stats.added, first.stats.errored], [3, 0])

  const mine = [id(1), id(2), id(3), id(4)]
  const activities = await b.db.kysely.selectFrom('activity').select(['object_id', 'activity_type']).where('object_id', 'in', mine).orderBy('object_id').orderBy('activity_type').execute()
  t.same(
    activities.map((a) => [a.object_id, a.activity_type]),
    [
      [id(1), 'new package'],
      [id(1), 'new resource view'],
      [id(2), 'new package'],
      [id(3), 'new package'],
    ],
    'one "new package" activity per created dataset, and one for its default view',
  )
  const views = await b.db.kysely.selectFrom('resource_view').select(['resource_id', 'view_type']).execute()
  t.same(
    views.map((v) => [v.resource_id, v.view_type]),
    [[resId(12), 'image_view']],
    'the default view of the image',
  )
  const loads = await b.db.kysely.selectFrom('datastore_load').select(['resource_id', 'status']).execute()
  t.same(loads, [{ resource_id: resId(11), status: 'pending' }], 'the CSV is marked pending')
  t.same(await queuedLoads(b), [{ resource_id: resId(11), key: `datastore_load:${resId(11)}`, queue: 'datastore_load' }], 'and its load is queued')
  const found = await b.ok<Dict>('package_search', { q: 'lote', rows: 10 })
  t.equal(found.count, 3, 'searchable once the batch is done')
  const created = await b.ok<Dict>('package_show', { id: id(2) })
  const modifiedBefore = (await b.ok<Dict>('package_show', { id: id(3) })).metadata_modified

  // 1: its CSV points elsewhere; 2: content changes; 3: only the remote's bookkeeping changes; 4: new
  list[0] = { ...list[0], resources: [{ ...list[0].resources[0], url: 'http://datos.example/tabla-2.csv' }, list[0].resources[1]] }
  list[1] = { ...list[1], notes: 'Otra descripción' }
  list[2] = { ...list[2], metadata_modified: '2030-01-01T00:00:00' }
  list.push(remote(4))
  const second = await harvest(b, source)
  t.same([second.stats.added, second.stats.updated, second.stats['not modified'], second.stats.errored], [1, 3, 0, 0])
  const two = await b.ok<Dict>('package_show', { id: id(2) })
  t.equal(two.notes, 'Otra descripción')
  t.equal(two.metadata_created, created.metadata_created, 'an update keeps metadata_created')
  t.not(two.metadata_modified, created.metadata_modified, 'a changed dataset gets a new metadata_modified')
  t.equal((await b.ok<Dict>('package_show', { id: id(3) })).metadata_modified, modifiedBefore, 'an update that changes nothing keeps metadata_modified (package_update)')
  const changed = await b.db.kysely.selectFrom('activity').select(['object_id']).where('activity_type', '=', 'changed package').where('object_id', 'in', mine).orderBy('object_id').execute()
  t.same(
    changed.map((a) => a.object_id),
    [id(1), id(2), id(3)],
    'one "changed package" per update, changed or not',
  )
  const load = await b.db.kysely.selectFrom('datastore_load').select(['resource_id', 'url']).execute()
  t.same(load, [{ resource_id: resId(11), url: 'http://datos.example/tabla-2.csv' }], 'the CSV with a new link is queued again')
  const queued = await queuedLoads(b)
  t.equal(queued.length, 1, 'one job per resource (the key replaces the waiting one)')
  const { job_id } = await b.db.kysely.selectFrom('datastore_load').select('job_id').executeTakeFirstOrThrow()
  t.same((await sql<{ job: string }>`SELECT payload->>'job_id' AS job FROM graphile_worker._private_jobs WHERE key = ${queued[0].key}`.execute(b.db.kysely)).rows, [{ job: job_id }], "the queued job is the row's")
  t.equal((await b.db.kysely.selectFrom('resource_view').select('id').execute()).length, 1, 'package_update adds no default views')
  const objects = await objectsOf(b, source)
  t.same(
    objects.filter((o) => o.current).map((o) => o.guid),
    [id(1), id(2), id(3), id(4)],
    'the new objects are the current ones',
  )

  // 2 disappears, the rest is unchanged
  list.splice(1, 1)
  const third = await harvest(b, source)
  t.same([third.stats.deleted, third.stats['not modified'], third.stats.added + third.stats.updated], [1, 3, 0])
  t.equal((await b.db.kysely.selectFrom('package').select('state').where('id', '=', id(2)).executeTakeFirstOrThrow()).state, 'deleted')
  t.equal((await b.ok<Dict>('package_search', { q: 'lote', rows: 10 })).count, 3, 'the deleted one left the index')
})

t.test('names: taken ones and equal ones within a batch get a number', async (t) => {
  const list = [remote(1, { name: 'igual' }), remote(2, { name: 'igual' }), remote(3, { name: 'ocupado' })]
  const { b, source } = await setup(t, () => list)
  await b.ok('package_create', { name: 'ocupado', owner_org: 'espejo' })
  const r = await harvest(b, source)
  t.same([r.stats.added, r.stats.errored], [3, 0])
  const names = await b.db.kysely
    .selectFrom('package')
    .select(['id', 'name'])
    .where('id', 'in', [id(1), id(2), id(3)])
    .orderBy('id')
    .execute()
  t.same(
    names.map((n) => n.name),
    ['igual', 'igual1', 'ocupado1'],
  )
})
