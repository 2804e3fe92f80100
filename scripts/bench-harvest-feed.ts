/**
 * `npm run bench` (incremental harvest part; alone: `node dist/scripts/bench-harvest-feed.js`):
 * the time of an incremental `ckan` harvest of BENCH_FEED_HARVEST_DATASETS (default 10,000)
 * datasets after 100 changes on the remote, through the remote's change feed and through
 * package_search, in one run. A (Abierto) holds the corpus replicated in SQL; B harvests it with
 * one source: a full run, 100 changes on A, an incremental run through the feed; then the source
 * points at a proxy that answers changes_since as a real CKAN does (unknown action), 100 other
 * changes on A, and an incremental run through package_search (changes since the watermark minus
 * its hour of overlap, then every remote id for deletions). Both mirrors are checked against A.
 *
 * Environment: BENCH_FEED_HARVEST_DATASETS, CORPUS_FILE, BENCH_KEEP=1 (keep both DATA_DIRs).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/open.js'
import { PostgresSearchIndex } from '../src/search/postgres.js'
import { SearchIndexer } from '../src/search/indexer.js'
import { freePort, startServerProcess, type ServerProcess } from './lib/server-process.js'
import { createCorpus, replicate } from './lib/catalog.js'
import { benchCorpusFile } from './lib/corpus.js'
import { ensureSysadmin } from '../src/auth/users.js'
import { issueToken } from '../src/auth/tokens.js'

const env = process.env
const total = Number(env.BENCH_FEED_HARVEST_DATASETS ?? 10_000)
const corpusPath = benchCorpusFile()
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
type Dict = Record<string, any>

async function action(url: string, token: string | null, name: string, body: Dict): Promise<Dict> {
  const res = await fetch(`${url}/api/3/action/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) })
  const json = (await res.json()) as Dict
  if (!json.success) throw new Error(`${name}: ${res.status} ${JSON.stringify(json.error)}`)
  return json.result
}

async function runJob(b: ServerProcess, token: string, sourceId: string): Promise<{ seconds: number; job: Dict }> {
  const t0 = performance.now()
  const created = await action(b.url, token, 'harvest_job_create', { source_id: sourceId })
  for (;;) {
    const job = await action(b.url, token, 'harvest_job_show', { id: created.id })
    if (job.status === 'Finished') return { seconds: (performance.now() - t0) / 1000, job }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A proxy to `upstream` that answers changes_since as CKAN answers an unknown action; counts requests by action. */
