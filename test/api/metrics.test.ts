import t from 'tap'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../helpers/app.js'
import { enqueue } from '../../src/jobs/queue.js'
import { URL_FILE } from '../setup/postgres.js'
import { poll } from '../helpers/poll.js'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line is a HELP, a TYPE
 * or a sample of a declared metric; label values are quoted and escaped; values are floats,
 * NaN or ±Inf. Throws on anything else.
 */
function parsePrometheus(text: string): Sample[] {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/
  const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/
  for (const line of text.split('\n')) {
    if (line === '') continue
    if (line.startsWith('# HELP ')) continue
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      if (types.has(type[1])) throw new Error(`metric declared twice: ${type[1]}`)
      types.set(type[1], type[2])
      continue
    }
    if (line.startsWith('#')) throw new Error(`bad comment line: ${line}`)
    const m = sampleLine.exec(line)
    if (!m) throw new Error(`bad sample line: ${line}`)
    const [, name, rawLabels = '', rawValue] = m
    const base = name.replace(/_(bucket|sum|count)$/, '')
    if (!types.has(name) && !(types.get(base) === 'histogram' || types.get(base) === 'summary')) throw new Error(`sample of an undeclared metric: ${line}`)
    const labels: Record<string, string> = {}
    let rest = rawLabels
    while (rest !== '') {
      const l = label.exec(rest)
      if (!l) throw new Error(`bad labels: ${line}`)
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
      rest = rest.slice(l[0].length)
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan")
    const special = rawValue.toLowerCase()
    const value = special === 'nan' ? NaN : special === '+inf' || special === 'inf' ? Infinity : special === '-inf' ? -Infinity : Number(rawValue)
    if (special !== 'nan' && (Number.isNaN(value) || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?inf$/i.test(rawValue))) throw new Error(`bad value: ${line}`)
    samples.push({ name, labels, value })
  }
  return samples
}

async function scrape(app: TestApp['app'], headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers })
  return { res, samples: res.statusCode === 200 ? parsePrometheus(res.body) : [] }
}

