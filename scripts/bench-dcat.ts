/**
 * `node dist/scripts/bench-dcat.js`: builds a catalogue of BENCH_DCAT_DATASETS (default 2,000)
 * public datasets in SQL (two resources, three tags, extras each; 5 % private so the catalog's
 * filter has work to do), indexes them, starts the built server and times GET /catalog.ttl
 * pages: p50/p99 over BENCH_DCAT_REQUESTS (default 50) sequential requests spread over the
 * pages, with the read cache off (CACHE_MB=0: every page runs its SQL) and on (the default); and
 * one whole /data.json.
 * Deterministic data (no random()).
 *
 * Environment: DATABASE_URL (external; default embedded in a temporary DATA_DIR),
 * BENCH_DCAT_DATASETS, BENCH_DCAT_REQUESTS, BENCH_KEEP=1 (keep the DATA_DIR).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import type { Database } from '../src/db/schema.js'
import { PostgresSearchIndex } from '../src/search/postgres.js'
import { SearchIndexer } from '../src/search/indexer.js'
import { DATASETS_PER_PAGE } from '../src/dcat/write/catalog.js'
import { freePort, startServerProcess } from './lib/server-process.js'

const env = process.env
const target = Number(env.BENCH_DCAT_DATASETS ?? 2_000)
const requests = Number(env.BENCH_DCAT_REQUESTS ?? 50)
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

async function build(db: Kysely<Database>, total: number): Promise<void> {
  await sql`INSERT INTO "group" (id, name, title, description, type, is_organization, created)
    SELECT 'bench-org-' || k, 'organismo-' || k, 'Organismo ' || k, '', 'organization', true, now() FROM generate_series(1, 20) k`.execute(db)
  await sql`INSERT INTO package (id, name, title, notes, url, version, maintainer, maintainer_email, license_id, owner_org, private, state, type,
      metadata_created, metadata_modified, extras)
    SELECT md5('ds/' || n)::uuid::text, 'dataset-' || n, 'Conjunto de datos ' || n, 'Descripción del conjunto ' || n || ' con detalle suficiente.',
      'https://example.org/datos/' || n, '1.' || (n % 7), 'Oficina ' || (n % 20), 'datos' || (n % 20) || '@example.org', 'cc-by',
      'bench-org-' || (1 + n % 20), n % 20 = 0, 'active', 'dataset',
      timestamp '2020-01-01' + n * interval '1 hour', timestamp '2020-01-01' + n * interval '1 hour' + (n % 90) * interval '1 day',
      jsonb_build_array(jsonb_build_object('key', 'theme', 'value', '["ECON"]'), jsonb_build_object('key', 'language', 'value', 'es'),
        jsonb_build_object('key', 'frequency', 'value', 'R/P1M'), jsonb_build_object('key', 'temporal_start', 'value', '2020-01-01'))
    FROM generate_series(1, ${total}) n`.execute(db)
  await sql`INSERT INTO resource (id, package_id, position, url, format, description, name, mimetype, size, url_type, created, last_modified, metadata_modified, state, extras)
    SELECT md5('res/' || n || '/' || k)::uuid::text, md5('ds/' || n)::uuid::text, k, 'https://example.org/datos/' || n || '/file' || k || '.csv',
      'CSV', 'Archivo ' || k, 'file' || k || '.csv', 'text/csv', 1000 * n + k, '', now(), now(), now(), 'active', '{}'::jsonb
    FROM generate_series(1, ${total}) n, generate_series(0, 1) k`.execute(db)
  await sql`INSERT INTO tag (id, name) SELECT 'bench-tag-' || k, 'etiqueta-' || k FROM generate_series(0, 29) k`.execute(db)
  await sql`INSERT INTO package_tag (package_id, tag_id, state)
    SELECT md5('ds/' || n)::uuid::text, 'bench-tag-' || ((n + j * 7) % 30), 'active' FROM generate_series(1, ${total}) n, generate_series(0, 2) j
    ON CONFLICT DO NOTHING`.execute(db)
  await sql`ANALYZE`.execute(db)
  const silent = { warn() {}, error() {}, info() {}, debug() {} } as never
  await new SearchIndexer(db, new PostgresSearchIndex(db), silent).reindexAll({ clear: true })
  await sql`DELETE FROM search_outbox`.execute(db)
  await sql`VACUUM ANALYZE search_document`.execute(db)
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-dcat-'))
  const external = env.DATABASE_URL ?? null
  const serverEnv: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', SITE_URL: 'http://bench.local', ...(external ? { DATABASE_URL: external } : {}) }
  console.log(`\nDCAT benchmark: ${fmt(target)} datasets; ${external ? 'external Postgres' : `embedded Postgres in ${dataDir}`}`)
  try {
    const database = await openDatabase(loadConfig(serverEnv))
    const t0 = performance.now()
    await build(database.kysely, target)
    console.log(`  built and indexed in ${fmt((performance.now() - t0) / 1000, 1)} s`)
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM package WHERE NOT private AND state = 'active'`.execute(database.kysely)
    await database.shutdown()
    const pages = Math.max(1, Math.ceil(rows[0].n / DATASETS_PER_PAGE))
    let failed = false
    const modes: Array<{ label: string; env: Record<string, string> }> = [
      { label: 'CACHE_MB=0 (every page runs its SQL)', env: { CACHE_MB: '0' } },
      { label: 'default read cache', env: {} },
    ]
    for (const mode of modes) {
      const server = await startServerProcess({ env: { ...serverEnv, ...mode.env, PORT: String(await freePort()) }, logFile: path.join(dataDir, 'server.log'), timeoutMs: 60_000 })
      try {
        const get = async (page: number, ext = 'ttl') => {
          const t = performance.now()
          const res = await fetch(`${server.url}/catalog.${ext}?page=${page}`)
          const body = await res.text()
          if (res.status !== 200 || !body.includes('PagedCollection')) failed = true
          return { ms: performance.now() - t, bytes: body.length }
        }
        // warm-up: one pass over a few pages, as a running portal's buffers would be
        for (let p = 1; p <= Math.min(pages, 5); p++) await get(p)
        const times: number[] = []
        let bytes = 0
        for (let i = 0; i < requests; i++) {
          const r = await get(1 + ((i * 7) % pages))
          times.push(r.ms)
          bytes = Math.max(bytes, r.bytes)
        }
        times.sort((a, b) => a - b)
        // the other serialisations, fewer requests: RDF/XML (graphy) and JSON-LD (jsonld.js compaction) cost more
        for (const ext of ['rdf', 'jsonld']) {
          const other: number[] = []
          for (let i = 0; i < 10; i++) other.push((await get(1 + ((i * 7) % pages), ext)).ms)
          other.sort((a, b) => a - b)
          console.log(`  ${mode.label}: /catalog.${ext} page, 10 requests: p50 ${fmt(percentile(other, 50), 1)} ms`)
        }
        const t0 = performance.now()
        const dj = await fetch(`${server.url}/data.json`)
        const count = ((await dj.json()) as { dataset: unknown[] }).dataset.length
        const djMs = performance.now() - t0
        if (dj.status !== 200 || count !== rows[0].n) failed = true
        console.log(`  ${mode.label}: /data.json ${fmt(count)} datasets in ${fmt(djMs)} ms`)
        console.log(
          `  ${mode.label}: /catalog.ttl page (${DATASETS_PER_PAGE} datasets, ≤ ${fmt(bytes / 1024)} KiB) over ${pages} pages, ${requests} requests: p50 ${fmt(percentile(times, 50), 1)} ms, p99 ${fmt(percentile(times, 99), 1)} ms`,
        )
      } finally {
        await server.stop()
      }
    }
    return failed ? 1 : 0
  } finally {
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dataDir}`)
    else await fs.rm(dataDir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-dcat: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
