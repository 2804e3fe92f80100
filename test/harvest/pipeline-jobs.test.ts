import t from 'tap'
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { testApp } from '../helpers/app.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { finishJobIfDone, timeOutStaleJobs } from '../../src/harvest/pipeline/job-finish.js'
import { nowIso } from '../../src/model/time.js'
import { harvestTasks } from '../../src/harvest/pipeline/tasks.js'
import { sql } from 'kysely'
import { serveLocally } from '../helpers/local-server.js'

/** Job lifecycle: watermarks, timeouts, aborts, and two sources claiming one dataset. */

type Dict = Record<string, any>

function remoteDataset(i: number): Dict {
  return {
    id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name: `remoto-${i}`,
    title: `Remoto ${i}`,
    type: 'dataset',
    tags: [],
    resources: [],
    extras: [],
    groups: [],
  }
}

/** A fake CKAN serving `datasets`; `delayMs` slows every answer. */
async function fakeCkan(t: { teardown(fn: () => unknown): void }, datasets: () => Dict[], delayMs = 0): Promise<string> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x')
    const start = Number(u.searchParams.get('start') ?? 0)
    const rows = Number(u.searchParams.get('rows') ?? 10)
    setTimeout(() => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ success: true, result: { count: datasets().length, results: datasets().slice(start, start + rows) } }))
    }, delayMs)
  })
  return serveLocally(t, server)
}

t.test('the watermark moves only after an error-free job', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const list = [remoteDataset(1), { ...remoteDataset(2), tags: [{ name: 'x' }] }]
  const url = await fakeCkan(t, () => list)
  const source = await createSource(b, { name: 'fuente', url, source_type: 'ckan', owner_org: 'espejo' })
  const watermark = async () => (await b.db.kysely.selectFrom('harvest_source').select('watermark').where('id', '=', source).executeTakeFirstOrThrow()).watermark
  let job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  t.equal((await jobReport(b, job)).stats.errored, 1, 'one object failed (tag too short)')
  t.equal(await watermark(), null, 'a job with an object error leaves the watermark unset: the next run is full again')
  list[1] = remoteDataset(2)
  job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  const r = await jobReport(b, job)
  t.equal(r.mode, 'full')
  t.same([r.stats.added, r.stats['not modified'], r.stats.errored], [1, 1, 0])
  const gatherStarted = (await b.db.kysely.selectFrom('harvest_job').select('gather_started').where('id', '=', job).executeTakeFirstOrThrow()).gather_started
  t.equal(await watermark(), gatherStarted, 'an error-free job sets the watermark to its gather start')
})

t.test('stale Running jobs time out with a gather error; finishJobIfDone is idempotent', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente', url: 'http://127.0.0.1:9', source_type: 'ckan', owner_org: 'espejo' })
  const id = randomUUID()
  const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString().replace('Z', '')
  await b.db.kysely.insertInto('harvest_job').values({ id, source_id: source, created: longAgo, gather_started: longAgo, status: 'Running' }).execute()
  await b.db.kysely.insertInto('harvest_object').values({ id: randomUUID(), guid: 'g', gathered: longAgo, harvest_job_id: id, harvest_source_id: source }).execute()
  t.same(await timeOutStaleJobs(b.db.kysely, 120), [id], 'the job without progress for 3 h times out')
  const r = await jobReport(b, id)
  t.equal(r.status, 'Finished')
  t.match(r.gatherErrors[0], new RegExp(`Job ${id} timeout`))
  t.equal(r.stats.errored, 1, 'its pending object is errored')
  t.same(await timeOutStaleJobs(b.db.kysely, 120), [], 'a finished job is not timed out twice')
  t.equal(await finishJobIfDone(b.db.kysely, id), false, 'finishing a finished job does nothing')
  const fresh = randomUUID()
  await b.db.kysely.insertInto('harvest_job').values({ id: fresh, source_id: source, created: nowIso(), status: 'Running' }).execute()
  t.same(await timeOutStaleJobs(b.db.kysely, 120), [], 'a recent job is left alone')
})

