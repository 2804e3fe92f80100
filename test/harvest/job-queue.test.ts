import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import pg from 'pg'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { sql, type Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import { testApp } from '../helpers/app.js'
import { createSource, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { DEFAULT_MAX_ATTEMPTS, enqueue, startJobWorker, validatedTasks } from '../../src/jobs/queue.js'
import { harvestTasks } from '../../src/harvest/pipeline/tasks.js'
import { gatherJobKey } from '../../src/harvest/pipeline/jobs.js'
import { poll } from '../helpers/poll.js'
import { serveLocally } from '../helpers/local-server.js'

/** The job queue under failure: retries with backoff, payload validation, job keys, retry-safe gathers. */

interface QueuedJob {
  id: string
  task: string
  payload: Record<string, any>
  attempts: number
  max_attempts: number
  last_error: string | null
  key: string | null
  due_in_s: number
}

async function queued(db: Kysely<any>, task?: string): Promise<QueuedJob[]> {
  const { rows } = await sql<QueuedJob>`
    SELECT j.id::text, k.identifier AS task, j.payload, j.attempts, j.max_attempts, j.last_error, j.key,
           extract(epoch FROM j.run_at - now())::float8 AS due_in_s
      FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
     WHERE ${task ?? null}::text IS NULL OR k.identifier = ${task ?? null}::text
     ORDER BY j.id`.execute(db)
  return rows
}

function capturingLog(): { log: FastifyBaseLogger; lines: string[] } {
  const lines: string[] = []
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }) as unknown as FastifyBaseLogger
  return { log, lines }
}

t.test('a task that fails once is retried with backoff and then succeeds', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  let calls = 0
  const tasks = validatedTasks({
    flaky: {
      payload: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
      run: async () => {
        calls++
        if (calls === 1) throw new Error('worker crashed mid-task')
      },
    },
  })
  const worker = await startJobWorker({ pool: b.db.pool, tasks, log: capturingLog().log })
  t.teardown(() => worker.stop())
  await enqueue(b.db.kysely, 'flaky', { n: 1 })
  const failed = await poll('the first attempt to fail', async () => (await queued(b.db.kysely, 'flaky')).find((j) => j.attempts === 1 && j.last_error))
  t.equal(failed.max_attempts, DEFAULT_MAX_ATTEMPTS, 'queued with several attempts')
  t.ok(DEFAULT_MAX_ATTEMPTS > 1)
  t.match(failed.last_error, /worker crashed mid-task/)
  t.ok(failed.due_in_s > 0, `the retry waits (backoff: due in ${failed.due_in_s.toFixed(1)} s)`)
  // skip the backoff rather than wait for it
  await sql`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE id = ${failed.id}::bigint`.execute(b.db.kysely)
  await poll('the retry to succeed', async () => ((await queued(b.db.kysely, 'flaky')).length === 0 ? true : undefined))
  t.equal(calls, 2, 'ran twice: failed, then succeeded')
  await worker.stop()
})

t.test('an invalid payload fails at once, for good, with a log line', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  const { log, lines } = capturingLog()
  const worker = await startJobWorker({ pool: b.db.pool, tasks: harvestTasks(b.db.kysely, b.app.harvest), log })
  t.teardown(() => worker.stop())
  await enqueue(b.db.kysely, 'harvest_gather', { job_id: 'not-a-uuid' })
  await enqueue(b.db.kysely, 'harvest_import', { job_id: randomUUID() })
  await enqueue(b.db.kysely, 'harvest_import', { job_id: randomUUID(), object_ids: 'x', extra: 1 })
  const jobs = await poll('the three jobs to be tried', async () => {
    const q = await queued(b.db.kysely)
    return q.length === 3 && q.every((j) => j.last_error) ? q : undefined
  })
  for (const j of jobs) {
    t.equal(j.attempts, 1, `${j.task} ${JSON.stringify(j.payload)}: tried once`)
    t.equal(j.max_attempts, 1, 'and marked failed for good (no attempts left)')
    t.match(j.last_error, /^invalid payload: /)
  }
  t.match(jobs[0].last_error, /job_id/)
  t.match(jobs[1].last_error, /object_ids/)
  const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50 && /invalid payload and will not be retried/.test(l.msg))
  t.equal(logged.length, 3, 'one clear error line per job')
  // the worker's slots run the three at once: the lines come in any order
  t.equal(logged.filter((l) => /\(harvest_gather\).*job_id/.test(l.msg)).length, 1, "the gather's line names the task and the field")
  await worker.stop()
})

