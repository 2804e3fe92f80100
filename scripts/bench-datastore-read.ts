/**
 * DataStore read benchmark (`node dist/scripts/bench-datastore-read.js`): datastore_search on a
 * BENCH_DATASTORE_ROWS-row (default 1,000,000), 10-column table — full-text `q` with a filter,
 * a rare and a common word, and a filter alone — p50/p99 over BENCH_DATASTORE_REQUESTS calls
 * (default 30, in-process); then the whole table dumped over HTTP as CSV (COPY) and JSON (cursor):
 * MB/s and the process's peak RSS during the dump against its RSS before, to show the dump's
 * memory stays flat.
 *
 * `benchDatastoreRead()` is exported for scripts/bench-datastore.ts to run on the table its loader
 * made; run alone, this script builds its own table in SQL (deterministic data: no random()).
 *
 * Environment: DATABASE_URL (external; default embedded in a temporary DATA_DIR),
 * BENCH_DATASTORE_ROWS, BENCH_DATASTORE_REQUESTS, BENCH_KEEP=1 (keep the DATA_DIR).
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import pgCopy from 'pg-copy-streams'
import { sql, type Kysely } from 'kysely'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import type { Database } from '../src/db/schema.js'
import { buildApp } from '../src/app.js'
import { ensureSysadmin } from '../src/auth/users.js'
import { issueToken } from '../src/auth/tokens.js'
import { addFullTextIndex, addFullTextTrigger, createTable, fillFullText, syncReaderAccess, tableRef } from '../src/datastore/table.js'
import { setDatastoreActive } from '../src/datastore/active.js'

const env = process.env
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const rssMb = () => process.memoryUsage().rss / 1024 / 1024

/** Targets the report checks (the issue's: a dump's memory stays flat). */
export const TARGET_DUMP_RSS_GROWTH_MB = 100
export const TARGET_SEARCH_P99_MS = 1000

export interface SearchTiming {
  label: string
  url: string
  total: number
  p50: number
  p99: number
}

export interface DumpTiming {
  format: string
  bytes: number
  seconds: number
  mbPerS: number
  rssBeforeMb: number
  rssPeakMb: number
}

export interface ReadBenchResult {
  searches: SearchTiming[]
  dumps: DumpTiming[]
  /** COPY of the table's columns straight to this process, for scale (when a pool was given) */
  rawCopy?: { bytes: number; seconds: number; mbPerS: number }
  ok: boolean
}