t.test('an aborted job stops gathering and errors its pending objects', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const many = Array.from({ length: 250 }, (_, i) => remoteDataset(i + 1))
  const url = await fakeCkan(t, () => many, 150)
  const source = await createSource(b, { name: 'fuente', url, source_type: 'ckan', owner_org: 'espejo' })
  const job = await startJob(b, source)
  const running = b.app.harvest.runInline(job)
  // abort once the gather has stored its first page (polled, bounded)
  const stored = async () => (await b.db.kysely.selectFrom('harvest_object').select('id').where('harvest_job_id', '=', job).execute()).length
  for (const until = Date.now() + 20_000; (await stored()) === 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20))
  // what harvest_job_abort does
  await b.db.kysely.updateTable('harvest_job').set({ status: 'Finished' }).where('id', '=', job).execute()
  await b.db.kysely.updateTable('harvest_object').set({ state: 'ERROR' }).where('harvest_job_id', '=', job).where('state', '=', 'WAITING').execute()
  await running
  const r = await jobReport(b, job)
  t.ok(
    r.gatherErrors.some((m) => /aborted/.test(m)),
    'the gather records that it stopped',
  )
  const objects = await b.db.kysely.selectFrom('harvest_object').select('id').where('harvest_job_id', '=', job).execute()
  t.ok(objects.length < 250, `the remote was not listed to the end (${objects.length} objects)`)
  const imported = await b.db.kysely.selectFrom('package').select('id').where('type', '=', 'dataset').execute()
  const complete = await b.db.kysely.selectFrom('harvest_object').select('id').where('harvest_job_id', '=', job).where('state', '=', 'COMPLETE').execute()
  t.equal(imported.length, complete.length, 'only objects imported before the abort made datasets')
  const pending = await b.db.kysely.selectFrom('harvest_object').select('id').where('harvest_job_id', '=', job).where('state', 'not in', ['COMPLETE', 'ERROR']).execute()
  t.equal(pending.length, 0, 'no object is left pending')
})

t.test('two sources never claim the same dataset', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const url1 = await fakeCkan(t, () => [remoteDataset(1)])
  const url2 = await fakeCkan(t, () => [remoteDataset(1)])
  const s1 = await createSource(b, { name: 'fuente-1', url: url1, source_type: 'ckan', owner_org: 'espejo' })
  const s2 = await createSource(b, { name: 'fuente-2', url: url2, source_type: 'ckan', owner_org: 'espejo' })
  let job = await startJob(b, s1)
  await b.app.harvest.runInline(job)
  t.equal((await jobReport(b, job)).stats.added, 1)
  job = await startJob(b, s2)
  await b.app.harvest.runInline(job)
  const r = await jobReport(b, job)
  t.equal(r.stats.errored, 1, 'the second source cannot take the dataset over')
  t.match(r.objectErrors[0].message, /already harvested by source fuente-1/)
  const owner = await b.db.kysely.selectFrom('harvest_object').select('harvest_source_id').where('package_id', '=', remoteDataset(1).id).where('current', '=', true).execute()
  t.same(owner, [{ harvest_source_id: s1 }], 'the first source keeps it')
})

t.test("the worker's per-minute task starts due sources' jobs and ends abandoned ones", async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const due = await createSource(b, { name: 'diaria', url: 'http://127.0.0.1:9/a', source_type: 'ckan', owner_org: 'espejo', frequency: 'DAILY' })
  const notYet = await createSource(b, { name: 'semanal', url: 'http://127.0.0.1:9/b', source_type: 'ckan', owner_org: 'espejo', frequency: 'WEEKLY' })
  const manual = await createSource(b, { name: 'manual', url: 'http://127.0.0.1:9/c', source_type: 'ckan', owner_org: 'espejo' })
  const past = new Date(Date.now() - 60_000).toISOString().replace('Z', '')
  await b.db.kysely.updateTable('harvest_source').set({ next_run: past }).where('id', 'in', [due, manual]).execute()
  const stale = randomUUID()
  const longAgo = new Date(Date.now() - 3 * 3600_000).toISOString().replace('Z', '')
  await b.db.kysely.insertInto('harvest_job').values({ id: stale, source_id: notYet, created: longAgo, status: 'Running' }).execute()

  const tasks = harvestTasks(b.db.kysely, b.app.harvest)
  await (tasks.harvest_schedule as (payload: unknown, helpers: unknown) => Promise<void>)({}, {})

  const jobs = await b.db.kysely.selectFrom('harvest_job').select(['source_id', 'status', 'id']).orderBy('created').execute()
  const dueJobs = jobs.filter((j) => j.source_id === due)
  t.equal(dueJobs.length, 1, 'the due DAILY source got a job')
  t.equal(dueJobs[0]?.status, 'Running')
  t.equal(jobs.filter((j) => j.source_id === manual).length, 0, 'a MANUAL source is never scheduled')
  t.equal(jobs.find((j) => j.id === stale)?.status, 'Finished', 'the abandoned job was ended')
  const queued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
    WHERE k.identifier = 'harvest_gather' AND j.payload->>'job_id' = ${dueJobs[0]?.id ?? ''}`.execute(b.db.kysely)
  t.equal(queued.rows[0].n, 1, 'its gather task is queued for the worker')
  const next = (await b.db.kysely.selectFrom('harvest_source').select('next_run').where('id', '=', due).executeTakeFirstOrThrow()).next_run
  t.ok(next && Date.parse(`${next}Z`) > Date.now() + 23 * 3600_000, 'next_run moved a day on')
})
