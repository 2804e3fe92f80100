/**
 * `npm run bench`: loads the real Datos Argentina corpus through the Action API, then measures
 * throughput and latency with autocannon against a bare Fastify route, package_show and
 * package_list, plus the cold start of `node dist/src/cli.js serve`.
 *
 * The server runs as its own process, as users run it (README), and so does the bare Fastify
 * baseline; autocannon runs here. On a small machine that keeps the load generator from sharing
 * an event loop with the server it measures.
 *
 * Environment: DATABASE_URL (external Postgres; default: embedded in a temporary DATA_DIR),
 * CORPUS_FILE (required: the JSONL corpus, e.g. ../shared/data/datos-gob-ar-datasets.jsonl),
 * BENCH_DURATION (seconds per run, 10), BENCH_CONNECTIONS (10), BENCH_LOAD_CONCURRENCY (4),
 * LOG_LEVEL (the server's, default info as in production), BENCH_KEEP=1 keeps the DATA_DIR.
 */
import { mkdtempSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { REPO_ROOT, freePort, runCli, startServerProcess, type ServerProcess } from './lib/server-process.js'
import { benchCorpusFile } from './lib/corpus.js'

interface GroupRef {
  name: string
  title?: string
  description?: string
}
interface CorpusRecord {
  id?: string
  name: string
  owner_org?: string
  organization?: GroupRef | null
  groups?: GroupRef[]
  resources?: { id?: string }[]
  [key: string]: unknown
}

const env = process.env
const corpusPath = benchCorpusFile()
const duration = Number(env.BENCH_DURATION ?? 10)
const connections = Number(env.BENCH_CONNECTIONS ?? 10)
const loadConcurrency = Number(env.BENCH_LOAD_CONCURRENCY ?? 4)
const logLevel = env.LOG_LEVEL ?? 'info'
const external = env.DATABASE_URL ?? null

const TARGET_SHOW_RATIO = 0.35
const TARGET_P99_MS = 10
const TARGET_COLD_START_MS = 3000

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED')

function readCorpus(text: string): CorpusRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusRecord)
}

/** Distinct organizations and groups the datasets refer to, as create payloads. */
function referencedGroups(records: CorpusRecord[]): { organizations: GroupRef[]; groups: GroupRef[] } {
  const orgs = new Map<string, GroupRef>()
  const groups = new Map<string, GroupRef>()
  for (const r of records) {
    const org = r.organization ?? (r.owner_org ? { name: r.owner_org } : null)
    if (org && !orgs.has(org.name)) orgs.set(org.name, { name: org.name, title: org.title ?? org.name, description: org.description ?? '' })
    for (const g of r.groups ?? []) {
      if (!groups.has(g.name)) groups.set(g.name, { name: g.name, title: g.title ?? g.name, description: g.description ?? '' })
    }
  }
  return { organizations: [...orgs.values()], groups: [...groups.values()] }
}

/** The corpus ids are not UUIDs: let the server assign dataset and resource ids. */
function createPayload(r: CorpusRecord): Record<string, unknown> {
  const { id: _id, ...rest } = r
  return { ...rest, resources: (r.resources ?? []).map(({ id: _rid, ...res }) => res) }
}

interface CallResult {
  status: number
  body: { success?: boolean; result?: unknown; error?: Record<string, unknown> }
}

