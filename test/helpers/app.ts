import { readFileSync } from 'node:fs'
import pg from 'pg'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { connect, type Db } from '../../src/db/connect.js'
import { buildApp, type AppDeps } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { ensureSysadmin } from '../../src/auth/users.js'
import { issueToken } from '../../src/auth/tokens.js'
import { TEMPLATE_DB, URL_FILE } from '../setup/postgres.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

let counter = 0

function withDatabase(url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

/** A fresh, migrated database of its own (cloned from the suite's template), dropped at teardown. */
export async function testDatabase(t: Teardown): Promise<Db & { url: string }> {
  const adminUrl = readFileSync(URL_FILE, 'utf8').trim()
  const name = `t_${process.pid}_${++counter}_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`)
  await admin.end()
  const url = withDatabase(adminUrl, name)
  const db = connect(url, { max: 5 })
  t.teardown(async () => {
    await db.close()
    const c = new pg.Client({ connectionString: adminUrl })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  return { ...db, url }
}

export interface TestApp {
  app: FastifyInstance
  db: Db & { url: string }
  config: Config
  /** API token of the sysadmin `admin`. */
  sysadminToken: string
  /** POSTs JSON to /api/3/action/{name}; `token: null` calls anonymously (default: sysadmin). */
  call(name: string, body?: Record<string, unknown>, opts?: { token?: string | null }): Promise<LightMyRequestResponse>
  /** Like call, but returns the `result` of a successful call and fails otherwise. */
  ok<T = any>(name: string, body?: Record<string, unknown>, opts?: { token?: string | null }): Promise<T>
}

export async function testApp(t: Teardown, env: Record<string, string> = {}, deps: Pick<AppDeps, 'search' | 'indexWorker' | 'jobWorker' | 'storage'> = {}): Promise<TestApp> {
  const db = await testDatabase(t)
  const config = loadConfig({ SITE_URL: 'http://test.local', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/abierto-test', ...env })
  const app = await buildApp({ db: db.kysely, config, logger: false, pool: db.pool, jobWorker: false, ...deps })
  t.teardown(() => app.close())
  const admin = await ensureSysadmin(db.kysely, 'admin')
  const { token: sysadminToken } = await issueToken(db.kysely, admin.id, 'test')
  const call: TestApp['call'] = (name, body = {}, opts = {}) => {
    const token = opts.token === undefined ? sysadminToken : opts.token
    return app.inject({
      method: 'POST',
      url: `/api/3/action/${name}`,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
      payload: JSON.stringify(body),
    })
  }
  const ok: TestApp['ok'] = async (name, body, opts) => {
    const res = await call(name, body, opts)
    const json = res.json()
    if (res.statusCode !== 200 || json.success !== true) throw new Error(`${name} failed: ${res.statusCode} ${res.body}`)
    return json.result
  }
  return { app, db, config, sysadminToken, call, ok }
}
