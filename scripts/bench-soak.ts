/**
 * Soak benchmark (part of `npm run bench`; alone: `node dist/scripts/bench-soak.js`): a mixed
 * workload against the built server (its own process, as users run it) for SOAK_SECONDS (default
 * 600), at the concurrency where throughput stops growing, then checks that nothing degrades:
 * no errors at all, the last window's p99 within 20 % of the first window's, server RSS growth
 * under 10 %. Exits 1 when a target is missed.
 *
 * Mix (per request, at random): 80 % reads — package_show, package_search (q, fq, three facets),
 * organization_list, resource download (uploaded files); 15 % writes — package_create,
 * package_patch, resource_create and dataset_purge of the oldest datasets this run created (so the
 * catalogue stays the same size: a growing catalogue would slow searches down and read as drift);
 * 5 % uploads — multipart resource_create of 4 KiB to 512 KiB files.
 * Concurrency: SOAK_CONNECTIONS, else found by a ramp (1, 2, 4, … connections for
 * SOAK_RAMP_SECONDS each until req/s gains less than 5 %; the smallest count within 5 % of the best
 * is kept: more connections only queue). Windows: one minute (a quarter of the run when it is
 * shorter than four minutes). The server runs with METRICS=on and is scraped every 15 s, as
 * Prometheus would.
 *
 * Environment: SOAK_SECONDS (600), SOAK_WARMUP_SECONDS (30), SOAK_CONNECTIONS (ramp),
 * SOAK_RAMP_SECONDS (8), SOAK_DATASETS (seeded, 400), LOG_LEVEL (the server's, default info),
 * DATABASE_URL (external Postgres; default embedded in a temporary DATA_DIR), BENCH_KEEP=1 keeps
 * the DATA_DIR and its server.log.
 */
import { mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import autocannon from 'autocannon'
import { freePort, runCli, startServerProcess, type ServerProcess } from './lib/server-process.js'

const env = process.env
const soakSeconds = Number(env.SOAK_SECONDS ?? 600)
const warmupSeconds = Number(env.SOAK_WARMUP_SECONDS ?? 30)
const rampSeconds = Number(env.SOAK_RAMP_SECONDS ?? 8)
const fixedConnections = env.SOAK_CONNECTIONS ? Number(env.SOAK_CONNECTIONS) : null
const seedDatasets = Number(env.SOAK_DATASETS ?? 400)
const logLevel = env.LOG_LEVEL ?? 'info'
const external = env.DATABASE_URL ?? null

export const TARGET_P99_DRIFT = 0.2
export const TARGET_RSS_GROWTH = 0.1
/** run-created datasets kept alive: purges start above this many */
const SCRATCH_KEEP = 100

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED')
const pct = (x: number) => `${x >= 0 ? '+' : ''}${fmt(100 * x, 1)} %`

// ---------- deterministic data ----------

const WORDS = [
  'presupuesto',
  'salud',
  'educación',
  'transporte',
  'energía',
  'agua',
  'población',
  'empleo',
  'turismo',
  'ambiente',
  'vivienda',
  'seguridad',
  'cultura',
  'agricultura',
  'minería',
  'comercio',
  'obras',
  'licitaciones',
  'escuelas',
  'hospitales',
]
const PLACES = ['Córdoba', 'Mendoza', 'Salta', 'Rosario', 'Neuquén', 'Jujuy', 'Chubut', 'Misiones']
const FORMATS = ['CSV', 'JSON', 'XLSX', 'PDF']
const ORGS = ['soak-ministerio', 'soak-municipio', 'soak-instituto', 'soak-agencia']
/** upload sizes (bytes) and how often each is picked */
const UPLOAD_SIZES: [number, number][] = [
  [4 * 1024, 0.4],
  [32 * 1024, 0.3],
  [128 * 1024, 0.2],
  [512 * 1024, 0.1],
]

function datasetPayload(name: string, i: number): Record<string, unknown> {
  const w = (k: number) => WORDS[(i * 7 + k * 3) % WORDS.length]
  return {
    name,
    title: `${w(0)} y ${w(1)} en ${PLACES[i % PLACES.length]} ${2000 + (i % 25)}`,
    notes: `Datos de ${w(2)} de ${PLACES[(i + 3) % PLACES.length]}: series anuales de ${w(0)}.`,
    owner_org: ORGS[i % ORGS.length],
    tags: [{ name: w(0) }, { name: w(3) }, { name: PLACES[i % PLACES.length] }],
    resources: [0, 1].map((r) => ({ name: `${w(r)} ${2000 + r}`, url: `https://datos.example.org/${name}/${r}.csv`, format: FORMATS[(i + r) % FORMATS.length] })),
  }
}

/** CSV-looking bytes of the given size (compressible, like real uploads). */
function csvBytes(size: number, seed: number): Buffer {
  const line = `${seed},${WORDS[seed % WORDS.length]},${PLACES[seed % PLACES.length]},${(seed * 7919) % 100000}\n`
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size))
}

