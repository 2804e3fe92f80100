/**
 * `npm run bench` (bulk part; alone: `node dist/scripts/bench-load.js`): builds BENCH_LOAD_DATASETS
 * (default 10,000) datasets from the real corpus — each corpus record replicated with fresh ids and
 * names, spread over 100 organizations — writes them as a ckanapi-style JSON-lines file, then runs
 * the BUILT CLI as users do against a fresh embedded Postgres in a temporary DATA_DIR:
 *   - `abierto load FILE` (target ≥ 1,000 datasets/s end to end, search indexing included; the
 *     indexing part is reported apart),
 *   - `abierto dump FILE` (datasets/s).
 * Reproducible: the replication is deterministic (ids derived from the copy number).
 * Environment: CORPUS_FILE, BENCH_LOAD_DATASETS, BENCH_KEEP=1 (keep the file and DATA_DIR).
 */
import { createWriteStream, mkdtempSync, promises as fs } from 'node:fs'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { stopDetached } from '../src/db/embedded.js'
import { stableUuid } from '../src/bulk/stable-id.js'
import { runCli } from './lib/server-process.js'
import { benchCorpusFile, readCorpus, type Dict } from './lib/corpus.js'

const env = process.env
const target = Number(env.BENCH_LOAD_DATASETS ?? 10_000)
const corpusPath = benchCorpusFile()
const TARGET_RATE = 1000
const ORGS = 100

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

/** Copy `n` of a corpus record: fresh id and name, resources with fresh ids, one of ORGS organizations. */
function replica(rec: Dict, n: number): Dict {
  const org = n % ORGS
  const organization = { name: `bench-org-${org}`, title: `Organismo de prueba ${org}`, description: `Organización ${org} del banco de pruebas`, is_organization: true, type: 'organization', state: 'active' }
  return {
    ...rec,
    id: stableUuid(`bench-${n}`),
    name: `${rec.name.slice(0, 90)}-${n}`,
    title: `${rec.title} (${n})`,
    owner_org: organization.name,
    organization,
    resources: rec.resources.map((r: Dict, i: number) => ({ ...r, id: stableUuid(`bench-${n}-${i}`), package_id: undefined })),
  }
}

async function writeFile(file: string, records: Dict[]): Promise<void> {
  const out = createWriteStream(file)
  for (let n = 0; n < target; n++) {
    if (!out.write(JSON.stringify(replica(records[n % records.length], n)) + '\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-load-'))
  const dataDir = path.join(dir, 'data')
  const cliEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }
  try {
    const file = path.join(dir, 'datasets.jsonl')
    await writeFile(file, readCorpus(corpusPath))
    const { size } = await fs.stat(file)
    console.log(`bench-load: ${fmt(target)} datasets from ${path.basename(corpusPath)} in ${fmt(size / 1e6, 1)} MB of JSON lines`)
    // the cluster is created first, so the load measures loading, not initdb
    const migrated = await runCli(['migrate'], cliEnv, 120_000)
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`)

    let started = performance.now()
    const load = await runCli(['load', file], cliEnv, 600_000)
    const loadWall = (performance.now() - started) / 1000
    if (load.code !== 0) throw new Error(`load failed (${load.code}): ${load.stderr.slice(-2000)}`)
    const m = /created (\d+), updated (\d+), failed (\d+) in ([\d.]+) s \((\d+) datasets\/s; search index: (\w+) in ([\d.]+) s\)/.exec(load.stdout)
    if (!m) throw new Error(`unexpected load output: ${load.stdout}`)
    const [, created, , , seconds, , mode, indexSeconds] = m
    const rate = Number(created) / Number(seconds)
    console.log(`load: ${fmt(Number(created))} created in ${fmt(Number(seconds), 1)} s = ${fmt(rate)} datasets/s end to end  (target ${fmt(TARGET_RATE)}: ${rate >= TARGET_RATE ? 'ok' : 'MISSED'})`)
    console.log(
      `      writing ${fmt(Number(seconds) - Number(indexSeconds), 1)} s = ${fmt(Number(created) / (Number(seconds) - Number(indexSeconds)))} datasets/s; search index (${mode}) ${fmt(Number(indexSeconds), 1)} s = ${fmt(Number(created) / Number(indexSeconds))} datasets/s`,
    )
    console.log(`      whole process (embedded Postgres start and stop included): ${fmt(loadWall, 1)} s`)

    const out = path.join(dir, 'dump.jsonl')
    started = performance.now()
    const dump = await runCli(['dump', out], cliEnv, 600_000)
    const dumpWall = (performance.now() - started) / 1000
    if (dump.code !== 0) throw new Error(`dump failed: ${dump.stderr}`)
    const d = /dumped (\d+) datasets in ([\d.]+) s/.exec(dump.stderr)
    if (!d) throw new Error(`unexpected dump output: ${dump.stderr}`)
    console.log(`dump: ${fmt(Number(d[1]))} datasets in ${fmt(Number(d[2]), 1)} s = ${fmt(Number(d[1]) / Number(d[2]))} datasets/s  (whole process ${fmt(dumpWall, 1)} s)`)
  } finally {
    await stopDetached(path.join(dataDir, 'postgres')).catch(() => undefined)
    await (env.BENCH_KEEP ? console.log(`kept ${dir}`) : fs.rm(dir, { recursive: true, force: true }))
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
