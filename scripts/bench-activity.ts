/**
 * `npm run bench` (activity part; alone: `node dist/scripts/bench-activity.js`): what recording
 * activities costs the writers, in one run so machine drift hits both sides alike.
 *   - `abierto load` of BENCH_ACTIVITY_DATASETS (default 10,000) corpus datasets into two fresh
 *     DATA_DIRs, ACTIVITY_STREAMS_ENABLED=false then true (target: ≥ 1,000 datasets/s with them).
 *   - package_update req/s over HTTP (autocannon, BENCH_CONNECTIONS, BENCH_DURATION s a round)
 *     against the same catalogue, the server restarted with activities off, on, off, on; the
 *     mean of each side (target: overhead < 15 %).
 * Environment: CORPUS_FILE, BENCH_ACTIVITY_DATASETS, BENCH_DURATION (10), BENCH_CONNECTIONS (4), BENCH_KEEP=1.
 */
import { createWriteStream, mkdtempSync, promises as fs } from 'node:fs'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { stopDetached } from '../src/db/embedded.js'
import { stableUuid } from '../src/bulk/stable-id.js'
import { freePort, runCli, startServerProcess } from './lib/server-process.js'
import { benchCorpusFile, readCorpus, type Dict } from './lib/corpus.js'

const env = process.env
const total = Number(env.BENCH_ACTIVITY_DATASETS ?? 10_000)
const duration = Number(env.BENCH_DURATION ?? 10)
const connections = Number(env.BENCH_CONNECTIONS ?? 4)
const TARGET_LOAD = 1000
const TARGET_OVERHEAD = 0.15
/** datasets the update rounds cycle through: enough that row locks rarely meet */
const UPDATED = 400

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

function replica(rec: Dict, n: number): Dict {
  const org = `bench-org-${n % 50}`
  return {
    ...rec,
    id: stableUuid(`activity-${n}`),
    name: `${String(rec.name).slice(0, 90)}-${n}`,
    owner_org: org,
    organization: { name: org, title: org, is_organization: true, type: 'organization', state: 'active' },
    resources: (rec.resources ?? []).map((r: Dict, i: number) => ({ ...r, id: stableUuid(`activity-${n}-${i}`), package_id: undefined })),
  }
}

async function writeFile(file: string, records: Dict[]): Promise<void> {
  const out = createWriteStream(file)
  for (let n = 0; n < total; n++) if (!out.write(JSON.stringify(replica(records[n % records.length], n)) + '\n')) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
}

async function load(file: string, dataDir: string, activities: boolean): Promise<number> {
  const cliEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ACTIVITY_STREAMS_ENABLED: String(activities) }
  const migrated = await runCli(['migrate'], cliEnv, 120_000)
  if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`)
  const res = await runCli(['load', file], cliEnv, 900_000)
  if (res.code !== 0) throw new Error(`load failed: ${res.stderr.slice(-2000)}`)
  const m = /created (\d+), updated (\d+), failed (\d+) in ([\d.]+) s \((\d+) datasets\/s; search index: (\w+) in ([\d.]+) s\)/.exec(res.stdout)
  if (!m) throw new Error(`unexpected load output: ${res.stdout}`)
  return Number(m[1]) / Number(m[4])
}

/** package_update req/s against a server on dataDir, activities on or off. */
async function updateRound(dataDir: string, token: string, dicts: Dict[], activities: boolean): Promise<{ rps: number; p99: number; errors: number }> {
  const port = String(await freePort())
  const server = await startServerProcess({ env: { PORT: port, DATA_DIR: dataDir, LOG_LEVEL: 'warn', CACHE_MB: '0', ACTIVITY_STREAMS_ENABLED: String(activities), WRITE_RATE_LIMIT_PER_MINUTE: '0' }, timeoutMs: 60_000 })
  try {
    let i = 0
    const opts: autocannon.Options = {
      url: `${server.url}/api/3/action/package_update`,
      connections,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      requests: [
        {
          setupRequest: (req) => {
            const d = dicts[i++ % dicts.length]
            return { ...req, body: JSON.stringify({ ...d, title: `${String(d.title)} · ${i}` }) }
          },
        },
      ],
    }
    await autocannon({ ...opts, duration: 2 })
    const r = await autocannon({ ...opts, duration })
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts }
  } finally {
    await server.stop()
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-activity-'))
  const dirs = { off: path.join(dir, 'off'), on: path.join(dir, 'on') }
  try {
    const file = path.join(dir, 'datasets.jsonl')
    const corpus = benchCorpusFile()
    await writeFile(file, readCorpus(corpus))
    console.log(`bench-activity: ${fmt(total)} datasets from ${path.basename(corpus)}`)

    const offRate = await load(file, dirs.off, false)
    await stopDetached(path.join(dirs.off, 'postgres')).catch(() => undefined)
    await fs.rm(dirs.off, { recursive: true, force: true })
    const onRate = await load(file, dirs.on, true)
    console.log(`load without activities: ${fmt(offRate)} datasets/s`)
    console.log(`load with activities:    ${fmt(onRate)} datasets/s (${fmt((1 - onRate / offRate) * 100, 1)} % slower; target ≥ ${fmt(TARGET_LOAD)}: ${onRate >= TARGET_LOAD ? 'ok' : 'MISSED'})`)

    const cli = await runCli(['sysadmin', 'add', 'bench'], { DATA_DIR: dirs.on, LOG_LEVEL: 'warn' })
    if (cli.code !== 0) throw new Error(`sysadmin add failed: ${cli.stderr}`)
    const token = cli.stdout.trim().split('\n')[1]
    const dump = await runCli(['dump', path.join(dir, 'dump.jsonl')], { DATA_DIR: dirs.on, LOG_LEVEL: 'warn' }, 600_000)
    if (dump.code !== 0) throw new Error(`dump failed: ${dump.stderr}`)
    const dicts = (await fs.readFile(path.join(dir, 'dump.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .slice(0, UPDATED)
      .map((l) => JSON.parse(l) as Dict)

    const rounds: Record<'off' | 'on', number[]> = { off: [], on: [] }
    for (const activities of [false, true, false, true]) {
      const r = await updateRound(dirs.on, token, dicts, activities)
      if (r.errors) throw new Error(`package_update round had ${r.errors} failed requests`)
      rounds[activities ? 'on' : 'off'].push(r.rps)
      console.log(`  package_update, activities ${activities ? 'on ' : 'off'}: ${fmt(r.rps, 1)} req/s, p99 ${fmt(r.p99)} ms`)
    }
    const off = mean(rounds.off)
    const on = mean(rounds.on)
    const overhead = 1 - on / off
    console.log(`package_update: ${fmt(off, 1)} req/s without activities, ${fmt(on, 1)} with: overhead ${fmt(overhead * 100, 1)} % (target < ${TARGET_OVERHEAD * 100} %: ${overhead < TARGET_OVERHEAD ? 'ok' : 'MISSED'})`)
  } finally {
    for (const d of Object.values(dirs)) await stopDetached(path.join(d, 'postgres')).catch(() => undefined)
    await (env.BENCH_KEEP ? console.log(`kept ${dir}`) : fs.rm(dir, { recursive: true, force: true }))
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