// ---------- HTTP helpers ----------

async function call(server: ServerProcess, token: string, name: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/api/3/action/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) })
  const json = (await res.json()) as { success: boolean; result: Record<string, unknown> }
  if (!json.success) throw new Error(`${name} failed (${res.status}): ${JSON.stringify(json).slice(0, 300)}`)
  return json.result
}

function multipart(fields: Record<string, string>, file: { name: string; bytes: Buffer }): { boundary: string; body: Buffer } {
  const boundary = `soak${Math.random().toString(36).slice(2)}`
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  const head = Buffer.from(`${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`)
  return { boundary, body: Buffer.concat([head, file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]) }
}

async function upload(server: ServerProcess, token: string, packageId: string, name: string, bytes: Buffer): Promise<Record<string, unknown>> {
  const { boundary, body } = multipart({ package_id: packageId, name }, { name: `${name}.csv`, bytes })
  const res = await fetch(`${server.url}/api/3/action/resource_create`, { method: 'POST', headers: { authorization: token, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: new Uint8Array(body) })
  const json = (await res.json()) as { success: boolean; result: Record<string, unknown> }
  if (!json.success) throw new Error(`upload failed (${res.status}): ${JSON.stringify(json).slice(0, 300)}`)
  return json.result
}

/** The server's JS heap in use and its external (Buffer) memory, MiB, from its /metrics. */
async function heapMb(server: ServerProcess): Promise<{ heap: number; external: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024
  return { heap: read('nodejs_heap_size_used_bytes'), external: read('nodejs_external_memory_bytes') }
}

/** Resident set of a process in MiB, from /proc; null where there is no /proc. */
function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

// ---------- the workload ----------

type Kind = 'show' | 'search' | 'org_list' | 'download' | 'create' | 'patch' | 'resource_create' | 'purge' | 'upload'
const MIX: [Kind, number][] = [
  ['show', 0.28],
  ['search', 0.24],
  ['org_list', 0.1],
  ['download', 0.18],
  ['create', 0.04],
  ['purge', 0.04],
  ['patch', 0.04],
  ['resource_create', 0.03],
  ['upload', 0.05],
]
const READS = new Set<Kind>(['show', 'search', 'org_list', 'download'])

interface Scratch {
  name: string
  inflight: number
}

interface Context {
  kind?: Kind
  scratch?: Scratch
  started?: number
}

interface KindStats {
  count: number
  errors: number
  latencies: number[]
}

interface Failure {
  kind: Kind
  status: number
  body: string
}

/**
 * Builds each request at random from the mix. Writes that target a run-created dataset track it
 * as in flight, and a purge only takes the oldest dataset nothing is in flight for, so no request
 * races a purge of its own dataset (that 404 would be the benchmark's fault, not the server's).
 */
class Workload {
  private seq = 0
  private readonly scratch: Scratch[] = []
  stats = new Map<Kind, KindStats>()
  failures: Failure[] = []
  private readonly uploadFiles = UPLOAD_SIZES.map(([size]) => csvBytes(size, size))

  constructor(
    private readonly token: string,
    private readonly runId: string,
    private readonly seeds: string[],
    private readonly downloads: string[],
  ) {}

  resetStats(): Map<Kind, KindStats> {
    const old = this.stats
    this.stats = new Map()
    return old
  }

  private pick<T>(weighted: [T, number][]): T {
    let r = Math.random()
    for (const [v, w] of weighted) if ((r -= w) < 0) return v
    return weighted[weighted.length - 1][0]
  }

  private any<T>(list: T[]): T {
    return list[Math.floor(Math.random() * list.length)]
  }

  private json(path: string, body: unknown) {
    return { method: 'POST' as const, path: `/api/3/action/${path}`, headers: { 'content-type': 'application/json', authorization: this.token }, body: JSON.stringify(body) }
  }

  private get(path: string) {
    return { method: 'GET' as const, path, headers: {}, body: Buffer.alloc(0) }
  }

  private liveScratch(): Scratch | undefined {
    return this.scratch.length ? this.any(this.scratch) : undefined
  }

  setup(ctx: Context): autocannon.Request {
    let kind = this.pick(MIX)
    let target: Scratch | undefined
    if (kind === 'purge') {
      const idx = this.scratch.length > SCRATCH_KEEP ? this.scratch.findIndex((s) => s.inflight === 0) : -1
      if (idx < 0) kind = 'create'
      else target = this.scratch.splice(idx, 1)[0]
    }
    if ((kind === 'resource_create' || kind === 'upload') && (target = this.liveScratch()) === undefined) kind = 'create'
    if (target) target.inflight++
    ctx.kind = kind
    ctx.scratch = target
    ctx.started = performance.now()
    const n = this.seq++
    switch (kind) {
      case 'show':
        return this.get(`/api/3/action/package_show?id=${this.any(this.seeds)}`)
      case 'search': {
        const params = new URLSearchParams({ q: this.any(WORDS), rows: '10', 'facet.field': '["organization","tags","res_format"]' })
        if (n % 3 === 0) params.set('fq', `organization:${this.any(ORGS)}`)
        if (n % 5 === 0) params.set('sort', 'metadata_modified desc')
        return this.get(`/api/3/action/package_search?${params}`)
      }
      case 'org_list':
        return this.get(n % 2 ? '/api/3/action/organization_list' : '/api/3/action/organization_list?all_fields=true&limit=25')
      case 'download':
        return this.get(this.any(this.downloads))
      case 'create':
        return this.json('package_create', datasetPayload(`soak-${this.runId}-${n}`, n))
      case 'purge':
        return this.json('dataset_purge', { id: target!.name })
      case 'patch':
        return this.json('package_patch', { id: this.any(this.seeds), notes: `Revisado ${n}: ${this.any(WORDS)} ${this.any(PLACES)}` })
      case 'resource_create':
        return this.json('resource_create', { package_id: target!.name, name: `recurso ${n}`, url: `https://datos.example.org/r/${n}.json`, format: 'JSON' })
      case 'upload': {
        const i = UPLOAD_SIZES.indexOf(this.pick(UPLOAD_SIZES.map((s) => [s, s[1]] as [[number, number], number])))
        const { boundary, body } = multipart({ package_id: target!.name, name: `archivo ${n}` }, { name: `archivo-${n}.csv`, bytes: this.uploadFiles[i] })
        return { method: 'POST', path: '/api/3/action/resource_create', headers: { authorization: this.token, 'content-type': `multipart/form-data; boundary=${boundary}` }, body }
      }
    }
  }

  done(status: number, body: string, ctx: Context): void {
    const kind = ctx.kind!
    if (ctx.scratch) ctx.scratch.inflight--
    let s = this.stats.get(kind)
    if (!s) this.stats.set(kind, (s = { count: 0, errors: 0, latencies: [] }))
    s.count++
    s.latencies.push(performance.now() - ctx.started!)
    if (status < 200 || status > 299) {
      s.errors++
      if (this.failures.length < 20) this.failures.push({ kind, status, body: body.slice(0, 300) })
      return
    }
    if (kind === 'create') {
      const m = /"name":"(soak-[^"]+)"/.exec(body)
      if (m) this.scratch.push({ name: m[1], inflight: 0 })
    }
  }

  requests(): autocannon.Request[] {
    return [
      {
        setupRequest: (_req, ctx) => this.setup(ctx as Context) as autocannon.Request,
        onResponse: (status, body, ctx) => this.done(status, body, ctx as Context),
      },
    ]
  }
}