/** The value of one series (labels given must all match; unlisted labels are free), or undefined. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`)
  return found[0]?.value
}

t.test('GET /metrics is off unless configured', async (t) => {
  const s = await testApp(t)
  const res = await s.app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 404, 'no route without METRICS')
})

t.test('requests, latency and errors are counted per action with bounded labels', async (t) => {
  const s = await testApp(t, { METRICS: 'on' }, { indexWorker: false })
  await s.ok('organization_create', { name: 'org' })
  await s.ok('package_create', { name: 'uno', owner_org: 'org' })
  const before = (await scrape(s.app)).samples
  const show = { name: 'abierto_http_requests_total', labels: { route: 'action', action: 'package_show', status: '200' } }
  const showsBefore = value(before, show.name, show.labels) ?? 0

  t.equal((await s.call('package_show', { id: 'uno' })).statusCode, 200)
  t.equal((await s.app.inject({ method: 'GET', url: '/api/3/action/package_show?id=uno' })).statusCode, 200)
  t.equal((await s.call('package_show', { id: 'ninguno' })).statusCode, 404)
  t.equal((await s.call('no_such_action_xyz', {})).statusCode, 400)
  t.equal((await s.app.inject({ method: 'GET', url: '/dataset/uno/resource/nada/download' })).statusCode, 404)
  t.equal((await s.app.inject({ method: 'GET', url: '/no/route/here' })).statusCode, 404)
  t.equal((await s.app.inject({ method: 'GET', url: '/data.json' })).statusCode, 200)

  const { res, samples } = await scrape(s.app)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.equal(value(samples, show.name, show.labels), showsBefore + 2, 'package_show 200 counted twice (POST and GET)')
  t.equal(value(samples, show.name, { route: 'action', action: 'package_show', status: '404' }), 1, 'the 404 under its action and status')
  t.equal(value(samples, 'abierto_http_request_duration_seconds_count', { route: 'action', action: 'package_show' }), showsBefore + 3, 'latency histogram counts all three')
  t.ok((value(samples, 'abierto_http_request_duration_seconds_bucket', { route: 'action', action: 'package_show', le: '+Inf' }) ?? 0) >= 3)
  t.equal(value(samples, 'abierto_http_errors_total', { type: 'Not Found Error', status: '404' }), 2, "the envelope's __type: package_show's 404 and the unmatched URL's")
  t.equal(value(samples, 'abierto_http_errors_total', { type: 'none', status: '404' }), 1, 'the plain-text download 404 has none')
  t.equal(value(samples, show.name, { route: 'action', action: 'unknown', status: '400' }), 1, 'an unregistered action name is "unknown"')
  t.notOk(res.body.includes('no_such_action_xyz'), 'no request string becomes a label')
  t.equal(value(samples, 'abierto_http_errors_total', { type: 'none', status: '400' }), 1, "CKAN's plain-string 400 has no __type")
  t.equal(value(samples, show.name, { route: 'download', action: '', status: '404' }), 1, 'download routes by kind')
  t.equal(value(samples, show.name, { route: 'not_found', action: '', status: '404' }), 1, 'unmatched URLs by kind')
  t.equal(value(samples, show.name, { route: 'data.json', action: '', status: '200' }), 1, 'data.json by kind')
  t.equal(value(samples, show.name, { route: 'action', action: 'package_create', status: '200' }), 1)
  t.equal(value(samples, 'abierto_db_pool_max'), 5, 'pool size of the test pool')
  t.ok((value(samples, 'abierto_db_pool_clients') ?? 0) >= 1, 'pool clients open')
  t.ok(value(samples, 'process_resident_memory_bytes')! > 0, 'process metrics included')
  t.equal(value(samples, 'abierto_metrics_db_up'), 1)
})

t.test('outbox lag, job queue depth, cache hits and job durations', async (t) => {
  const s = await testApp(t, { METRICS: 'on' }, { indexWorker: false, jobWorker: true })
  await s.ok('organization_create', { name: 'org' })
  await s.ok('package_create', { name: 'uno', owner_org: 'org' })
  let samples = (await scrape(s.app)).samples
  t.equal(value(samples, 'abierto_search_outbox_pending'), 0, 'the write indexed its own change')

  // a write outside the API, with the indexer worker stopped, waits in the outbox
  await sql`UPDATE package SET title = 'Cambiado en SQL' WHERE name = 'uno'`.execute(s.db.kysely)
  samples = (await scrape(s.app)).samples
  t.equal(value(samples, 'abierto_search_outbox_pending'), 1, 'one dataset pending')
  t.ok(value(samples, 'abierto_search_outbox_oldest_seconds')! >= 0)

  // queue depth: one job due later (the worker leaves it alone)
  await enqueue(s.db.kysely, 'harvest_gather', { job_id: '00000000-0000-4000-8000-000000000001' }, { runAt: new Date(Date.now() + 3_600_000) })
  samples = (await scrape(s.app)).samples
  t.equal(value(samples, 'abierto_jobs', { state: 'scheduled' }), 1, 'the future job is scheduled')

  // a job the worker runs (no such harvest job: gather returns at once) is timed by task
  await enqueue(s.db.kysely, 'harvest_gather', { job_id: '00000000-0000-4000-8000-000000000002' })
  const count = await poll('the job duration', async () => value((await scrape(s.app)).samples, 'abierto_job_duration_seconds_count', { task: 'harvest_gather', outcome: 'success' }), 15_000)
  t.equal(count, 1, 'one harvest_gather run observed')

  // read cache: on once the LISTEN connection is up; a repeated package_show is a hit
  await poll('the read cache', async () => (value((await scrape(s.app)).samples, 'abierto_read_cache_enabled') === 1 ? true : undefined), 15_000)
  samples = (await scrape(s.app)).samples
  const hits = value(samples, 'abierto_read_cache_lookups_total', { kind: 'package', result: 'hit' }) ?? 0
  const misses = value(samples, 'abierto_read_cache_lookups_total', { kind: 'package', result: 'miss' }) ?? 0
  await s.ok('package_show', { id: 'uno' })
  await s.ok('package_show', { id: 'uno' })
  samples = (await scrape(s.app)).samples
  t.equal(value(samples, 'abierto_read_cache_lookups_total', { kind: 'package', result: 'miss' }), misses + 1, 'first show misses')
  t.equal(value(samples, 'abierto_read_cache_lookups_total', { kind: 'package', result: 'hit' }), hits + 1, 'second show hits')
})

t.test('a scrape still answers while the database is gone', async (t) => {
  const s = await testApp(t, { METRICS: 'on' }, { indexWorker: false })
  await s.ok('status_show')
  const name = new URL(s.db.url).pathname.slice(1)
  const admin = new pg.Client({ connectionString: readFileSync(URL_FILE, 'utf8').trim() })
  await admin.connect()
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`)
  await admin.end()
  const { res, samples } = await scrape(s.app)
  t.equal(res.statusCode, 200, 'the scrape succeeds')
  t.equal(value(samples, 'abierto_metrics_db_up'), 0, 'says the database figures are missing')
  t.ok(Number.isNaN(value(samples, 'abierto_search_outbox_pending')), 'outbox unknown: NaN, not a made-up 0')
  t.ok(Number.isNaN(value(samples, 'abierto_jobs', { state: 'ready' })), 'queue unknown')
  t.equal(value(samples, 'abierto_http_requests_total', { route: 'action', action: 'status_show', status: '200' }), 1, 'what is known is still served')
})

t.test('METRICS_TOKEN: bearer token required, never taken for an API token', async (t) => {
  const token = 'metrics-secret-0123456789'
  const s = await testApp(t, { METRICS_TOKEN: token, AUTH_RATE_LIMIT_PER_MINUTE: '2' })
  t.equal((await scrape(s.app)).res.statusCode, 401, 'no token')
  const wrong = (await scrape(s.app, { authorization: 'Bearer not-the-token-000000' })).res
  t.equal(wrong.statusCode, 401, 'wrong token')
  t.equal(wrong.headers['www-authenticate'], 'Bearer')
  t.notOk(wrong.body.includes(token))
  for (let i = 0; i < 5; i++) {
    // more scrapes than the failed-authentication limit allows failures: none counts as one
    t.equal((await scrape(s.app, { authorization: `Bearer ${token}` })).res.statusCode, 200, `scrape ${i + 1} with the token`)
  }
  const samples = (await scrape(s.app, { authorization: `Bearer ${token}` })).samples
  t.equal(value(samples, 'abierto_http_requests_total', { route: 'metrics', action: '', status: '401' }), 2)
  t.equal((await s.call('status_show')).statusCode, 200, 'API tokens still work')
})
