import t from 'tap'
import { Writable } from 'node:stream'
import pino from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { connect } from '../../src/db/connect.js'
import { ensureSysadmin } from '../../src/auth/users.js'
import { issueToken } from '../../src/auth/tokens.js'
import { PostgresSearchIndex } from '../../src/search/postgres.js'
import { SearchBackendError, type SearchIndex, type SearchRequest } from '../../src/search/port.js'
import { ActionRegistry } from '../../src/actions/registry.js'
import { defineAction } from '../../src/actions/define.js'
import { testDatabase } from '../helpers/app.js'

/** Every line the app's logger writes, parsed. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = []
  raw = ''
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    const text = chunk.toString()
    this.raw += text
    for (const l of text.split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as Record<string, unknown>)
    done()
  }
}

/** The Postgres index, except that writes fail (a search backend that is down for writes). */
class WriteFailingIndex implements SearchIndex {
  readonly backend = 'postgres' as const
  constructor(private readonly inner: SearchIndex) {}
  async prepare() {}
  async close() {}
  async search(req: SearchRequest) {
    return this.inner.search(req)
  }
  async upsert(): Promise<void> {
    throw new SearchBackendError('connect ECONNREFUSED 127.0.0.1:7700')
  }
  async remove(): Promise<void> {
    throw new SearchBackendError('connect ECONNREFUSED 127.0.0.1:7700')
  }
  async clear() {}
  async count() {
    return this.inner.count()
  }
}

async function setup(t: Parameters<typeof testDatabase>[0]) {
  const db = await testDatabase(t)
  const log = new LogCapture()
  const config = loadConfig({ SITE_URL: 'http://test.local', DATA_DIR: '/tmp/abierto-test' })
  const app = await buildApp({ db: db.kysely, config, pool: db.pool, jobWorker: false, indexWorker: false, logger: { level: 'info', stream: log }, search: new WriteFailingIndex(new PostgresSearchIndex(db.kysely)) })
  t.teardown(() => app.close())
  const admin = await ensureSysadmin(db.kysely, 'admin')
  const { token } = await issueToken(db.kysely, admin.id, 'test')
  return { app, db, log, token }
}

t.test('every line logged while serving a request carries its id; the id is echoed', async (t) => {
  const s = await setup(t)
  await s.app.ready()
  const from = s.log.lines.length
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/3/action/organization_create',
    headers: { 'content-type': 'application/json', authorization: s.token, 'x-request-id': 'trace-abc.123' },
    payload: JSON.stringify({ name: 'org' }),
  })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-request-id'], 'trace-abc.123', 'the caller’s id is echoed')
  const created = await s.app.inject({
    method: 'POST',
    url: '/api/3/action/package_create',
    headers: { 'content-type': 'application/json', authorization: s.token, 'x-request-id': 'write-with-index-down' },
    payload: JSON.stringify({ name: 'uno', owner_org: 'org' }),
  })
  t.equal(created.statusCode, 200, 'the write succeeds with the search backend down')
  const lines = s.log.lines.slice(from)
  const deferred = lines.filter((l) => l.msg === 'search index update deferred to the worker')
  t.equal(deferred.length, 1, 'the index failure inside the request is logged')
  t.equal(deferred[0]?.reqId, 'write-with-index-down', "with the request's id")
  t.equal(lines.filter((l) => l.reqId === 'write-with-index-down' && l.msg === 'request').length, 1, 'and so is its request line')
  t.same(
    lines.filter((l) => l.reqId === undefined),
    [],
    'no line without a request id',
  )

  const generated = await s.app.inject({ method: 'GET', url: '/api/3/action/status_show', headers: { 'x-request-id': 'has spaces\tand tabs' } })
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an implausible id is replaced by a UUID')
  const none = await s.app.inject({ method: 'GET', url: '/api/3/action/status_show' })
  t.match(none.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a missing one too')
  t.not(generated.headers['x-request-id'], none.headers['x-request-id'])
})

t.test('tokens are never logged', async (t) => {
  const s = await setup(t)
  const secretInUrl = 'url-secret-4d2a9f'
  const headers = [{ authorization: s.token }, { authorization: `Bearer ${s.token}` }, { 'x-ckan-api-key': s.token }]
  for (const h of headers) {
    const res = await s.app.inject({ method: 'GET', url: `/api/3/action/package_list?api_key=${secretInUrl}&limit=5`, headers: h })
    t.equal(res.statusCode, 200)
  }
  await s.app.inject({ method: 'GET', url: `/api/3/action/api_token_revoke?token=${secretInUrl}`, headers: { authorization: s.token } })
  await s.app.inject({ method: 'POST', url: '/api/3/action/user_show', headers: { authorization: 'not-a-real-token-9f8e7d' }, payload: {} })
  // anything that logs the headers themselves is redacted too
  s.app.log.info({ req: { headers: { authorization: s.token } }, headers: { 'x-ckan-api-key': s.token } }, 'headers logged by mistake')
  await s.app.close()
  t.ok(
    s.log.lines.some((l) => l.msg === 'request' && String(l.url).includes('api_key=[REDACTED]&limit=5')),
    'the URL is logged with the secret parameter redacted',
  )
  t.ok(
    s.log.lines.some((l) => l.msg === 'headers logged by mistake'),
    'the mistaken line is written',
  )
  t.notOk(s.log.raw.includes(s.token), 'the API token appears nowhere in the log')
  t.notOk(s.log.raw.includes(secretInUrl), 'nor does a secret passed in a query string')
  t.notOk(s.log.raw.includes('not-a-real-token-9f8e7d'), 'nor a wrong token')
})

t.test('a failed cache NOTIFY after a write is logged, not swallowed', async (t) => {
  const db = await testDatabase(t)
  const log = new LogCapture()
  const logger = pino({ level: 'info' }, log)
  // an action that writes nothing itself: only the runner's after-write NOTIFY touches the database
  const touch = defineAction({ name: 'touch', description: 'test', sideEffectFree: false, params: { type: 'object' }, auth: 'public', handler: async () => 'done' })
  const config = loadConfig({ SITE_URL: 'http://test.local', DATA_DIR: '/tmp/abierto-test' })
  const app = await buildApp({ db: db.kysely, config, logger: false, jobWorker: false, indexWorker: false, registry: new ActionRegistry([touch]) })
  t.teardown(() => app.close())
  // a database nobody listens on: the NOTIFY cannot be sent
  const unreachable = connect('postgres://nobody@127.0.0.1:9/none')
  t.teardown(() => unreachable.close())
  const result = await app.actions.run('touch', {}, { user: null }, logger.child({ reqId: 'notify-test' }), unreachable.kysely)
  t.equal(result, 'done', 'the write itself still answers')
  const warned = log.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('cache invalidation NOTIFY failed'))
  t.ok(warned, 'the failure is logged')
  t.equal(warned?.level, 40, 'at warn')
  t.equal(warned?.reqId, 'notify-test', "through the request's logger")
  t.equal(warned?.action, 'touch', 'naming the action')
  t.ok((warned?.err as { message?: string } | undefined)?.message, 'with the error')
})
