/**
 * `npm run bench` (harvest part; alone: `node dist/scripts/bench-harvest.js`): a full CKAN harvest
 * between two local Abierto servers. A holds BENCH_HARVEST_DATASETS (default 2,000) datasets (the
 * corpus through the actions, replicated in SQL, 5 % private); B gets a `ckan` source pointing at A
 * with `remote_orgs: create`, and runs jobs through its queue (harvest_job_create, as a publisher
 * would). Prints datasets/s for the first (full) run, the time of a second run with no change
 * (A is an Abierto: B reads its change feed) and of a third with no change but a full listing
 * (force_all: what a plain CKAN remote costs), and the load average.
 *
 * Environment: BENCH_HARVEST_DATASETS, CORPUS_FILE, BENCH_KEEP=1 (keep both DATA_DIRs).
 */
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
import { treeCpuTotalMs } from './lib/process-cpu.js'

const env = process.env
const total = Number(env.BENCH_HARVEST_DATASETS ?? 2000)
const corpusPath = benchCorpusFile()
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
type Dict = Record<string, any>

async function action(server: ServerProcess, token: string, name: string, body: Dict): Promise<Dict> {
  const res = await fetch(`${server.url}/api/3/action/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) })
  const json = (await res.json()) as Dict
  if (!json.success) throw new Error(`${name}: ${res.status} ${JSON.stringify(json.error)}`)
  return json.result
}

async function runJob(b: ServerProcess, token: string, sourceId: string): Promise<{ seconds: number; job: Dict }> {
  const t0 = performance.now()
  const created = await action(b, token, 'harvest_job_create', { source_id: sourceId })
  for (;;) {
    const job = await action(b, token, 'harvest_job_show', { id: created.id })
    if (job.status === 'Finished') return { seconds: (performance.now() - t0) / 1000, job }
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function main(): Promise<number> {
  const dirA = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-harvest-a-'))
  const dirB = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-harvest-b-'))
  console.log(`\nHarvest benchmark: ${fmt(total)} datasets on A, B harvests A with the ckan harvester`)
  const servers: ServerProcess[] = []
  try {
    const configA = loadConfig({ DATA_DIR: dirA, LOG_LEVEL: 'warn', SITE_URL: 'http://bench.local' })
    const dbA = await openDatabase(configA)
    await createCorpus(dbA.kysely, dirA, corpusPath)
    await replicate(dbA.kysely, total)
    const silent = { warn() {}, error() {}, info() {}, debug() {} } as never
    await new SearchIndexer(dbA.kysely, new PostgresSearchIndex(dbA.kysely), silent).reindexAll({ clear: true })
    await sql`DELETE FROM search_outbox`.execute(dbA.kysely)
    const counts = (await sql<{ pub: number; priv: number }>`SELECT count(*) FILTER (WHERE NOT private)::int AS pub, count(*) FILTER (WHERE private)::int AS priv FROM package WHERE state = 'active' AND type = 'dataset'`.execute(dbA.kysely))
      .rows[0]
    await dbA.shutdown()
    console.log(`  A: ${fmt(counts.pub)} public and ${fmt(counts.priv)} private datasets`)

    const a = await startServerProcess({ env: { DATA_DIR: dirA, LOG_LEVEL: 'warn', PORT: String(await freePort()) }, logFile: path.join(dirA, 'server.log'), timeoutMs: 60_000 })
    servers.push(a)
    const b = await startServerProcess({ env: { DATA_DIR: dirB, LOG_LEVEL: 'warn', PORT: String(await freePort()), FETCH_ALLOW_PRIVATE: '127.0.0.1' }, logFile: path.join(dirB, 'server.log'), timeoutMs: 60_000 })
    servers.push(b)
    const token = readFileSync(path.join(dirB, 'sysadmin.token'), 'utf8').trim()
    await action(b, token, 'organization_create', { name: 'espejo', title: 'Espejo' })
    const source = await action(b, token, 'harvest_source_create', { name: 'fuente-a', url: a.url, source_type: 'ckan', owner_org: 'espejo', config: JSON.stringify({ remote_orgs: 'create' }) })

    console.log(
      `  load average before: ${os
        .loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')} (${os.cpus().length} cores)`,
    )
    const cpu0 = [treeCpuTotalMs(a.child.pid!), treeCpuTotalMs(b.child.pid!)]
    const first = await runJob(b, token, source.id)
    const cpu1 = [treeCpuTotalMs(a.child.pid!), treeCpuTotalMs(b.child.pid!)]
    const s1 = first.job.stats
    const rate = s1.added / first.seconds
    console.log(`  full harvest: ${fmt(s1.added)} added, ${s1.errored} errored in ${fmt(first.seconds, 1)} s = ${fmt(rate)} datasets/s`)
    // what the run cost in CPU, whatever else the machine was doing: B (server + its Postgres) importing, A serving the listing
    if (cpu0[0] !== null && cpu0[1] !== null && cpu1[0] !== null && cpu1[1] !== null) {
      const [cpuA, cpuB] = [(cpu1[0] - cpu0[0]) / 1000, (cpu1[1] - cpu0[1]) / 1000]
      console.log(`    CPU: B ${fmt((cpuB / s1.added) * 1000, 2)} ms/dataset, A ${fmt((cpuA / s1.added) * 1000, 2)} ms/dataset (${fmt(cpuB, 1)} + ${fmt(cpuA, 1)} CPU s)`)
    }
    for (const e of [...(first.job.gather_error_summary ?? []), ...(first.job.object_error_summary ?? [])]) console.log(`    ${e.error_count} × ${e.message}`)
    const second = await runJob(b, token, source.id)
    const s2 = second.job.stats
    console.log(`  second run, nothing changed: ${fmt(s2['not modified'])} not modified, ${s2.added + s2.updated + s2.deleted} written in ${fmt(second.seconds, 1)} s`)
    // without the change feed (a plain CKAN remote, or force_all): every dataset listed again, each found unchanged
    await action(b, token, 'harvest_source_patch', { id: source.id, config: JSON.stringify({ remote_orgs: 'create', force_all: true }) })
    const third = await runJob(b, token, source.id)
    const s3 = third.job.stats
    console.log(`  third run, full listing (force_all), nothing changed: ${fmt(s3['not modified'])} not modified, ${s3.added + s3.updated + s3.deleted} written in ${fmt(third.seconds, 1)} s`)
    console.log(
      `  load average at the end: ${os
        .loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')} (${os.cpus().length} cores)`,
    )
    return s1.errored === 0 && s1.added === counts.pub && s3['not modified'] === counts.pub ? 0 : 1
  } finally {
    for (const s of servers) await s.stop()
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIRs kept: ${dirA} ${dirB}`)
    else for (const d of [dirA, dirB]) await fs.rm(d, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-harvest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
