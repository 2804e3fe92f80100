/**
 * Postgres going away under a running app (restart, crash, failover): requests answer 503 in
 * CKAN's envelope (never a 500, never pg's text) while it is down, and the same app, not rebuilt,
 * serves again once it is back. The test runs its own cluster so it can stop and restart it.
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { ensureDatabase, startEmbeddedPostgres, stopDetached, type EmbeddedPostgres } from '../../src/db/embedded.js'
import { connect } from '../../src/db/connect.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { installJobQueue } from '../../src/jobs/queue.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { ensureSysadmin } from '../../src/auth/users.js'
import { issueToken } from '../../src/auth/tokens.js'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'
import { poll } from '../helpers/poll.js'

const baseDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-outage-'))
let cluster: EmbeddedPostgres | null = null
t.teardown(async () => {
  await cluster?.stop()
  await stopDetached(baseDir)
  await fs.rm(baseDir, { recursive: true, force: true })
})

t.test('503 in the envelope while Postgres is down, served again when it is back', async (t) => {
  cluster = await startEmbeddedPostgres({ baseDir })
  await ensureDatabase(cluster.connectionString('postgres'), 'abierto')
  const db = connect(cluster.connectionString('abierto'), { max: 4 })
  t.teardown(() => db.close())
  await migrateToLatest(db.kysely)
  await installJobQueue(db.pool)
  const config = loadConfig({ SITE_URL: 'http://test.local', LOG_LEVEL: 'silent', DATA_DIR: path.join(baseDir, 'data') })
  const app: FastifyInstance = await buildApp({ db: db.kysely, config, logger: false, pool: db.pool, jobWorker: false, indexWorker: false })
  t.teardown(() => app.close())
  const admin = await ensureSysadmin(db.kysely, 'admin')
  const { token } = await issueToken(db.kysely, admin.id, 'test')
  const call = (name: string, body: Record<string, unknown> = {}, auth: string | null = token) =>
    app.inject({ method: 'POST', url: `/api/3/action/${name}`, headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, payload: JSON.stringify(body) })

  t.equal((await call('organization_create', { name: 'antes' })).statusCode, 200)
  t.equal((await call('status_show', {}, null)).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)

  await cluster.stop()
  cluster = null
  const down = [
    ['organization_list', {}, null],
    ['organization_show', { id: 'antes' }, null],
    ['package_search', { q: 'x' }, null],
    ['organization_create', { name: 'durante' }, token],
    // an unknown token is looked up before the action runs (onRequest hook)
    ['organization_list', {}, 'abt_not-a-known-token'],
    ['status_show', {}, null],
  ] as const
  for (const [name, body, auth] of down) {
    const res = await call(name, body, auth)
    t.equal(res.statusCode, 503, `${name} answers 503 while the database is down (${res.body.slice(0, 200)})`)
    const json = res.json()
    t.equal(json.success, false)
    t.equal(json.help, `http://test.local/api/3/action/help_show?name=${name}`)
    t.equal(json.error?.__type, 'Service Unavailable')
    t.match(json.error?.message, /temporarily unavailable/)
    t.notMatch(res.body, /ECONNREFUSED|ENOENT|\.s\.PGSQL|postgres|terminat|57P0/i, 'no database internals in the body')
  }
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503, '/health reflects it')

  cluster = await startEmbeddedPostgres({ baseDir })
  // pg.Pool drops broken clients and opens new ones on demand: no rebuild, no restart
  const back = await poll<any>('organization_list to answer 200', async () => {
    const res = await call('organization_list', {}, null)
    return res.statusCode === 200 ? res.json() : undefined
  })
  t.same(back.result, ['antes'], 'the same app serves again, with the data written before the outage')
  t.equal((await call('organization_create', { name: 'despues' })).statusCode, 200, 'writes work again')
  t.equal((await call('status_show', {}, null)).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

t.test('the classifier: connection failures yes, refused queries no', async (t) => {
  const errno = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall })
  t.ok(isDatabaseUnavailable(errno('ECONNREFUSED', 'connect')))
  t.ok(isDatabaseUnavailable(errno('ENOENT', 'connect')), 'the embedded socket file is gone')
  t.ok(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })))
  t.ok(isDatabaseUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' })))
  t.ok(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')))
  t.ok(isDatabaseUnavailable(new AggregateError([errno('ECONNREFUSED', 'connect'), errno('ECONNREFUSED', 'connect')])))
  t.ok(isDatabaseUnavailable(new Error('wrapped', { cause: errno('ECONNRESET', 'read') })))
  t.notOk(isDatabaseUnavailable(errno('ENOENT', 'open')), 'a missing file is not a database outage')
  t.notOk(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })))
  t.notOk(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' })))
  t.notOk(isDatabaseUnavailable(new Error('Connection terminated by the remote search server at 10.0.0.1')))
  t.notOk(isDatabaseUnavailable(null))
})