interface Window {
  index: number
  seconds: number
  requests: number
  rps: number
  p50: number
  p99: number
  errors: number
  rss: number[]
  heap: number
  external: number
  kinds: Map<Kind, KindStats>
}

function run(server: ServerProcess, work: Workload, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: server.url, connections, duration: seconds, timeout: 30, requests: work.requests() }, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

const errorsOf = (r: autocannon.Result) => r.non2xx + r.errors + r.timeouts
const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const median = (xs: number[]) => percentile(xs, 50)

async function rampUp(server: ServerProcess, work: Workload): Promise<{ connections: number; table: string[] }> {
  const table: string[] = []
  let best = 0
  const results: { c: number; rps: number }[] = []
  for (const c of [1, 2, 4, 8, 16, 32, 64]) {
    const r = await run(server, work, c, rampSeconds)
    const rps = r.requests.average
    table.push(`  ${String(c).padStart(3)} connections: ${fmt(rps).padStart(6)} req/s, p99 ${fmt(r.latency.p99)} ms${errorsOf(r) ? `, ${errorsOf(r)} errors` : ''}`)
    results.push({ c, rps })
    if (rps < best * 1.05) break
    best = Math.max(best, rps)
  }
  best = Math.max(...results.map((r) => r.rps))
  return { connections: results.find((r) => r.rps >= best * 0.95)!.c, table }
}

