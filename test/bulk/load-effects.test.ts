import { Readable } from 'node:stream'
import t from 'tap'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../helpers/app.js'
import { readLines } from '../../src/bulk/jsonl.js'
import { loadDatasets } from '../../src/bulk/load.js'
import { harvestUser } from '../../src/auth/users.js'

/**
 * `abierto load` does what package_create / package_update do besides the rows
 * (src/bulk/after-write.ts, shared with the harvest import): default views on created datasets,
 * DataStore loads for new files of loadable formats.
 */

type Dict = Record<string, any>

const resId = (i: number) => `50000000-0000-4000-8000-${String(i).padStart(12, '0')}`

async function load(b: TestApp, lines: Dict[]) {
  const actor = await harvestUser(b.db.kysely)
  const reported: string[] = []
  const result = await loadDatasets(b.db.kysely, readLines(Readable.from([Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n'))])), {
    createUnownedDataset: false,
    batchSize: 2,
    report: (m) => reported.push(m),
    activities: { actor: { id: actor.id, name: actor.name }, siteUrl: b.config.siteUrl },
    effects: b.config,
  })
  return { result, reported }
}

async function queued(b: TestApp): Promise<string[]> {
  const { rows } = await sql<{ r: string }>`
    SELECT j.payload->>'resource_id' AS r FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
     WHERE k.identifier = 'datastore_load' ORDER BY 1`.execute(b.db.kysely)
  return rows.map((r) => r.r)
}

t.test('a load queues DataStore loads for new files and adds default views to created datasets', async (t) => {
  const b = await testApp(t)
  const dataset = (i: number, resources: Dict[]) => ({ name: `efecto-${i}`, title: `Efecto ${i}`, organization: { name: 'org' }, resources })
  const first = await load(b, [
    dataset(1, [
      { id: resId(1), url: 'http://datos.example/uno.csv', format: 'CSV' },
      { id: resId(2), url: 'http://datos.example/foto.jpg', format: 'JPEG' },
    ]),
    dataset(2, [{ id: resId(3), url: 'http://datos.example/informe.pdf', format: 'PDF' }]),
    dataset(3, [{ id: resId(4), url: 'http://datos.example/tres.xlsx', format: 'XLSX' }]),
  ])
  t.same([first.result.created, first.reported], [3, []])
  t.same(await queued(b), [resId(1), resId(4)], 'the CSV and the XLSX are queued')
  t.same(
    (await b.db.kysely.selectFrom('datastore_load').select('resource_id').orderBy('resource_id').execute()).map((r) => r.resource_id),
    [resId(1), resId(4)],
  )
  const views = await b.db.kysely.selectFrom('resource_view').select(['resource_id', 'view_type', 'title', 'description', 'config', 'order']).execute()
  t.same(
    views.map((v) => [v.resource_id, v.view_type]),
    [[resId(2), 'image_view']],
    'the image gets its default view',
  )
  const made = await b.ok<Dict>('package_create', { name: 'referencia', owner_org: 'org', resources: [{ url: 'http://datos.example/ref.jpg', format: 'JPEG' }] })
  const reference = await b.db.kysely.selectFrom('resource_view').select(['view_type', 'title', 'description', 'config', 'order']).where('resource_id', '=', made.resources[0].id).execute()
  t.same(
    reference,
    views.map(({ resource_id: _r, ...v }) => v),
    'the same view package_create makes',
  )
  const shown = await b.ok<Dict>('resource_view_list', { id: resId(2) })
  t.equal(shown.length, 1, 'the view is listed like one package_create made')
  const viewActivity = await b.db.kysely.selectFrom('activity').select('object_id').where('activity_type', '=', 'new resource view').execute()
  t.equal(viewActivity.length, 2, 'with its activity (and the reference one)')

  // same files, one new link, a new image on an update: only the new link is queued again, no view added
  await sql`DELETE FROM graphile_worker._private_jobs`.execute(b.db.kysely)
  const second = await load(b, [
    dataset(1, [
      { id: resId(1), url: 'http://datos.example/uno.csv', format: 'CSV' },
      { id: resId(2), url: 'http://datos.example/foto.jpg', format: 'JPEG' },
      { id: resId(5), url: 'http://datos.example/otra.png', format: 'PNG' },
    ]),
    dataset(3, [{ id: resId(4), url: 'http://datos.example/tres-v2.xlsx', format: 'XLSX' }]),
  ])
  t.same([second.result.updated, second.reported], [2, []])
  t.same(await queued(b), [resId(4)], 'only the changed file is queued')
  t.equal((await b.db.kysely.selectFrom('resource_view').select('id').execute()).length, 2, 'an update adds no default views (package_update)')
})

t.test('without effects (the default) a load queues and adds nothing', async (t) => {
  const b = await testApp(t)
  await loadDatasets(b.db.kysely, readLines(Readable.from([Buffer.from(JSON.stringify({ name: 'sin-efectos', organization: { name: 'org' }, resources: [{ url: 'http://datos.example/a.csv', format: 'CSV' }] }))])), {
    createUnownedDataset: false,
    report: () => undefined,
  })
  t.same(await queued(b), [])
})
