/**
 * Portal pages against the API they read (alone: `node dist/scripts/bench-portal.js`). Builds a
 * catalogue of BENCH_PORTAL_DATASETS (default 100,000) datasets as bench-search does (the real
 * corpus through the actions, replicated in SQL, reindexed), starts the server with its default
 * read cache, then measures in the same run, pair by pair on the same paths:
 *   - the dataset page `/dataset/{name}` (HTML) against `package_show`,
 *   - the search page `/dataset?q=…` (and an organization filter) against the very `package_search`
 *     it makes (same parameters, POSTed as JSON),
 * each as req/s with BENCH_CONNECTIONS connections; the page's throughput as a share of the API's
 * (target ≥ 60 %: the page is the same data plus a template), and the search page's p99 with one
 * connection (target < 50 ms); with the read cache, then without it (CACHE_MB=0). With the cache,
 * also the time to write the first sitemap file (50,000 URLs; BENCH_PORTAL_SITEMAP=0 skips it).
 *
 * Environment: CORPUS_FILE, DATABASE_URL (external; default embedded in a temporary DATA_DIR),
 * BENCH_PORTAL_DATASETS, BENCH_DURATION (seconds per measurement, 10), BENCH_CONNECTIONS (8),
 * BENCH_KEEP=1 keeps the DATA_DIR and BENCH_PORTAL_DIR=that dir reuses it (skips the build).
 */
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import autocannon from 'autocannon'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import type { Database } from '../src/db/schema.js'
import { PostgresSearchIndex } from '../src/search/postgres.js'
import { SearchIndexer } from '../src/search/indexer.js'
import { freePort, startServerProcess } from './lib/server-process.js'
import { createCorpus, replicate } from './lib/catalog.js'
import { benchCorpusFile } from './lib/corpus.js'
import { FACET_FIELDS, ROWS_PER_PAGE, filterQuery, type FacetField } from '../src/web/search/search-state.js'

const env = process.env
const target = Number(env.BENCH_PORTAL_DATASETS ?? 100_000)
const duration = Number(env.BENCH_DURATION ?? 10)
const connections = Number(env.BENCH_CONNECTIONS ?? 8)
const corpusPath = benchCorpusFile()
const TARGET_RATIO = 0.6
const TARGET_SEARCH_P99 = 50

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED')

/** A request of a measurement: a GET, or a POST of a JSON body. */
interface Req {
  path: string
  body?: string
}

/** The package_search the search page makes for these words and filters (src/web/search/dataset-search.ts), so the API side does the same work. */
function pageSearchBody(q: string, filters: Array<[FacetField, string]>): string {
  const fq_list = [...filters.map(([f, v]) => filterQuery(f, v)), '+dataset_type:dataset', '+state:active']
  return JSON.stringify({ q, fq_list, rows: ROWS_PER_PAGE, start: 0, 'facet.field': JSON.stringify(FACET_FIELDS), include_private: true })
}

interface Measured {
  rps: number
  p50: number
  p99: number
  /** the server process's CPU time per request (user + system): unlike req/s, barely moved by other load on the machine */
  cpuMs: number
  bad: number
}