t.test('job keys: a duplicate enqueue does not make a second job', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  const jobId = randomUUID()
  await enqueue(b.db.kysely, 'harvest_gather', { job_id: jobId }, { jobKey: gatherJobKey(jobId) })
  await enqueue(b.db.kysely, 'harvest_gather', { job_id: jobId }, { jobKey: gatherJobKey(jobId) })
  t.equal((await queued(b.db.kysely, 'harvest_gather')).length, 1, 'one gather for one harvest job')

  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente', url: 'http://127.0.0.1:9', source_type: 'ckan', owner_org: 'espejo' })
  const job = await startJob(b, source, { queue: true })
  const gathers = (await queued(b.db.kysely, 'harvest_gather')).filter((j) => j.payload.job_id === job)
  t.equal(gathers.length, 1)
  t.equal(gathers[0].key, gatherJobKey(job), 'harvest_job_create queues its gather under the job key')
  t.equal(gathers[0].max_attempts, DEFAULT_MAX_ATTEMPTS, 'with retries')
})

t.test('a retried gather stores each record and queues each import once, and keeps its start', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const datasets = Array.from({ length: 60 }, (_, i) => ({ id: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `remoto-${i}`, title: `Remoto ${i}`, type: 'dataset', tags: [], resources: [], extras: [], groups: [] }))
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x')
    const start = Number(u.searchParams.get('start') ?? 0)
    const rows = Number(u.searchParams.get('rows') ?? 10)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ success: true, result: { count: datasets.length, results: datasets.slice(start, start + rows) } }))
  })
  const source = await createSource(b, { name: 'fuente', url: await serveLocally(t, server), source_type: 'ckan', owner_org: 'espejo' })
  const job = await startJob(b, source, { queue: true })

  // what graphile-worker does when the first attempt crashed after its work: run the task again
  await b.app.harvest.gather(job)
  const started = (await b.db.kysely.selectFrom('harvest_job').select('gather_started').where('id', '=', job).executeTakeFirstOrThrow()).gather_started
  await b.app.harvest.gather(job)

  const objects = await b.db.kysely.selectFrom('harvest_object').select('guid').where('harvest_job_id', '=', job).execute()
  t.equal(objects.length, 60, 'one object per remote record')
  t.equal(new Set(objects.map((o) => o.guid)).size, 60)
  const imports = await queued(b.db.kysely, 'harvest_import')
  const ids = imports.flatMap((j) => j.payload.object_ids as string[])
  t.equal(ids.length, 60, 'each object queued for import once')
  t.equal(new Set(ids).size, 60)
  t.ok(
    imports.every((j) => j.max_attempts === DEFAULT_MAX_ATTEMPTS && j.key),
    'imports are retried too, under a key',
  )
  const after = (await b.db.kysely.selectFrom('harvest_job').select('gather_started').where('id', '=', job).executeTakeFirstOrThrow()).gather_started
  t.equal(after, started, "gather_started (the next watermark) is the first attempt's")
})