export interface ReadBenchOptions {
  app: FastifyInstance
  resourceId: string
  requests?: number
  /** for a reference: the table COPied raw to nowhere, without HTTP or rendering */
  pool?: pg.Pool
  /** searches to time: label → query string (resource_id is added) */
  searches?: Record<string, string>
  log?: (line: string) => void
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/** The searches of the standalone table (columns of buildTable). */
export const DEFAULT_SEARCHES: Record<string, string> = {
  'q rare word + filter': `q=inundacion&filters=${encodeURIComponent(JSON.stringify({ provincia: 'Azuay' }))}`,
  'q common word + filter': `q=camara&filters=${encodeURIComponent(JSON.stringify({ provincia: 'Azuay' }))}`,
  'q rare word': 'q=inundacion',
  'filter only (no index)': `filters=${encodeURIComponent(JSON.stringify({ canton: 'Cantón 17' }))}`,
  'no filter, offset 500000': 'offset=500000',
}

/** Times datastore_search and the dump on an existing table. */
export async function benchDatastoreRead(opts: ReadBenchOptions): Promise<ReadBenchResult> {
  const { app, resourceId } = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  const requests = opts.requests ?? 30
  const result: ReadBenchResult = { searches: [], dumps: [], ok: true }

  for (const [label, query] of Object.entries(opts.searches ?? DEFAULT_SEARCHES)) {
    const url = `/api/3/action/datastore_search?resource_id=${resourceId}&${query}`
    const call = async () => {
      const t = performance.now()
      const res = await app.inject({ method: 'GET', url })
      const ms = performance.now() - t
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`)
      return { ms, total: (res.json() as { result: { total: number } }).result.total }
    }
    const { total } = await call()
    const times: number[] = []
    for (let i = 0; i < requests; i++) times.push((await call()).ms)
    times.sort((a, b) => a - b)
    const timing = { label, url, total, p50: percentile(times, 50), p99: percentile(times, 99) }
    result.searches.push(timing)
    if (timing.p99 > TARGET_SEARCH_P99_MS) result.ok = false
    log(`  datastore_search ${label} (total ${fmt(total)}): p50 ${fmt(timing.p50, 1)} ms, p99 ${fmt(timing.p99, 1)} ms`)
  }

  if (opts.pool) {
    const client = await opts.pool.connect()
    try {
      const table = `datastore."${resourceId.replace(/"/g, '""')}"`
      const { rows } = await client.query<{ cols: string }>(
        `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS cols FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attname <> '_full_text'`,
        [table],
      )
      const t = performance.now()
      let bytes = 0
      for await (const chunk of client.query(pgCopy.to(`COPY (SELECT ${rows[0].cols} FROM ${table} ORDER BY _id) TO STDOUT WITH (FORMAT csv)`))) bytes += (chunk as Buffer).length
      const seconds = (performance.now() - t) / 1000
      result.rawCopy = { bytes, seconds, mbPerS: bytes / 1024 / 1024 / seconds }
      log(`  reference: raw COPY of the same columns (no rendering, no HTTP): ${fmt(bytes / 1024 / 1024, 1)} MB in ${fmt(seconds, 2)} s = ${fmt(result.rawCopy.mbPerS, 1)} MB/s`)
    } finally {
      client.release()
    }
  }

  // the dump over a real socket (app.inject would hold the whole body), read and dropped as it comes
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  for (const format of ['csv', 'json']) {
    global.gc?.()
    const rssBefore = rssMb()
    let peak = rssBefore
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20)
    const t = performance.now()
    const res = await fetch(`http://127.0.0.1:${port}/datastore/dump/${resourceId}?format=${format}`)
    if (res.status !== 200 || !res.body) throw new Error(`dump ${format}: ${res.status}`)
    let bytes = 0
    for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength
    const seconds = (performance.now() - t) / 1000
    clearInterval(sampler)
    peak = Math.max(peak, rssMb())
    const timing = { format, bytes, seconds, mbPerS: bytes / 1024 / 1024 / seconds, rssBeforeMb: rssBefore, rssPeakMb: peak }
    result.dumps.push(timing)
    if (peak - rssBefore > TARGET_DUMP_RSS_GROWTH_MB) result.ok = false
    log(`  dump ${format}: ${fmt(bytes / 1024 / 1024, 1)} MB in ${fmt(seconds, 2)} s = ${fmt(timing.mbPerS, 1)} MB/s; RSS ${fmt(rssBefore)} MB before, peak ${fmt(peak)} MB (+${fmt(peak - rssBefore)} MB)`)
  }
  void address
  return result
}