/** CPU time a process has used, in ms (/proc/PID/stat utime + stime, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function measure(url: string, pid: number, reqs: Req[], conns: number, accept?: string): Promise<Measured> {
  let i = 0
  const cpu0 = cpuMsOf(pid)
  const result = await autocannon({
    url,
    connections: conns,
    duration,
    headers: accept ? { accept } : {},
    requests: [
      {
        setupRequest: (req) => {
          const r = reqs[i++ % reqs.length]
          return r.body === undefined ? { ...req, method: 'GET', path: r.path } : { ...req, method: 'POST', path: r.path, body: r.body, headers: { ...req.headers, 'content-type': 'application/json' } }
        },
      },
    ],
  })
  const cpuMs = (cpuMsOf(pid) - cpu0) / Math.max(1, result.requests.total)
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuMs, bad: result.non2xx + result.errors }
}

async function build(db: Kysely<Database>, dataDir: string): Promise<void> {
  let t0 = performance.now()
  const created = await createCorpus(db, dataDir, corpusPath)
  await replicate(db, target)
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM package`.execute(db)
  console.log(`  catalogue: ${created} corpus datasets through the actions, replicated to ${fmt(rows[0].n)} in ${fmt((performance.now() - t0) / 1000, 1)} s`)
  const silent = { warn() {}, error() {}, info() {}, debug() {} } as never
  t0 = performance.now()
  const indexed = await new SearchIndexer(db, new PostgresSearchIndex(db), silent).reindexAll({ clear: true })
  console.log(`  reindexed ${fmt(indexed)} datasets in ${fmt((performance.now() - t0) / 1000, 1)} s`)
  await sql`DELETE FROM search_outbox`.execute(db)
  await sql`VACUUM ANALYZE search_document`.execute(db)
}

async function main(): Promise<number> {
  const reuse = env.BENCH_PORTAL_DIR ?? null
  const dataDir = reuse ?? mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-portal-'))
  const external = env.DATABASE_URL ?? null
  const serverEnv: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(external ? { DATABASE_URL: external } : {}) }
  console.log(`\nPortal benchmark: ${fmt(target)} datasets; ${external ? 'external Postgres' : `embedded Postgres in ${dataDir}`}; ${duration} s per measurement`)
  try {
    const config = loadConfig({ ...serverEnv, SITE_URL: 'http://bench.local' })
    const database = await openDatabase(config)
    if (!reuse) await build(database.kysely, dataDir)
    // public datasets spread over the catalogue, and the organizations with most of them
    const names = (await sql<{ name: string }>`SELECT name FROM package WHERE state = 'active' AND NOT private AND type = 'dataset' ORDER BY md5(id) LIMIT 200`.execute(database.kysely)).rows.map((r) => r.name)
    const orgs = (
      await sql<{ name: string }>`SELECT g.name FROM "group" g JOIN package p ON p.owner_org = g.id WHERE g.is_organization AND p.state = 'active' AND NOT p.private GROUP BY g.name ORDER BY count(*) DESC, g.name LIMIT 20`.execute(
        database.kysely,
      )
    ).rows.map((r) => r.name)
    await database.shutdown()

    const enc = encodeURIComponent
    const words = ['educacion', 'presupuesto', 'poblacion', 'energia', 'exportaciones', 'salarios', 'transporte', 'turismo', 'empleo', 'inflacion', 'escuelas', 'precios', 'produccion', 'censo']
    const search = '/api/3/action/package_search'
    const get = (path: string): Req => ({ path })
    const pairs = [
      { label: 'dataset page', page: names.map((n) => get(`/dataset/${enc(n)}`)), api: names.map((n) => get(`/api/3/action/package_show?id=${enc(n)}`)), search: false },
      { label: 'search q', page: words.map((w) => get(`/dataset?q=${enc(w)}`)), api: words.map((w) => ({ path: search, body: pageSearchBody(w, []) })), search: true },
      { label: 'search facet', page: orgs.map((o) => get(`/dataset?organization=${enc(o)}`)), api: orgs.map((o) => ({ path: search, body: pageSearchBody('', [['organization', o]]) })), search: true },
    ]

    let failed = false
    // with the read cache (the default: repeated pages and searches from memory until the next
    // write) and without it (CACHE_MB=0: every request renders, what a first visit costs)
    const modes: Array<{ label: string; env: Record<string, string>; cached: boolean; sitemap: boolean }> = [
      { label: 'default read cache', env: {}, cached: true, sitemap: env.BENCH_PORTAL_SITEMAP !== '0' },
      { label: 'CACHE_MB=0: every request renders (the p99 target is for the cache on)', env: { CACHE_MB: '0' }, cached: false, sitemap: false },
    ]
    for (const mode of modes) {
      const server = await startServerProcess({ env: { ...serverEnv, ...mode.env, PORT: String(await freePort()) }, logFile: path.join(dataDir, 'server.log'), timeoutMs: 120_000 })
      const pid = server.child.pid!
      try {
        // one pass over every path: Postgres' buffers and the read cache as a running portal's would be
        for (const p of pairs) {
          for (const r of p.page) await (await fetch(server.url + r.path, { headers: { accept: HTML } })).arrayBuffer()
          for (const r of p.api) await (await fetch(server.url + r.path, r.body === undefined ? {} : { method: 'POST', body: r.body, headers: { 'content-type': 'application/json' } })).arrayBuffer()
        }
        console.log(`\n${mode.label}`)
        console.log(
          `${'pair'.padEnd(14)}${'API req/s'.padStart(10)}${'page req/s'.padStart(11)}${'ratio'.padStart(8)}  ${'CPU ms/req API'.padStart(15)}${'page'.padStart(7)}${'ratio'.padStart(8)}  ${'page p50'.padStart(9)}${'p99 (1 conn)'.padStart(13)}  targets: ratio ≥ ${TARGET_RATIO * 100} %, search page p99 < ${TARGET_SEARCH_P99} ms`,
        )
        for (const p of pairs) {
          const apiRun = await measure(server.url, pid, p.api, connections)
          const pageRun = await measure(server.url, pid, p.page, connections, HTML)
          const latency = await measure(server.url, pid, p.page, 1, HTML)
          const ratio = pageRun.rps / apiRun.rps
          const bad = apiRun.bad + pageRun.bad + latency.bad
          const ok = ratio >= TARGET_RATIO && (!p.search || !mode.cached || latency.p99 < TARGET_SEARCH_P99) && bad === 0
          if (!ok) failed = true
          console.log(
            `${p.label.padEnd(14)}${fmt(apiRun.rps).padStart(10)}${fmt(pageRun.rps).padStart(11)}${`${fmt(ratio * 100)} %`.padStart(8)}  ${fmt(apiRun.cpuMs, 2).padStart(15)}${fmt(pageRun.cpuMs, 2).padStart(7)}${`${fmt((apiRun.cpuMs / pageRun.cpuMs) * 100)} %`.padStart(8)}  ${fmt(latency.p50).padStart(9)}${fmt(latency.p99).padStart(13)}  ${mark(ok)}${bad ? ` (! ${bad} non-2xx or errors)` : ''}`,
          )
        }
        // the sitemap: the first file holds 50,000 URLs (the index alone once the catalogue is larger); BENCH_PORTAL_SITEMAP=0 skips it
        if (mode.sitemap) {
          for (const file of ['/sitemap.xml', '/sitemap-1.xml']) {
            const t0 = performance.now()
            const res = await fetch(server.url + file)
            const body = await res.text()
            const urls = (body.match(/<loc>/g) ?? []).length
            console.log(`  ${file}: ${res.status}, ${fmt(urls)} <loc>s, ${fmt(body.length / 1e6, 1)} MB in ${fmt(performance.now() - t0)} ms`)
          }
        }
      } finally {
        await server.stop()
      }
    }
    return failed ? 1 : 0
  } finally {
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dataDir} (BENCH_PORTAL_DIR=${dataDir} reuses it)`)
    else if (!reuse) await fs.rm(dataDir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-portal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
