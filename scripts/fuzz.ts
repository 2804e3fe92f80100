/**
 * `npm run fuzz [-- RUNS [SEED]]`: the long run of the schema-driven fuzzer (test/helpers/fuzz.ts)
 * against an in-process server on a throwaway database: RUNS cases per action (default 200, env
 * FUZZ_RUNS), each sent anonymously and as sysadmin, seeded by SEED (default: the time, env
 * FUZZ_SEED). Prints every finding with the seed and case index that reproduce it, and the
 * number of requests; exits 1 when anything was found.
 *
 * Environment: DATABASE_URL (an external Postgres where a scratch database is created and
 * dropped; default: an embedded one in a temporary directory).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { connect } from '../src/db/connect.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.js'
import { ensureSysadmin } from '../src/auth/users.js'
import { issueToken } from '../src/auth/tokens.js'
import { fuzzActions } from '../test/helpers/fuzz.js'
import { createFixtures } from '../test/helpers/fuzz-fixtures.js'

const runs = Number(process.argv[2] ?? process.env.FUZZ_RUNS ?? 200)
const seed = Number(process.argv[3] ?? process.env.FUZZ_SEED ?? Date.now() % 1_000_000_000)
const only = process.env.FUZZ_ACTIONS?.split(',').filter(Boolean)

const tmp = mkdtempSync(path.join(os.tmpdir(), 'abierto-fuzz-'))
let cluster: EmbeddedPostgres | null = null
let adminUrl = process.env.DATABASE_URL
if (!adminUrl) {
  cluster = await startEmbeddedPostgres({ baseDir: tmp })
  adminUrl = cluster.connectionString('postgres')
}
const dbName = `abierto_fuzz_${process.pid}`
const admin = new pg.Client({ connectionString: adminUrl })
await admin.connect()
await admin.query(`CREATE DATABASE ${dbName}`)
const url = new URL(adminUrl)
url.pathname = `/${dbName}`
const db = connect(url.toString())
let exitCode = 0
try {
  await migrateToLatest(db.kysely)
  const config = loadConfig({ SITE_URL: 'http://fuzz.local', LOG_LEVEL: 'silent', DATA_DIR: tmp })
  const app = await buildApp({ db: db.kysely, config, logger: false, pool: db.pool, jobWorker: false })
  const sysadmin = await ensureSysadmin(db.kysely, 'admin')
  const { token } = await issueToken(db.kysely, sysadmin.id, 'fuzz')
  const ok = async (name: string, body: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: `/api/3/action/${name}`, headers: { 'content-type': 'application/json', authorization: token }, payload: JSON.stringify(body) })
    if (res.statusCode !== 200) throw new Error(`fixture ${name}: ${res.statusCode} ${res.body}`)
    return res.json().result
  }
  const known = await createFixtures({ ok })
  const actions = app.actions.registry.all().filter((a) => !only || only.includes(a.name))
  let requests = 0
  const started = Date.now()
  console.log(`fuzzing ${actions.length} actions, ${runs} cases each, anonymous and sysadmin, seed ${seed}`)
  const findings = await fuzzActions({
    app,
    actions,
    known,
    callers: [
      ['anonymous', null],
      ['sysadmin', token],
    ],
    seed,
    runs,
    onRequest: () => requests++,
  })
  const seconds = (Date.now() - started) / 1000
  for (const f of findings) {
    console.log(`\n${f.action} as ${f.caller}: ${f.problem} (status ${f.status})`)
    console.log(`  reproduce: FUZZ_ACTIONS=${f.action} npm run fuzz -- ${runs} ${seed}  (case ${f.index})`)
    console.log(`  request: ${f.request}`)
    console.log(`  body: ${f.body}`)
  }
  console.log(`\n${requests} requests in ${seconds.toFixed(1)} s (${Math.round(requests / seconds)}/s), ${findings.length} findings`)
  if (findings.length) exitCode = 1
  await app.close()
} finally {
  await db.close()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.end()
  await cluster?.stop()
  await fs.rm(tmp, { recursive: true, force: true })
}
process.exit(exitCode)