/** A 10-column table in the DataStore, `rows` rows, `_full_text` filled and indexed, as a load leaves it. */
async function buildTable(db: Kysely<Database>, resourceId: string, rows: number, log: (line: string) => void): Promise<void> {
  await createTable(
    db,
    resourceId,
    [
      { id: 'registro', type: 'int4' },
      { id: 'provincia', type: 'text' },
      { id: 'canton', type: 'text' },
      { id: 'parroquia', type: 'text' },
      { id: 'categoria', type: 'text' },
      { id: 'descripcion', type: 'text' },
      { id: 'poblacion', type: 'int4' },
      { id: 'tasa', type: 'numeric' },
      { id: 'fecha', type: 'timestamp' },
      { id: 'activo', type: 'bool' },
    ],
    { fullText: false },
  )
  const t0 = performance.now()
  await sql`
    INSERT INTO ${tableRef(resourceId)} (registro, provincia, canton, parroquia, categoria, descripcion, poblacion, tasa, fecha, activo)
    SELECT n,
           (ARRAY['Azuay','Bolívar','Cañar','Carchi','Chimborazo','Cotopaxi','El Oro','Esmeraldas','Galápagos','Guayas','Imbabura','Loja',
                  'Los Ríos','Manabí','Morona Santiago','Napo','Orellana','Pastaza','Pichincha','Santa Elena','Santo Domingo','Sucumbíos','Tungurahua','Zamora Chinchipe'])[n % 24 + 1],
           'Cantón ' || (n * 7 % 221), 'Parroquia ' || (n * 13 % 1040),
           (ARRAY['Salud','Educación','Vialidad','Riego','Turismo'])[n % 5 + 1],
           CASE WHEN n % 1000 = 0 THEN 'Alerta por inundación en el sector ' || n
                ELSE 'Registro de ' || (ARRAY['la Cámara de Comercio','agua potable','alcantarillado','escuelas','centros de salud','vías','riego','turismo'])[n % 8 + 1] || ' número ' || n END,
           ((n::int8 * 7919) % 100000)::int4, ((n::int8 * 31) % 10000) / 100.0,
           timestamp '2015-01-01' + (n % 3650) * interval '1 day',
           n % 3 <> 0
      FROM generate_series(1, ${rows}) n`.execute(db)
  log(`  ${fmt(rows)} rows inserted in ${fmt((performance.now() - t0) / 1000, 1)} s`)
  const t1 = performance.now()
  await addFullTextTrigger(db, resourceId)
  await fillFullText(db, resourceId)
  await addFullTextIndex(db, resourceId)
  await sql`VACUUM ANALYZE ${tableRef(resourceId)}`.execute(db)
  log(`  _full_text filled and indexed in ${fmt((performance.now() - t1) / 1000, 1)} s`)
  await syncReaderAccess(db, resourceId)
  await setDatastoreActive(db, resourceId, true)
}

async function main(): Promise<number> {
  const rows = Number(env.BENCH_DATASTORE_ROWS ?? 1_000_000)
  const requests = Number(env.BENCH_DATASTORE_REQUESTS ?? 30)
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-datastore-read-'))
  const external = env.DATABASE_URL ?? null
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SITE_URL: 'http://bench.local', ...(external ? { DATABASE_URL: external } : {}) })
  console.log(`\nDataStore read benchmark: ${fmt(rows)} rows x 10 columns; ${external ? 'external Postgres' : `embedded Postgres in ${dataDir}`}`)
  const database = await openDatabase(config)
  try {
    const app = await buildApp({ db: database.kysely, config, logger: false, pool: database.pool, jobWorker: false, indexWorker: false })
    try {
      const admin = await ensureSysadmin(database.kysely, 'admin')
      const { token } = await issueToken(database.kysely, admin.id, 'bench')
      const post = async (name: string, body: Record<string, unknown>) => {
        const res = await app.inject({ method: 'POST', url: `/api/3/action/${name}`, headers: { authorization: token, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
        if (res.statusCode !== 200) throw new Error(`${name}: ${res.body}`)
        return (res.json() as { result: Record<string, any> }).result
      }
      await post('organization_create', { name: 'bench-org' })
      const dataset = await post('package_create', { name: 'bench-datastore', owner_org: 'bench-org', resources: [{ url: 'http://bench.local/datos.csv', name: 'datos' }] })
      const resourceId = dataset.resources[0].id as string
      await buildTable(database.kysely, resourceId, rows, (l) => console.log(l))
      const result = await benchDatastoreRead({ app, resourceId, requests, pool: database.pool })
      console.log(`  targets: search p99 <= ${TARGET_SEARCH_P99_MS} ms, dump RSS growth <= ${TARGET_DUMP_RSS_GROWTH_MB} MB: ${result.ok ? 'met' : 'NOT MET'}`)
      return result.ok ? 0 : 1
    } finally {
      await app.close()
    }
  } finally {
    await database.shutdown()
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dataDir}`)
    else await fs.rm(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench-datastore-read: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      process.exit(1)
    },
  )
}
