import t from 'tap'
import http from 'node:http'
import { testApp } from '../helpers/app.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { closeAtTeardown, serveLocally } from '../helpers/local-server.js'

/**
 * Remotes that misbehave: every failure is recorded on the job (gather errors) or on the object
 * (import errors), the job finishes, and nothing is half-written or wrongly deleted.
 */

type Dict = Record<string, any>
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

/** A fake remote whose behaviour each test sets. */
async function remote(t: { teardown(fn: () => unknown): void }): Promise<{ url: string; set(h: Handler): void }> {
  let handler: Handler = (_req, res) => res.end()
  const server = http.createServer((req, res) => handler(req, res))
  return { url: await serveLocally(t, server), set: (h) => (handler = h) }
}

function ckanSearch(datasets: Dict[]): Handler {
  return (req, res) => {
    const u = new URL(req.url!, 'http://x')
    const start = Number(u.searchParams.get('start') ?? 0)
    const rows = Number(u.searchParams.get('rows') ?? 10)
    const fl = u.searchParams.get('fl')
    const page = datasets.slice(start, start + rows).map((d) => (fl ? Object.fromEntries(fl.split(',').map((k) => [k, d[k]])) : d))
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ help: '', success: true, result: { count: datasets.length, results: page } }))
  }
}

function remoteDataset(i: number, extra: Dict = {}): Dict {
  return {
    id: `00000000-0000-4000-8000-00000000000${i}`,
    name: `remoto-${i}`,
    title: `Remoto ${i}`,
    notes: 'texto',
    type: 'dataset',
    metadata_modified: '2024-01-01T00:00:00.000000',
    tags: [{ name: 'uno' }],
    resources: [{ id: `10000000-0000-4000-8000-00000000000${i}`, url: `http://x.example/${i}.csv`, format: 'CSV', name: 'r' }],
    extras: [],
    groups: [],
    ...extra,
  }
}

t.test('faulty CKAN remotes', async (t) => {
  const b = await testApp(t, LOCAL_REMOTES)
  const fake = await remote(t)
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente', url: fake.url, source_type: 'ckan', owner_org: 'espejo', config: JSON.stringify({ request_timeout: 1 }) })
  const count = async () =>
    Number(
      (
        await b.db.kysely
          .selectFrom('package')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('type', '=', 'dataset')
          .where('state', '=', 'active')
          .executeTakeFirstOrThrow()
      ).n,
    )

  // a good first run: two datasets
  fake.set(ckanSearch([remoteDataset(1), remoteDataset(2)]))
  let job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  t.same((await jobReport(b, job)).stats.added, 2)

  const cases: Array<[string, Handler, RegExp]> = [
    [
      'HTML where JSON was expected',
      (_q, res) => {
        res.setHeader('content-type', 'text/html')
        res.end('<html><body>Mantenimiento secreto</body></html>')
      },
      /as JSON \(HTTP 200, Content-Type text\/html\)$/,
    ],
    [
      'HTTP 500',
      (_q, res) => {
        res.statusCode = 500
        res.end('boom secreto')
      },
      /HTTP error 500$/,
    ],
    ['a timeout', () => undefined, /timed out after 1 s/],
    [
      'an API error envelope',
      (_q, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ success: false, error: { __type: 'Search Query Error', message: 'bad secreto' } }))
      },
      /the remote answered Search Query Error$/,
    ],
    [
      'paging that repeats',
      (req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ success: true, result: { count: 9, results: [remoteDataset(1)] } }))
      },
      /paging doesn't seem to work/,
    ],
  ]
  for (const [what, handler, message] of cases) {
    fake.set(handler)
    job = await startJob(b, source)
    await b.app.harvest.runInline(job)
    const r = await jobReport(b, job)
    t.equal(r.status, 'Finished', `${what}: the job finishes`)
    t.ok(
      r.gatherErrors.some((m) => message.test(m)),
      `${what}: the gather error says so (${r.gatherErrors.join(' | ')})`,
    )
    t.notOk(
      r.gatherErrors.some((m) => m.includes('secreto')),
      `${what}: the remote's body is not echoed into the report editors read`,
    )
    t.equal(r.stats.deleted, 0, `${what}: nothing is deleted`)
    t.equal(await count(), 2, `${what}: the harvested datasets are still there`)
  }

  // one record fails validation: it errors, the other imports, the failed one leaves no trace
  fake.set(ckanSearch([remoteDataset(1), remoteDataset(2), remoteDataset(3, { name: 'Mal Nombre!', tags: [{ name: 'x'.repeat(120) }] }), remoteDataset(4, { title: 'Cuatro' })]))
  await b.db.kysely
    .updateTable('harvest_source')
    .set({ config: JSON.stringify({ request_timeout: 1, force_all: true }) })
    .where('id', '=', source)
    .execute()
  job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  const r = await jobReport(b, job)
  t.equal(r.status, 'Finished')
  t.equal(r.stats.errored, 1, 'the invalid record is errored')
  t.equal(r.stats.added, 1, 'the valid new record is added')
  t.match(r.objectErrors[0]?.message, /Invalid package with GUID 00000000-0000-4000-8000-000000000003: .*tags/, 'the object error names the guid and the field')
  t.equal((await b.db.kysely.selectFrom('package').select('id').where('id', '=', remoteDataset(3).id).execute()).length, 0, 'no half-made dataset')
  t.equal((await b.db.kysely.selectFrom('resource').select('id').where('id', '=', remoteDataset(3).resources[0].id).execute()).length, 0, 'no orphan resource')
  t.equal(await count(), 3)
})

t.test('a remote on a port browsers refuse (fetch "bad ports") is harvested like any other', async (t) => {
  const server = http.createServer(ckanSearch([remoteDataset(5)]))
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(6665, '127.0.0.1', () => resolve(true))
  })
  if (!listening) {
    t.comment('# SKIP port 6665 is taken on this machine')
    return
  }
  closeAtTeardown(t, server)
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente', url: 'http://127.0.0.1:6665', source_type: 'ckan', owner_org: 'espejo' })
  const job = await startJob(b, source)
  await b.app.harvest.runInline(job)
  const r = await jobReport(b, job)
  t.same(r.gatherErrors, [], 'no "bad port" refusal')
  t.equal(r.stats.added, 1)
})