export async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'abierto-soak-'))
  const dataDir = path.join(work, 'data')
  const serverLog = path.join(work, 'server.log')
  const serverEnv: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: logLevel, METRICS: 'on', WRITE_RATE_LIMIT_PER_MINUTE: '0', ...(external ? { DATABASE_URL: external } : {}) }
  const cpus = os.cpus()
  const windowSeconds = soakSeconds >= 240 ? 60 : Math.max(5, Math.round(soakSeconds / 4))
  console.log(
    `\nsoak: ${fmt(soakSeconds)} s mixed workload (80 % reads, 15 % writes, 5 % uploads) in ${windowSeconds} s windows; node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, load average ${os
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}`,
  )
  console.log(`  database: ${external ? 'external (DATABASE_URL)' : 'embedded Postgres'}; server LOG_LEVEL=${logLevel}, METRICS=on; work dir ${work}`)
  let server: ServerProcess | null = null
  let scraper: NodeJS.Timeout | null = null
  let sampler: NodeJS.Timeout | null = null
  try {
    const cli = await runCli(['sysadmin', 'add', 'soak'], serverEnv, 120_000)
    if (cli.code !== 0) throw new Error(`abierto sysadmin add soak failed: ${cli.stderr}`)
    const token = cli.stdout.trim().split('\n')[1]
    server = await startServerProcess({ env: { ...serverEnv, PORT: String(await freePort()) }, logFile: serverLog, timeoutMs: 60_000 })
    const pid = server.child.pid!

    // seed: organizations, datasets (4 at a time), files to download
    const seedStarted = performance.now()
    for (const org of ORGS) await call(server, token, 'organization_create', { name: org, title: org })
    const seeds: string[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < seedDatasets) {
          const i = next++
          await call(server!, token, 'package_create', datasetPayload(`seed-${i}`, i))
          seeds.push(`seed-${i}`)
        }
      }),
    )
    const downloads: string[] = []
    for (let i = 0; i < 24; i++) {
      const [size] = UPLOAD_SIZES[i % UPLOAD_SIZES.length]
      const r = await upload(server, token, seeds[i], `descarga-${i}`, csvBytes(size, i))
      downloads.push(new URL(String(r.url)).pathname)
    }
    console.log(`  seeded ${seeds.length} datasets, ${downloads.length} uploaded files in ${fmt((performance.now() - seedStarted) / 1000, 1)} s`)

    const workload = new Workload(token, Date.now().toString(36), seeds, downloads)
    let connections: number
    if (fixedConnections) {
      connections = fixedConnections
      console.log(`  connections: ${connections} (SOAK_CONNECTIONS)`)
    } else {
      const ramp = await rampUp(server, workload)
      connections = ramp.connections
      console.log(`  ramp (${rampSeconds} s a step):\n${ramp.table.join('\n')}\n  connections: ${connections} (the fewest within 5 % of the best req/s)`)
    }
    const rampErrors = [...workload.resetStats().values()].reduce((n, s) => n + s.errors, 0)
    if (warmupSeconds > 0) await run(server, workload, connections, warmupSeconds)
    const warmupErrors = [...workload.resetStats().values()].reduce((n, s) => n + s.errors, 0) + rampErrors
    const warmupFailures = workload.failures.splice(0)

    // Prometheus-like scrapes and RSS samples through the measured part
    let scrapes = 0
    const scrapeFailures: string[] = []
    scraper = setInterval(() => {
      fetch(`${server!.url}/metrics`)
        .then(async (res) => {
          await res.arrayBuffer()
          scrapes++
          if (res.status !== 200) scrapeFailures.push(`HTTP ${res.status}`)
        })
        .catch((err: unknown) => scrapeFailures.push(String(err)))
    }, 15_000)
    let rss: number[] = []
    sampler = setInterval(() => {
      const v = rssMb(pid)
      if (v !== null) rss.push(v)
    }, 2_000)

    const windows: Window[] = []
    const rssStart = rssMb(pid)
    for (let elapsed = 0, i = 1; elapsed < soakSeconds; i++) {
      const seconds = Math.min(windowSeconds, soakSeconds - elapsed)
      const r = await run(server, workload, connections, seconds)
      const v = rssMb(pid)
      if (v !== null) rss.push(v)
      const { heap, external } = await heapMb(server)
      windows.push({ index: i, seconds, requests: r.requests.total, rps: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99, errors: errorsOf(r), rss, heap, external, kinds: workload.resetStats() })
      rss = []
      elapsed += seconds
    }
    clearInterval(scraper)
    clearInterval(sampler)
    const rssEnd = rssMb(pid)

    // summary
    console.log(`\n${'window'.padEnd(8)}${'requests'.padStart(10)}${'req/s'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'errors'.padStart(8)}${'RSS MiB'.padStart(9)}${'heap MiB'.padStart(10)}${'ext MiB'.padStart(9)}`)
    for (const w of windows) {
      console.log(
        `${String(w.index).padEnd(8)}${fmt(w.requests).padStart(10)}${fmt(w.rps).padStart(8)}${fmt(w.p50).padStart(8)}${fmt(w.p99).padStart(8)}${fmt(w.errors).padStart(8)}${fmt(median(w.rss)).padStart(9)}${fmt(w.heap).padStart(10)}${fmt(w.external).padStart(9)}`,
      )
    }
    const all = new Map<Kind, KindStats>()
    for (const w of windows) {
      for (const [k, s] of w.kinds) {
        const a = all.get(k) ?? { count: 0, errors: 0, latencies: [] }
        a.count += s.count
        a.errors += s.errors
        a.latencies.push(...s.latencies)
        all.set(k, a)
      }
    }
    const total = windows.reduce((n, w) => n + w.requests, 0)
    console.log(`\n${'kind'.padEnd(16)}${'requests'.padStart(10)}${'share'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'errors'.padStart(8)}   (client-side timings)`)
    for (const [k] of MIX) {
      const s = all.get(k)
      if (!s) continue
      console.log(
        `${k.padEnd(16)}${fmt(s.count).padStart(10)}${`${fmt((100 * s.count) / total, 1)} %`.padStart(8)}${fmt(percentile(s.latencies, 50), 1).padStart(8)}${fmt(percentile(s.latencies, 99), 1).padStart(8)}${fmt(s.errors).padStart(8)}`,
      )
    }
    const reads = [...all].filter(([k]) => READS.has(k)).reduce((n, [, s]) => n + s.count, 0)
    const uploads = all.get('upload')?.count ?? 0
    console.log(`  mix: ${fmt((100 * reads) / total, 1)} % reads, ${fmt((100 * (total - reads - uploads)) / total, 1)} % writes, ${fmt((100 * uploads) / total, 1)} % uploads`)

    const errors = windows.reduce((n, w) => n + w.errors, 0) + scrapeFailures.length
    const first = windows[0]
    const last = windows[windows.length - 1]
    const drift = (last.p99 - first.p99) / first.p99
    const start = median(first.rss.length ? first.rss : [rssStart ?? NaN])
    const end = median(last.rss.length ? last.rss : [rssEnd ?? NaN])
    const growth = (end - start) / start
    const errorsOk = errors === 0
    const driftOk = drift <= TARGET_P99_DRIFT
    const rssOk = Number.isFinite(growth) && growth < TARGET_RSS_GROWTH
    console.log(`\ntotal: ${fmt(total)} requests in ${fmt(soakSeconds)} s = ${fmt(total / soakSeconds)} req/s with ${connections} connections; /metrics scraped ${scrapes} times`)
    console.log(`errors: ${fmt(errors)} (non-2xx, socket errors, timeouts, failed scrapes); target 0: ${mark(errorsOk)}${warmupErrors ? `  [and ${warmupErrors} during ramp/warm-up]` : ''}`)
    console.log(`p99: first window ${fmt(first.p99)} ms, last ${fmt(last.p99)} ms (${pct(drift)}); target ≤ +${TARGET_P99_DRIFT * 100} %: ${mark(driftOk)}`)
    console.log(
      `server RSS (median of each window's samples): first window ${fmt(start, 1)} MiB, last ${fmt(end, 1)} MiB (${pct(growth)}); after warm-up ${fmt(rssStart ?? NaN, 1)} MiB, at the end ${fmt(rssEnd ?? NaN, 1)} MiB, peak ${fmt(Math.max(...windows.flatMap((w) => w.rss)), 1)} MiB; target < +${TARGET_RSS_GROWTH * 100} %: ${mark(rssOk)}`,
    )
    for (const f of [...warmupFailures, ...workload.failures].slice(0, 10)) console.log(`  ! ${f.kind}: HTTP ${f.status} ${f.body}`)
    for (const f of scrapeFailures.slice(0, 5)) console.log(`  ! /metrics: ${f}`)
    if (windows.length < 2) console.log('  (one window only: drift compares it with itself)')
    return errorsOk && driftOk && rssOk ? 0 : 1
  } finally {
    if (scraper) clearInterval(scraper)
    if (sampler) clearInterval(sampler)
    const exit = await server?.stop().catch(() => null)
    if (exit && exit.code !== 0) console.log(`! server exit after SIGTERM: ${JSON.stringify(exit)}`)
    if (env.BENCH_KEEP === '1') console.log(`work dir kept: ${work}`)
    else await fs.rm(work, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench-soak: ${err instanceof Error ? err.message : String(err)}`)
      process.exit(1)
    },
  )
}