/** A TCP relay to Postgres that can refuse connections, as a restarting database does. */
async function outageRelay(connectionString: string) {
  const url = new URL(connectionString)
  // the suite's cluster listens on a unix socket (?host=/dir), an external one on TCP
  const socketDir = url.searchParams.get('host')
  const port = Number(url.searchParams.get('port') ?? (url.port || 5432))
  const target: net.NetConnectOpts = socketDir?.startsWith('/') ? { path: `${socketDir}/.s.PGSQL.${port}` } : { host: url.hostname, port }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const relayPort = (server.address() as AddressInfo).port
  url.searchParams.delete('host')
  url.searchParams.delete('port')
  url.hostname = '127.0.0.1'
  url.port = String(relayPort)
  return {
    connectionString: url.toString(),
    async down() {
      await new Promise<void>((r) => {
        server.close(() => r())
        for (const s of sockets) s.destroy()
      })
    },
    async up() {
      await new Promise<void>((r) => server.listen(relayPort, '127.0.0.1', r))
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

t.test('a database outage while a job runs: the job runs again once the database is back, and so do later ones', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  const relay = await outageRelay(String(b.db.pool.options.connectionString))
  const pool = new pg.Pool({ connectionString: relay.connectionString, max: 4 })
  // as src/db/connect.ts does for the server's pool
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  let outage: Promise<void> | null = null
  const ran: number[] = []
  const tasks = validatedTasks({
    step: {
      payload: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
      run: async ({ n }: { n: number }) => {
        ran.push(n)
        // the first job's end cannot be recorded at once: connections are refused, as while Postgres restarts
        if (n === 1 && !outage) {
          outage = relay.down()
          await outage
        }
      },
    },
  })
  const { log } = capturingLog()
  const worker = await startJobWorker({ pool, tasks, log })
  t.teardown(async () => {
    await worker.stop()
    await pool.end().catch(() => undefined)
    await relay.close().catch(() => undefined)
  })
  await enqueue(b.db.kysely, 'step', { n: 1 })
  await poll('the first job to start', async () => (ran.includes(1) ? true : undefined))
  await outage
  t.same(
    (await queued(b.db.kysely, 'step')).map((j) => j.payload.n),
    [1],
    'while the database is away the job is not recorded as done',
  )
  await relay.up()
  await enqueue(b.db.kysely, 'step', { n: 2 })
  await poll('both jobs to be done', async () => ((await queued(b.db.kysely, 'step')).length === 0 && ran.includes(2) ? true : undefined), 60_000)
  t.same(
    ran.filter((n) => n === 1),
    [1, 1],
    'the job whose end was lost ran again (not left locked by the dead pool for hours)',
  )
  t.same(
    ran.filter((n) => n === 2),
    [2],
    'the later job ran once; the process lived on (an unhandled rejection would fail this test)',
  )
})

t.test('a worker pool that stops by itself is started again', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  const ran: number[] = []
  const tasks = validatedTasks({
    step: { payload: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }, run: async ({ n }: { n: number }) => void ran.push(n) },
  })
  const { log, lines } = capturingLog()
  const worker = await startJobWorker({ pool: b.db.pool, tasks, log })
  t.teardown(() => worker.stop())
  // graphile-worker's own reason to stop a pool that it can be asked for from outside
  const exitCode = process.exitCode
  // sent until heard: the pool's LISTEN connection may not be up yet on a loaded machine
  await poll('the pool to stop by itself', async () => {
    if (lines.some((l) => l.includes('job worker stopped by itself'))) return true
    await sql`SELECT pg_notify('worker:migrate', '{"breaking": true}')`.execute(b.db.kysely)
    return undefined
  })
  process.exitCode = exitCode
  await enqueue(b.db.kysely, 'step', { n: 7 })
  await poll('a job queued after the stop to run', async () => (ran.includes(7) ? true : undefined), 30_000)
  t.same(ran, [7], 'a new pool ran it')
})

t.test('a worker started while the database is away starts once it is back', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  const relay = await outageRelay(String(b.db.pool.options.connectionString))
  const pool = new pg.Pool({ connectionString: relay.connectionString, max: 4 })
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  const ran: number[] = []
  const tasks = validatedTasks({
    step: { payload: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } }, run: async ({ n }: { n: number }) => void ran.push(n) },
  })
  const { log, lines } = capturingLog()
  // as when the embedded cluster is killed while the server is still starting its worker
  await relay.down()
  const worker = await startJobWorker({ pool, tasks, log })
  t.teardown(async () => {
    await worker.stop()
    await pool.end().catch(() => undefined)
    await relay.close().catch(() => undefined)
  })
  t.ok(
    lines.some((l) => l.includes('job worker could not start yet')),
    'the failed first start is logged, not thrown',
  )
  await enqueue(b.db.kysely, 'step', { n: 3 })
  await relay.up()
  await poll('the job queued during the outage to run', async () => (ran.includes(3) ? true : undefined), 60_000)
  t.same(ran, [3], 'a pool started after the outage ran it')
})
