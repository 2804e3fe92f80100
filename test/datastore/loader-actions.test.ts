import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql, type Kysely } from 'kysely'
import { testApp } from '../helpers/app.js'
import { insertUser } from '../actions/group-fixtures.js'
import { fixture, loaderApp } from './loader-helpers.js'

interface QueuedLoad {
  payload: { resource_id: string; job_id: string }
  key: string | null
  queue: string | null
}

async function queuedLoads(db: Kysely<any>): Promise<QueuedLoad[]> {
  const { rows } = await sql<QueuedLoad>`
    SELECT j.payload, j.key, q.queue_name AS queue
      FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
      LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
     WHERE k.identifier = 'datastore_load' ORDER BY j.id`.execute(db)
  return rows
}

t.test('loads are queued with the write, for new resources and new files of loadable formats only', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'inec' })
  const ds = await h.ok('package_create', {
    name: 'censo',
    owner_org: 'inec',
    resources: [
      { url: 'http://example.org/a.csv', format: 'CSV' },
      { url: 'http://example.org/b.pdf', format: 'PDF' },
      { url: '', format: 'CSV', name: 'no link' },
    ],
  })
  const [csv, pdf, nolink] = ds.resources
  let jobs = await queuedLoads(h.db.kysely)
  t.equal(jobs.length, 1, 'one load: the CSV with a link')
  t.equal(jobs[0].payload.resource_id, csv.id)
  t.equal(jobs[0].key, `datastore_load:${csv.id}`, 'one waiting load per resource')
  t.equal(jobs[0].queue, 'datastore_load', 'loads run one at a time')
  const pending = await h.ok('xloader_status', { resource_id: csv.id })
  t.equal(pending.status, 'pending')
  t.equal(pending.job_id, jobs[0].payload.job_id)
  t.same(pending.error, {})
  t.equal(pending.task_info.metadata.original_url, 'http://example.org/a.csv')
  for (const r of [pdf, nolink]) t.equal((await h.call('xloader_status', { resource_id: r.id })).statusCode, 404)

  await h.ok('resource_patch', { id: csv.id, description: 'same file' })
  jobs = await queuedLoads(h.db.kysely)
  t.equal(jobs.length, 1)
  t.equal((await h.ok('xloader_status', { id: csv.id })).job_id, pending.job_id, 'an edit that keeps the file queues nothing')

  await h.ok('resource_patch', { id: csv.id, url: 'http://example.org/a2.csv' })
  jobs = await queuedLoads(h.db.kysely)
  t.equal(jobs.length, 1, 'the waiting load was replaced')
  t.not(jobs[0].payload.job_id, pending.job_id, 'by a new one')
  t.equal((await h.ok('xloader_status', { id: csv.id })).job_id, jobs[0].payload.job_id)

  await h.ok('resource_patch', { id: pdf.id, format: 'csv' })
  t.equal((await queuedLoads(h.db.kysely)).length, 2, 'a format that becomes loadable queues its load')

  const bad = await h.call('package_create', { name: 'x', owner_org: 'inec', title: 42, resources: [{ url: 'http://example.org/c.csv', format: 'CSV', name: { not: 'a string' } }] })
  t.equal(bad.statusCode, 409)
  t.equal((await queuedLoads(h.db.kysely)).length, 2, 'a write that fails queues nothing')
})

t.test('DATASTORE_AUTO_LOAD=false queues nothing; xloader_submit still does', async (t) => {
  const h = await testApp(t, { DATASTORE_AUTO_LOAD: 'false' })
  await h.ok('organization_create', { name: 'inec' })
  const ds = await h.ok('package_create', { name: 'censo', owner_org: 'inec', resources: [{ url: 'http://example.org/a.csv', format: 'CSV' }] })
  t.equal((await queuedLoads(h.db.kysely)).length, 0)
  t.equal(await h.ok('xloader_submit', { resource_id: ds.resources[0].id }), true)
  t.equal(await h.ok('datapusher_submit', { id: ds.resources[0].id }), true)
  const jobs = await queuedLoads(h.db.kysely)
  t.equal(jobs.length, 1, 'the second submit replaced the first waiting one')
  const status = await h.ok('datapusher_status', { resource_id: ds.resources[0].id })
  t.equal(status.status, 'pending')
  t.equal(status.job_key, null)
  t.equal(status.job_id, jobs[0].payload.job_id)
})