async function plainCkanProxy(upstream: string): Promise<{ url: string; counts: Map<string, number>; close(): Promise<void> }> {
  const counts = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const name = /^\/api\/(?:3\/)?action\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '?'
    counts.set(name, (counts.get(name) ?? 0) + 1)
    if (name === 'changes_since') {
      res.writeHead(400, { 'content-type': 'application/json;charset=utf-8' })
      res.end(JSON.stringify(`Bad request - Action name not known: ${name}`))
      return
    }
    const target = new URL(req.url ?? '/', upstream)
    const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** 100 changes on A: 70 retitled, 10 deleted, 10 made private, 10 created. */
async function hundredChanges(a: ServerProcess, token: string, names: string[], tag: string): Promise<void> {
  for (const name of names.slice(0, 70)) await action(a.url, token, 'package_patch', { id: name, title: `Retitulado ${tag} ${name}` })
  for (const name of names.slice(70, 80)) await action(a.url, token, 'package_delete', { id: name })
  for (const name of names.slice(80, 90)) await action(a.url, token, 'package_patch', { id: name, private: true })
  const org = (await action(a.url, token, 'organization_list', { limit: 1 }))[0]
  for (let i = 0; i < 10; i++) await action(a.url, token, 'package_create', { name: `nuevo-${tag}-${i}`, title: `Nuevo ${tag} ${i}`, owner_org: org, resources: [{ url: `http://x.example/${tag}/${i}.csv` }] })
}

async function publicCount(url: string): Promise<number> {
  return (await action(url, null, 'package_search', { q: '*:*', rows: 0 })).count as number
}

function stats(job: Dict): string {
  const s = job.stats
  return `${s.added} added, ${s.updated} updated, ${s.deleted} deleted, ${s['not modified']} not modified, ${s.errored} errored`
}

async function main(): Promise<number> {
  const dirA = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-hfeed-a-'))
  const dirB = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-hfeed-b-'))
  console.log(`\nIncremental harvest benchmark: ${fmt(total)} datasets on A, 100 changes, B re-harvests through the change feed and through package_search`)
  const servers: ServerProcess[] = []
  let proxy: Awaited<ReturnType<typeof plainCkanProxy>> | null = null
  try {
    const configA = loadConfig({ DATA_DIR: dirA, LOG_LEVEL: 'warn', SITE_URL: 'http://bench.local' })
    const dbA = await openDatabase(configA)
    await createCorpus(dbA.kysely, dirA, corpusPath)
    await replicate(dbA.kysely, total)
    const silent = { warn() {}, error() {}, info() {}, debug() {} } as never
    await new SearchIndexer(dbA.kysely, new PostgresSearchIndex(dbA.kysely), silent).reindexAll({ clear: true })
    await sql`DELETE FROM search_outbox`.execute(dbA.kysely)
    // the corpus made its own sysadmin, so the server writes no token file: the changes on A are made with this one
    const { token: tokenA } = await issueToken(dbA.kysely, (await ensureSysadmin(dbA.kysely, 'bench')).id, 'bench')
    await dbA.shutdown()

    const a = await startServerProcess({ env: { DATA_DIR: dirA, LOG_LEVEL: 'warn', PORT: String(await freePort()) }, logFile: path.join(dirA, 'server.log'), timeoutMs: 60_000 })
    servers.push(a)
    const b = await startServerProcess({ env: { DATA_DIR: dirB, LOG_LEVEL: 'warn', PORT: String(await freePort()), FETCH_ALLOW_PRIVATE: '127.0.0.1' }, logFile: path.join(dirB, 'server.log'), timeoutMs: 60_000 })
    servers.push(b)
    const tokenB = readFileSync(path.join(dirB, 'sysadmin.token'), 'utf8').trim()
    console.log(`  A: ${fmt(await publicCount(a.url))} public datasets`)
    await action(b.url, tokenB, 'organization_create', { name: 'espejo', title: 'Espejo' })
    const source = await action(b.url, tokenB, 'harvest_source_create', { name: 'fuente-a', url: a.url, source_type: 'ckan', owner_org: 'espejo', config: JSON.stringify({ remote_orgs: 'create' }) })

    const full = await runJob(b, tokenB, source.id)
    console.log(`  full harvest: ${stats(full.job)} in ${fmt(full.seconds, 1)} s`)

    const names = ((await action(a.url, null, 'package_search', { q: '*:*', rows: 200, sort: 'name desc', fl: 'name' })).results as Dict[]).map((d) => String(d.name))
    let verdict = 0
    const check = async (what: string, job: Dict) => {
      const [onA, onB] = [await publicCount(a.url), await publicCount(b.url)]
      const ok = onA === onB && job.stats.errored === 0 && job.stats.added === 10 && job.stats.deleted === 20
      if (!ok) verdict = 1
      return ok ? '' : `  ← ${what}: WRONG (A ${onA} public, B ${onB})`
    }

    await hundredChanges(a, tokenA, names.slice(0, 100), 'feed')
    const viaFeed = await runJob(b, tokenB, source.id)
    console.log(`  incremental through the feed:          ${fmt(viaFeed.seconds, 2)} s (${stats(viaFeed.job)})${await check('feed', viaFeed.job)}`)

    proxy = await plainCkanProxy(a.url)
    await action(b.url, tokenB, 'harvest_source_patch', { id: source.id, url: proxy.url })
    await hundredChanges(a, tokenA, names.slice(100, 200), 'search')
    const viaSearch = await runJob(b, tokenB, source.id)
    const asked = [...proxy.counts].map(([k, v]) => `${v} ${k}`).join(', ')
    console.log(`  incremental through package_search:    ${fmt(viaSearch.seconds, 2)} s (${stats(viaSearch.job)}; requests: ${asked})${await check('package_search', viaSearch.job)}`)
    console.log(`  feed / package_search: ${fmt(viaFeed.seconds / viaSearch.seconds, 2)} of the time`)
    return verdict
  } finally {
    await proxy?.close()
    for (const s of servers) await s.stop()
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIRs kept: ${dirA} ${dirB}`)
    else for (const d of [dirA, dirB]) await fs.rm(d, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-harvest-feed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
