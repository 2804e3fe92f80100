/**
 * `node dist/scripts/bench-activity-reads.js`: activity stream reads on a site with BENCH_ACTIVITIES
 * (default 100,000) activities over BENCH_ACTIVITY_DATASETS (default 2,000) datasets in 20
 * organizations (5 % private, 30 % of the writes by the hidden harvest user), each activity
 * carrying a ~3 KB dataset dict like the real ones. Times BENCH_ACTIVITY_REQUESTS (default 40)
 * sequential anonymous requests per read path in process (app.inject, no cache in front of these
 * actions): p50/p99. Also times what answering a 100-activity page would cost if `data` were
 * parsed and serialised again instead of spliced in as stored.
 * Deterministic data (no random()).
 *
 * Environment: DATABASE_URL (an external Postgres where a scratch database is created and
 * dropped; default: an embedded one in a temporary directory).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { sql, type Kysely } from 'kysely'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { connect } from '../src/db/connect.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.js'
import { ensureSysadmin } from '../src/auth/users.js'
import type { Database } from '../src/db/schema.js'

const env = process.env
const total = Number(env.BENCH_ACTIVITIES ?? 100_000)
const datasets = Number(env.BENCH_ACTIVITY_DATASETS ?? 2_000)
const requests = Number(env.BENCH_ACTIVITY_REQUESTS ?? 40)
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

async function build(db: Kysely<Database>): Promise<void> {
  await sql`INSERT INTO "user" (id, name, created) VALUES ('bench-editor', 'editor', now()), ('bench-harvest', 'harvest', now())`.execute(db)
  await sql`INSERT INTO "group" (id, name, title, description, type, is_organization, created)
    SELECT 'bench-org-' || k, 'organismo-' || k, 'Organismo ' || k, '', 'organization', true, now() FROM generate_series(1, 20) k`.execute(db)
  await sql`INSERT INTO package (id, name, title, notes, license_id, owner_org, private, state, type, metadata_created, metadata_modified)
    SELECT 'bench-ds-' || n, 'dataset-' || n, 'Conjunto ' || n, 'Descripción ' || n, 'cc-by', 'bench-org-' || (1 + n % 20), n % 20 = 0, 'active', 'dataset', now(), now()
    FROM generate_series(1, ${datasets}) n`.execute(db)
  // oldest first, one second apart; datasets take turns so every stream has history to page through
  await sql`INSERT INTO activity (id, timestamp, user_id, object_id, activity_type, data, permission_labels)
    SELECT md5('act/' || n)::uuid::text, timestamp '2024-01-01' + n * interval '1 second',
      CASE WHEN n % 10 < 3 THEN 'bench-harvest' ELSE 'bench-editor' END,
      'bench-ds-' || d, CASE WHEN n <= ${datasets} THEN 'new package' ELSE 'changed package' END,
      json_build_object('actor', CASE WHEN n % 10 < 3 THEN 'harvest' ELSE 'editor' END, 'package', json_build_object(
        'id', 'bench-ds-' || d, 'name', 'dataset-' || d, 'title', 'Conjunto ' || d || ' v' || n, 'notes', repeat('Descripción del conjunto con detalle. ', 40),
        'owner_org', 'bench-org-' || (1 + d % 20), 'private', d % 20 = 0, 'state', 'active', 'metadata_modified', '2024-01-01T00:00:00',
        'resources', (SELECT json_agg(json_build_object('id', md5('res/' || d || '/' || k), 'url', 'https://example.org/datos/' || d || '/file' || k || '.csv',
          'format', 'CSV', 'name', 'Archivo ' || k, 'description', repeat('Columna. ', 20))) FROM generate_series(0, 2) k),
        'tags', json_build_array(json_build_object('name', 'economia'), json_build_object('name', 'empleo')))),
      CASE WHEN d % 20 = 0 THEN ARRAY['member-bench-org-' || (1 + d % 20), 'collaborator-bench-ds-' || d] ELSE ARRAY['public'] END
    FROM generate_series(1, ${total}) n, LATERAL (SELECT 1 + (n - 1) % ${datasets} AS d) x`.execute(db)
  await sql`VACUUM ANALYZE`.execute(db)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-activity-reads-'))
let cluster: EmbeddedPostgres | null = null
let adminUrl = env.DATABASE_URL
if (!adminUrl) {
  cluster = await startEmbeddedPostgres({ baseDir: tmp })
  adminUrl = cluster.connectionString('postgres')
}
const dbName = `abierto_bench_activity_reads_${process.pid}`
const admin = new pg.Client({ connectionString: adminUrl })
await admin.connect()
await admin.query(`CREATE DATABASE ${dbName}`)
const url = new URL(adminUrl)
url.pathname = `/${dbName}`
const db = connect(url.toString())
let app: Awaited<ReturnType<typeof buildApp>> | null = null
try {
  await migrateToLatest(db.kysely)
  await ensureSysadmin(db.kysely, 'admin')
  let started = performance.now()
  await build(db.kysely)
  const size = await sql<{ mb: string }>`SELECT round(pg_total_relation_size('activity') / 1048576.0) AS mb`.execute(db.kysely)
  console.log(`${fmt(total, 0)} activities over ${fmt(datasets, 0)} datasets built in ${fmt((performance.now() - started) / 1000)} s (activity table ${size.rows[0].mb} MB)`)
  const config = loadConfig({ SITE_URL: 'http://bench.local', LOG_LEVEL: 'silent', DATA_DIR: tmp })
  app = await buildApp({ db: db.kysely, config, logger: false, pool: db.pool, jobWorker: false })
  const call = async (name: string, body: Record<string, unknown>) => {
    const res = await app!.inject({ method: 'POST', url: `/api/3/action/${name}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })
    if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    return res
  }
  const oldest = Date.UTC(2024, 0, 1) / 1000
  // public datasets only (every 20th is private: anonymous callers get a 403 there)
  const dataset = (i: number) => {
    const n = 1 + ((i * 37) % datasets)
    return `dataset-${n % 20 === 0 ? n + 1 : n}`
  }
  const scenarios: [string, (i: number) => [string, Record<string, unknown>]][] = [
    ['package_activity_list (31)', (i) => ['package_activity_list', { id: dataset(i) }]],
    ['package_activity_list (100)', (i) => ['package_activity_list', { id: dataset(i), limit: 100 }]],
    ['package_activity_list, older page (before)', (i) => ['package_activity_list', { id: dataset(i), before: oldest + total / 2, limit: 31 }]],
    ['recently_changed_packages_activity_list (100)', () => ['recently_changed_packages_activity_list', { limit: 100 }]],
    ['recently_changed, offset 5,000', () => ['recently_changed_packages_activity_list', { limit: 100, offset: 5000 }]],
    ['organization_activity_list (31)', (i) => ['organization_activity_list', { id: `organismo-${1 + (i % 20)}` }]],
    ['organization_activity_list, older page (before)', (i) => ['organization_activity_list', { id: `organismo-${1 + (i % 20)}`, before: oldest + total / 2 }]],
    ['user_activity_list (31)', () => ['user_activity_list', { id: 'editor' }]],
  ]
  console.log(`| read path (anonymous) | p50 ms | p99 ms | answer KB |`)
  console.log(`|---|---|---|---|`)
  let page = ''
  for (const [label, make] of scenarios) {
    await call(...make(0))
    const times: number[] = []
    let bytes = 0
    for (let i = 0; i < requests; i++) {
      started = performance.now()
      const res = await call(...make(i))
      times.push(performance.now() - started)
      bytes = res.body.length
      if (label.startsWith('recently_changed_packages_activity_list')) page = res.body
    }
    times.sort((a, b) => a - b)
    console.log(`| ${label} | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 99))} | ${fmt(bytes / 1024, 0)} |`)
  }
  // what a parse + re-serialise of the same page costs (the splice skips it)
  const times: number[] = []
  for (let i = 0; i < requests; i++) {
    started = performance.now()
    JSON.stringify(JSON.parse(page))
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  console.log(`parsing and re-serialising a 100-activity page (${fmt(page.length / 1024, 0)} KB) would add p50 ${fmt(percentile(times, 50), 2)} ms per request`)
} catch (err) {
  console.error(err)
  process.exitCode = 1
} finally {
  await app?.close()
  await db.close()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.end()
  await cluster?.stop()
  await fs.rm(tmp, { recursive: true, force: true })
}