t.test('xloader_submit / xloader_status: errors and who may call them', async (t) => {
  const h = await testApp(t)
  await h.ok('organization_create', { name: 'inec' })
  const editor = await insertUser(h.db.kysely, 'editora')
  const outsider = await insertUser(h.db.kysely, 'fuera')
  await h.ok('organization_member_create', { id: 'inec', username: 'editora', role: 'editor' })
  const ds = await h.ok('package_create', { name: 'censo', owner_org: 'inec', private: true, resources: [{ url: 'http://example.org/a.csv', format: 'CSV' }] })
  const id = ds.resources[0].id

  for (const name of ['xloader_submit', 'xloader_status', 'datapusher_submit', 'datapusher_status']) {
    const missing = await h.call(name, {})
    t.equal(missing.statusCode, 409, `${name} without resource_id`)
    t.same(missing.json().error, { __type: 'Validation Error', resource_id: ['Missing value'] })
    const unknown = await h.call(name, { resource_id: 'nope' })
    t.equal(unknown.statusCode, 404, `${name} of an unknown resource`)
    t.equal(unknown.json().error.message, 'Not found: Resource was not found.')
    for (const [who, token] of [
      ['anonymous', null],
      ['an outsider', outsider.token],
    ] as const) {
      const res = await h.call(name, { resource_id: id }, { token })
      t.equal(res.statusCode, 403, `${name} by ${who}`)
      t.match(res.json().error.message, new RegExp(`not authorized to perform resource_update on resource ${id}`))
    }
  }
  const seen = await h.ok('xloader_status', { resource_id: id }, { token: editor.token })
  t.equal(seen.status, 'pending', "an editor of the dataset's organization sees the status of a private dataset's resource")
  t.equal(await h.ok('xloader_submit', { resource_id: id }, { token: editor.token }), true)

  const none = await h.ok('resource_create', { package_id: 'censo', url: 'http://example.org/x.pdf', format: 'PDF' })
  const notFound = await h.call('xloader_status', { resource_id: none.id })
  t.equal(notFound.statusCode, 404)
  t.equal(notFound.json().error.message, 'Not found')

  const get = await h.app.inject({ method: 'GET', url: `/api/3/action/xloader_status?resource_id=${id}`, headers: { authorization: h.sysadminToken } })
  t.equal(get.statusCode, 200, 'xloader_status answers GET')
  const getSubmit = await h.app.inject({ method: 'GET', url: `/api/3/action/xloader_submit?resource_id=${id}`, headers: { authorization: h.sysadminToken } })
  t.equal(getSubmit.statusCode, 400, 'xloader_submit does not')
})

t.test('linked files: fetched over HTTP through the SSRF guard', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/datos.csv') {
      res.writeHead(200, { 'content-type': 'text/csv' })
      res.end(fixture('cantones-latin1.csv'))
    } else {
      res.writeHead(404)
      res.end('no')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise((r) => server.close(r)))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const allowed = await loaderApp(t, { FETCH_ALLOW_PRIVATE: '127.0.0.1' })
  const ok = await allowed.ok('resource_create', { package_id: 'censo', url: `${base}/datos.csv`, format: 'CSV' })
  const missing = await allowed.ok('resource_create', { package_id: 'censo', url: `${base}/falta.csv`, format: 'CSV' })
  const done = await allowed.settled(ok.id)
  t.equal(done.status, 'complete', JSON.stringify(done.task_info.logs))
  t.equal((await allowed.rows(ok.id)).length, 4)
  t.ok(done.task_info.logs.some((l: any) => l.message === `Fetching from: ${base}/datos.csv`))
  t.same((await allowed.settled(missing.id)).error, { message: 'Could not fetch the file: the server answered HTTP 404' })

  const guarded = await loaderApp(t)
  const blocked = await guarded.ok('resource_create', { package_id: 'censo', url: `${base}/datos.csv`, format: 'CSV' })
  const refused = await guarded.settled(blocked.id)
  t.same(refused.error, { message: 'Could not fetch the file: its host is not a public address' })
  t.not((await guarded.ok('resource_show', { id: blocked.id })).datastore_active, true, 'nothing was loaded')
})