async function callAction(server: ServerProcess, token: string, name: string, body: unknown): Promise<CallResult> {
  const res = await fetch(`${server.url}/api/3/action/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as CallResult['body'] }
}

interface LoadStats {
  ok: number
  existing: number
  failed: number
  ms: number
  errors: Map<string, number>
}

/** Creates every item with `loadConcurrency` requests in flight; a 409 on `name` counts as already there. */
async function load<T>(items: T[], create: (item: T) => Promise<CallResult>, onOk?: (item: T) => void): Promise<LoadStats> {
  const stats: LoadStats = { ok: 0, existing: 0, failed: 0, ms: 0, errors: new Map() }
  const started = performance.now()
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]
      const { status, body } = await create(item)
      if (status === 200 && body.success) {
        stats.ok++
        onOk?.(item)
      } else if (status === 409 && body.error && 'name' in body.error && Object.keys(body.error).length === 2) {
        stats.existing++
        onOk?.(item)
      } else {
        stats.failed++
        const key = `${status} ${JSON.stringify(body.error ?? body).slice(0, 300)}`
        stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, loadConcurrency) }, worker))
  stats.ms = performance.now() - started
  return stats
}

function describeLoad(label: string, total: number, s: LoadStats): string {
  const rate = (s.ok + s.existing) / (s.ms / 1000)
  const extra = [s.existing ? `${s.existing} already there` : '', s.failed ? `${s.failed} FAILED` : ''].filter(Boolean).join(', ')
  return `  ${label.padEnd(14)} ${fmt(s.ok + s.existing).padStart(5)}/${total} in ${seconds(s.ms)} = ${fmt(rate, 1)}/s${extra ? ` (${extra})` : ''}`
}

interface Measured {
  label: string
  rps: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

async function measure(label: string, url: string, requests?: autocannon.Request[], headers?: Record<string, string>): Promise<Measured> {
  const opts: autocannon.Options = { url, connections, duration, requests, headers }
  await autocannon({ ...opts, duration: Math.min(2, duration) }) // warm-up: JIT, pools, caches
  const r = await autocannon(opts)
  return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts }
}

/** The distinct errors the server logged (pino level ≥ 50), to explain failed loads. */
async function serverErrors(logFile: string, max = 5): Promise<string> {
  const seen = new Map<string, number>()
  for (const line of (await fs.readFile(logFile, 'utf8')).split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; stack?: string } }
      if ((entry.level ?? 0) < 50) continue
      const key = `${entry.msg}: ${entry.err?.stack?.split('\n').slice(0, 3).join(' | ') ?? entry.err?.message ?? ''}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    } catch {
      // not a log entry
    }
  }
  return (
    [...seen]
      .slice(0, max)
      .map(([k, n]) => `    ×${n} ${k}`)
      .join('\n') || '    (none logged)'
  )
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main(): Promise<number> {
  const records = readCorpus(await fs.readFile(corpusPath, 'utf8'))
  const { organizations, groups } = referencedGroups(records)
  const resourceCount = records.reduce((n, r) => n + (r.resources?.length ?? 0), 0)
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-'))
  // the load phase writes as fast as the server takes it, with one token: no per-token write limit
  const serverEnv: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: logLevel, WRITE_RATE_LIMIT_PER_MINUTE: '0', ...(external ? { DATABASE_URL: external } : {}) }
  const serverLog = path.join(dataDir, 'server.log')
  const cpus = os.cpus()

  console.log(`Abierto benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${os.type()} ${os.release()}`)
  console.log(`  database: ${external ? 'external (DATABASE_URL)' : `embedded Postgres in ${dataDir}`}; server LOG_LEVEL=${logLevel}`)
  console.log(`  corpus: ${path.relative(process.cwd(), corpusPath)}: ${records.length} datasets, ${resourceCount} resources, ${organizations.length} organizations, ${groups.length} groups`)
  console.log(`  autocannon: ${connections} connections, ${duration} s per route after a ${Math.min(2, duration)} s warm-up`)

  const servers: ServerProcess[] = []
  try {
    // 1. a sysadmin token; on an empty DATA_DIR this also initialises the cluster and migrates
    const initStarted = performance.now()
    const cli = await runCli(['sysadmin', 'add', 'bench'], serverEnv)
    if (cli.code !== 0) throw new Error(`abierto sysadmin add bench failed: ${cli.stderr}`)
    const token = cli.stdout.trim().split('\n')[1]
    console.log(`\nfirst-time setup (${external ? 'migrations' : 'initdb, migrations'}, sysadmin) via the CLI: ${fmt(performance.now() - initStarted)} ms`)

    // 2. the server, started as README says; its start is the first cold-start sample
    const coldStarts: number[] = []
    const start = async () => {
      const s = await startServerProcess({ env: { ...serverEnv, PORT: String(await freePort()) }, logFile: serverLog })
      servers.push(s)
      coldStarts.push(s.readyMs)
      return s
    }
    const server = await start()

    // 3. the corpus, through the API
    console.log('\ncorpus load through the Action API:')
    const orgStats = await load(organizations, (o) => callAction(server, token, 'organization_create', o))
    console.log(describeLoad('organizations', organizations.length, orgStats))
    const groupStats = await load(groups, (g) => callAction(server, token, 'group_create', g))
    console.log(describeLoad('groups', groups.length, groupStats))
    const names: string[] = []
    let resourcesLoaded = 0
    const dsStats = await load(
      records,
      (r) => callAction(server, token, 'package_create', createPayload(r)),
      (r) => {
        names.push(r.name)
        resourcesLoaded += r.resources?.length ?? 0
      },
    )
    console.log(describeLoad('datasets', records.length, dsStats))
    const totalMs = orgStats.ms + groupStats.ms + dsStats.ms
    console.log(`  total          ${seconds(totalMs)}; datasets carried ${fmt(resourcesLoaded / (dsStats.ms / 1000), 1)} resources/s`)
    for (const s of [orgStats, groupStats, dsStats]) for (const [err, n] of [...s.errors].slice(0, 5)) console.log(`  error ×${n}: ${err}`)
    if (orgStats.failed + groupStats.failed + dsStats.failed > 0) console.log(`  server errors:\n${await serverErrors(serverLog)}`)
    if (names.length === 0) throw new Error('no dataset could be created: nothing to measure package_show on')
    const list = await callAction(server, token, 'package_list', {})
    console.log(`  package_list returns ${Array.isArray(list.body.result) ? list.body.result.length : '?'} names`)

    // A member of the largest organization reads its datasets once they are private, compared with
    // anonymous reads of the same datasets while public (same dicts, same sizes).
    const orgOf = new Map(records.map((r) => [r.name, r.organization?.name ?? r.owner_org ?? '']))
    const perOrg = new Map<string, string[]>()
    for (const n of names) perOrg.set(orgOf.get(n)!, [...(perOrg.get(orgOf.get(n)!) ?? []), n])
    const [memberOrg, privateNames] = [...perOrg].sort((a, b) => b[1].length - a[1].length)[0]
    const member = { name: 'bench-member', email: 'bench-member@example.org', password: 'bench-password-1' }
    const steps = [
      await callAction(server, token, 'user_create', member),
      await callAction(server, token, 'organization_member_create', { id: memberOrg, username: member.name, role: 'member' }),
      await callAction(server, token, 'api_token_create', { user: member.name, name: 'bench' }),
    ]
    const failedStep = steps.find((st) => st.status !== 200)
    if (failedStep) throw new Error(`could not set up the member: ${JSON.stringify(failedStep.body)}`)
    const memberToken = (steps[2].body.result as { token: string }).token
    const makePrivate = async () => {
      for (const n of privateNames) await callAction(server, token, 'package_patch', { id: n, private: true })
      const probe = await fetch(`${server.url}/api/3/action/package_show?id=${privateNames[0]}`)
      console.log(`  (${privateNames.length} datasets of ${memberOrg} made private; anonymous show now ${probe.status}; member bench-member reads them with a token)`)
    }

    // 4. throughput and latency
    const bare = await startServerProcess({ env: { PORT: String(await freePort()) }, script: path.join(REPO_ROOT, 'dist', 'scripts', 'bench-bare.js'), readyPath: '/' })
    servers.push(bare)
    const rotate = (list: string[]): autocannon.Request[] => {
      let i = 0
      return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/3/action/package_show?id=${encodeURIComponent(list[i++ % list.length])}` }) }]
    }
    console.log(`\nmeasuring (${fmt(6 * (duration + Math.min(2, duration)))} s)…`)
    const results = [
      await measure('bare Fastify', `${bare.url}/`),
      // the action pipeline without a query: what the framework, runner and envelope cost
      await measure('status_show', `${server.url}/api/3/action/status_show`),
      await measure('package_show', `${server.url}/api/3/action/package_show`, rotate(names)),
      await measure('show (anon, org)', `${server.url}/api/3/action/package_show`, rotate(privateNames)),
      await makePrivate().then(() => measure('show (member)', `${server.url}/api/3/action/package_show`, rotate(privateNames), { authorization: memberToken })),
      await measure('package_list', `${server.url}/api/3/action/package_list`),
    ]
    await bare.stop()

    const exit = await server.stop()
    if (exit.code !== 0) console.log(`! server exit after SIGTERM: ${JSON.stringify(exit)}`)
    // 5. more cold starts on the same, initialised DATA_DIR
    for (let n = 0; n < 3; n++) await (await start()).stop()

    const baseline = results[0].rps
    const show = results.find((r) => r.label === 'package_show')!
    const memberShow = results.find((r) => r.label === 'show (member)')!
    const orgShow = results.find((r) => r.label === 'show (anon, org)')!
    console.log(`\n${'route'.padEnd(14)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'vs bare'.padStart(9)}  target`)
    for (const r of results) {
      let target = ''
      if (r === show) {
        const ratioOk = r.rps / baseline >= TARGET_SHOW_RATIO
        target = `≥ ${TARGET_SHOW_RATIO * 100} % of bare: ${mark(ratioOk)}; p99 < ${TARGET_P99_MS} ms: ${mark(r.p99 < TARGET_P99_MS)}`
      }
      if (r === memberShow) {
        const ratio = r.rps / orgShow.rps
        target = `${fmt(100 * ratio)} % of anonymous reads of the same datasets; within 10 %: ${mark(ratio >= 0.9)}`
      }
      const bad = r.non2xx || r.errors ? `  (! ${r.non2xx} non-2xx, ${r.errors} errors)` : ''
      console.log(`${r.label.padEnd(14)}${fmt(r.rps).padStart(10)}${fmt(r.p50).padStart(9)}${fmt(r.p99).padStart(9)}${`${fmt((100 * r.rps) / baseline)} %`.padStart(9)}  ${target}${bad}`)
    }
    const cold = median(coldStarts)
    console.log(`\ncold start to ready (cluster initialised; spawn → status_show 200): median ${fmt(cold)} ms of ${coldStarts.map((ms) => fmt(ms)).join(', ')}; target < ${TARGET_COLD_START_MS} ms: ${mark(cold < TARGET_COLD_START_MS)}`)
    console.log(`corpus load: ${fmt(dsStats.ok + dsStats.existing)} datasets in ${seconds(dsStats.ms)} = ${fmt((dsStats.ok + dsStats.existing) / (dsStats.ms / 1000), 1)} datasets/s (${loadConcurrency} concurrent requests)`)
    return results.some((r) => r.non2xx || r.errors) || dsStats.failed ? 1 : 0
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined)
    if (env.BENCH_KEEP === '1') console.log(`DATA_DIR kept: ${dataDir}`)
    else await fs.rm(dataDir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
