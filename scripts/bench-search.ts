/**
 * `npm run bench` (search part; alone: `node dist/scripts/bench-search.js`): builds a catalogue of
 * BENCH_SEARCH_DATASETS (default 100,000) datasets from the real corpus — the 639 datasets created
 * through the actions, then replicated in SQL with varied titles (province, year), tags and
 * organizations (200 more), 5 % private — then measures:
 *   - `abierto search reindex` speed (datasets/s) through the same code as the CLI,
 *   - package_search over HTTP against a server process: q + three facets, fq only, and *:*
 *     sorted by metadata_modified; p50/p99 with one connection (latency) and req/s with several.
 * Reproducible: the replication is deterministic (no random()).
 *
 * Environment: DATABASE_URL (external; default embedded in a temporary DATA_DIR), CORPUS_FILE,
 * BENCH_SEARCH_DATASETS, BENCH_DURATION (seconds per scenario, 10), BENCH_CONNECTIONS (8).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import autocannon from 'autocannon'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import type { Database } from '../src/db/schema.js'
import { buildApp } from '../src/app.js'
import { ensureSysadmin } from '../src/auth/users.js'
import { PostgresSearchIndex } from '../src/search/postgres.js'
import { SearchIndexer } from '../src/search/indexer.js'
import { REPO_ROOT, freePort, startServerProcess } from './lib/server-process.js'
import { loadCorpus, readCorpus } from './lib/corpus.js'

const env = process.env
const target = Number(env.BENCH_SEARCH_DATASETS ?? 100_000)
const duration = Number(env.BENCH_DURATION ?? 10)
const connections = Number(env.BENCH_CONNECTIONS ?? 8)
const corpusPath = path.resolve(env.CORPUS_FILE ?? path.join(REPO_ROOT, '..', 'shared', 'data', 'datos-gob-ar-datasets.jsonl'))
const TARGET_P50 = 25
const TARGET_P99 = 80
const TARGET_REINDEX = 2000

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED')

const PROVINCES = ['Buenos Aires', 'Córdoba', 'Santa Fe', 'Mendoza', 'Tucumán', 'Entre Ríos', 'Salta', 'Misiones', 'Chaco', 'Corrientes', 'Santiago del Estero', 'San Juan', 'Jujuy', 'Río Negro', 'Neuquén', 'Formosa', 'Chubut', 'San Luis', 'Catamarca', 'La Rioja', 'La Pampa', 'Santa Cruz', 'Tierra del Fuego', 'Ciudad de Buenos Aires']

async function createCorpus(db: Kysely<Database>, dataDir: string): Promise<number> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SITE_URL: 'http://bench.local' })
  const app = await buildApp({ db, config, logger: false, indexWorker: false })
  const admin = await ensureSysadmin(db, 'bench')
  const run = (name: string, params: Record<string, unknown> = {}) => app.actions.run(name, params, { user: admin }, app.log)
  const records = readCorpus(corpusPath)
  await loadCorpus(run, records)
  await app.close()
  return records.length
}

/** Deterministic replication of the corpus to `total` datasets, in SQL. */
async function replicate(db: Kysely<Database>, total: number): Promise<void> {
  await sql`INSERT INTO "group" (id, name, title, description, type, is_organization, created)
    SELECT 'bench-org-' || k, 'municipio-' || k, 'Municipalidad ' || k || ' de ' || (${PROVINCES}::text[])[1 + k % 24], '', 'organization', true, now()
      FROM generate_series(1, 200) k`.execute(db)
  await sql`CREATE TEMP TABLE bench_src AS SELECT p.*, row_number() OVER (ORDER BY p.name)::int AS rn FROM package p`.execute(db)
  await sql`CREATE TEMP TABLE bench_orgs AS SELECT id, row_number() OVER (ORDER BY name)::int AS rn FROM "group" WHERE is_organization`.execute(db)
  await sql`CREATE TEMP TABLE bench_gen AS
    SELECT md5(s.id || '/' || n)::uuid::text AS new_id, s.id AS src_id, s.rn, n
      FROM bench_src s, generate_series(1, ceil(${total}::numeric / (SELECT count(*) FROM bench_src))::int - 1) n
     ORDER BY n, s.rn LIMIT greatest(0, ${total} - (SELECT count(*) FROM bench_src))`.execute(db)
  await sql`INSERT INTO package (id, name, title, notes, url, version, author, author_email, maintainer, maintainer_email,
      license_id, owner_org, private, state, type, creator_user_id, metadata_created, metadata_modified, extras)
    SELECT g.new_id, left(s.name, 80) || '-' || g.n,
      s.title || ' — ' || (${PROVINCES}::text[])[1 + (g.n + s.rn) % 24] || ' ' || (1990 + (g.n * 7 + s.rn) % 35),
      s.notes, s.url, s.version, s.author, s.author_email, s.maintainer, s.maintainer_email, s.license_id,
      (SELECT o.id FROM bench_orgs o WHERE o.rn = 1 + (g.n * 31 + s.rn) % (SELECT count(*) FROM bench_orgs)),
      g.n % 20 = 0, 'active', s.type, s.creator_user_id,
      timestamp '2015-01-01' + ((g.n * 7919 + s.rn * 104729) % 315360000) * interval '1 second',
      timestamp '2015-01-01' + ((g.n * 7919 + s.rn * 104729) % 315360000 + 86400 * (g.n % 90)) * interval '1 second',
      s.extras
    FROM bench_gen g JOIN bench_src s ON s.id = g.src_id`.execute(db)
  await sql`INSERT INTO resource (id, package_id, position, url, format, description, name, hash, mimetype, size, resource_type, url_type, created, last_modified, metadata_modified, state, extras)
    SELECT md5(r.id || '/' || g.n)::uuid::text, g.new_id, r.position, r.url, r.format, r.description, r.name, r.hash, r.mimetype, r.size, r.resource_type, r.url_type, r.created, r.last_modified, r.metadata_modified, r.state, r.extras
      FROM bench_gen g JOIN resource r ON r.package_id = g.src_id`.execute(db)
  // the source's tags plus one per province
  await sql`INSERT INTO tag (id, name) SELECT 'bench-tag-' || i, p FROM unnest(${PROVINCES}::text[]) WITH ORDINALITY AS t(p, i) ON CONFLICT DO NOTHING`.execute(db)
  await sql`INSERT INTO package_tag (package_id, tag_id, state)
    SELECT g.new_id, pt.tag_id, 'active' FROM bench_gen g JOIN package_tag pt ON pt.package_id = g.src_id
    UNION SELECT g.new_id, (SELECT t.id FROM tag t WHERE t.name = (${PROVINCES}::text[])[1 + (g.n + g.rn) % 24] AND t.vocabulary_id IS NULL LIMIT 1), 'active' FROM bench_gen g
    ON CONFLICT DO NOTHING`.execute(db)
  await sql`INSERT INTO member (id, group_id, table_name, table_id, capacity, state)
    SELECT md5(m.id || '/' || g.n)::uuid::text, m.group_id, 'package', g.new_id, m.capacity, 'active'
      FROM bench_gen g JOIN member m ON m.table_id = g.src_id AND m.table_name = 'package' AND m.state = 'active'`.execute(db)
  await sql`ANALYZE`.execute(db)
}

interface Scenario {
  label: string
  paths: string[]
}

async function measure(url: string, s: Scenario, conns: number) {
  let i = 0
  const result = await autocannon({
    url,
    connections: conns,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: s.paths[i++ % s.paths.length] }) }],
  })
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }
}

async function main(): Promise<number> {
  // BENCH_SEARCH_DIR: a DATA_DIR a previous run kept (BENCH_KEEP=1): skips building the catalogue
  const reuse = env.BENCH_SEARCH_DIR ?? null
  const dataDir = reuse ?? mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-search-'))
  const external = env.DATABASE_URL ?? null
  const serverEnv: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(external ? { DATABASE_URL: external } : {}) }
  console.log(`\nSearch benchmark: ${fmt(target)} datasets; ${external ? 'external Postgres' : `embedded Postgres in ${dataDir}`}`)
  try {
    const config = loadConfig({ ...serverEnv, SITE_URL: 'http://bench.local' })
    const database = await openDatabase(config)
    if (!reuse) await build(database.kysely)
    const orgNames = (await sql<{ name: string }>`SELECT name FROM "group" WHERE is_organization ORDER BY name`.execute(database.kysely)).rows.map((r) => r.name)
    await database.shutdown()

  async function build(db: Kysely<Database>) {
    let t0 = performance.now()
    const created = await createCorpus(db, dataDir)
    console.log(`  corpus through the actions: ${created} datasets in ${fmt((performance.now() - t0) / 1000, 1)} s`)
    t0 = performance.now()
    await replicate(db, target)
    const { rows } = await sql<{ n: number; r: number }>`SELECT (SELECT count(*)::int FROM package) AS n, (SELECT count(*)::int FROM resource) AS r`.execute(db)
    console.log(`  replicated in SQL to ${fmt(rows[0].n)} datasets, ${fmt(rows[0].r)} resources in ${fmt((performance.now() - t0) / 1000, 1)} s`)

    const index = new PostgresSearchIndex(db)
    const silent = { warn() {}, error() {}, info() {}, debug() {} } as never
    const indexer = new SearchIndexer(db, index, silent)
    t0 = performance.now()
    const indexed = await indexer.reindexAll({ clear: true })
    const reindexS = (performance.now() - t0) / 1000
    const rate = indexed / reindexS
    console.log(`  reindex: ${fmt(indexed)} datasets in ${fmt(reindexS, 1)} s = ${fmt(rate)} datasets/s; target ≥ ${fmt(TARGET_REINDEX)}/s: ${mark(rate >= TARGET_REINDEX)}`)
    // the reindex covered every queued change
    await sql`DELETE FROM search_outbox`.execute(db)
    await sql`VACUUM ANALYZE search_document`.execute(db)
    
    const words = await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_word`.execute(db)
    const size = await sql<{ s: string; t: string }>`SELECT pg_size_pretty(pg_total_relation_size('search_document')) AS s`.execute(db)
    console.log(`  index: search_document ${size.rows[0].s}, ${fmt(words.rows[0].n)} known words`)
  }

    const enc = encodeURIComponent
    const facets = enc('["organization","tags","res_format"]')
    const words = ['educacion', 'presupuesto', 'poblacion', 'energia', 'exportaciones', 'salarios', 'transporte', 'petroleo', 'turismo', 'empleo', 'inflacion', 'escuelas', 'precios', 'produccion', 'hidrocarburos', 'censo']
    const scenarios: Scenario[] = [
      { label: 'q + 3 facets', paths: words.map((w) => `/api/3/action/package_search?q=${enc(w)}&facet.field=${facets}`) },
      { label: 'fq only', paths: [...orgNames.slice(0, 40).map((o) => `organization:${o}`), 'res_format:CSV', 'tags:Empleo', 'groups:econ', 'res_format:XLSX AND tags:Precios'].map((fq) => `/api/3/action/package_search?fq=${enc(fq)}`) },
      { label: '*:* by modified', paths: [0, 10, 20, 990].map((start) => `/api/3/action/package_search?q=${enc('*:*')}&sort=${enc('metadata_modified desc')}&start=${start}`) },
    ]
    let failed = false
    // with the read cache (the default: repeated searches are answered from memory until the next
    // write) and without it (CACHE_MB=0: every request runs its queries, what a first-time search costs)
    const modes: Array<{ label: string; env: Record<string, string> }> = [
      { label: 'CACHE_MB=0: every search runs its SQL', env: { CACHE_MB: '0' } },
      { label: 'default read cache: repeated searches from memory until the next write', env: {} },
    ]
    for (const mode of modes) {
      const server = await startServerProcess({ env: { ...serverEnv, ...mode.env, PORT: String(await freePort()) }, logFile: path.join(dataDir, 'server.log'), timeoutMs: 60_000 })
      try {
        // a first pass warms Postgres' buffers as a running portal's would be
        for (const sc of scenarios) for (const p of sc.paths) await (await fetch(server.url + p)).arrayBuffer()
        const counts = await Promise.all(scenarios[0].paths.map(async (p) => ((await (await fetch(server.url + p)).json()) as { result: { count: number } }).result.count))
        console.log(`\n${mode.label}`)
        console.log(`  q words match ${words.map((w, i) => `${w} ${fmt(counts[i])}`).join(', ')}`)
        console.log(`${'scenario'.padEnd(18)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'req/s'.padStart(8)}  │ ${connections} connections: ${'req/s'.padStart(7)}${'p50'.padStart(6)}${'p99'.padStart(6)}  target p50 < ${TARGET_P50}, p99 < ${TARGET_P99} ms`)
        for (const sc of scenarios) {
          const one = await measure(server.url, sc, 1)
          const many = await measure(server.url, sc, connections)
          if (one.non2xx || many.non2xx || one.errors || many.errors) failed = true
          console.log(`${sc.label.padEnd(18)}${fmt(one.p50).padStart(8)}${fmt(one.p99).padStart(8)}${fmt(one.rps).padStart(8)}  │ ${' '.repeat(String(connections).length + 13)}${fmt(many.rps).padStart(7)}${fmt(many.p50).padStart(6)}${fmt(many.p99).padStart(6)}  ${mark(one.p50 < TARGET_P50 && one.p99 < TARGET_P99)}${one.non2xx || many.non2xx ? ` (! ${one.non2xx + many.non2xx} non-2xx)` : ''}`)
        }
      } finally {
        await server.stop()
      }
    }
    return failed ? 1 : 0
  } finally {
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dataDir}`)
    else if (!reuse) await fs.rm(dataDir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-search: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
