/**
 * `node dist/scripts/bench-ckanapi-load.js`: the real CKAN client loading a catalogue into a BUILT
 * server over HTTP, as a publisher migrating from CKAN would:
 *   ckanapi load datasets -p 4 -I FILE -r URL -a TOKEN
 * against `node dist/src/cli.js serve` on a fresh embedded Postgres. ckanapi does, per record,
 * package_show by id, package_show by name when the id is unknown, then package_create or
 * package_update. Two passes over the same file:
 *   - create: an empty catalogue (the organizations and groups the records name exist),
 *   - update: the same file again, every record found and updated.
 * Prints datasets/s for each (target ≥ 150) and the load average, which on a shared machine is
 * most of the noise.
 *
 * Environment: CORPUS_FILE (ckanapi dump, JSON lines; required), BENCH_CKANAPI_DATASETS (default:
 * the corpus' size; more are copies with fresh ids and names), BENCH_CKANAPI_PROCESSES (default 4),
 * CKANAPI (the client; default ../shared/clients/ckanapi.sh beside the repository),
 * BENCH_CKANAPI_SHOWS=DIR (writes every dataset's package_show after each pass, timestamps and
 * generated ids blanked, to compare two builds), BENCH_KEEP=1 (keep DATA_DIR and the client's logs).
 * The server runs with its default configuration but for two variables, passed through when set:
 * WRITE_RATE_LIMIT_PER_MINUTE (the client loads with a sysadmin's token, which the limit leaves
 * alone) and DATASTORE_AUTO_LOAD (false here unless set: with it the job worker would fetch every CSV
 * of the catalogue in the background, which measures the network, not the API).
 * On Linux it also prints the CPU the server and its Postgres spent per dataset, which the load
 * average hardly moves: on a shared machine, the figure to compare builds with.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, promises as fs, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { foreignId, stableUuid } from '../src/bulk/stable-id.js'
import { freePort, REPO_ROOT, startServerProcess, type ServerProcess } from './lib/server-process.js'
import { benchCorpusFile, loadCorpusGroups, readCorpus, type Dict } from './lib/corpus.js'
import { treeCpuMs } from './lib/process-cpu.js'

const env = process.env
const corpusPath = benchCorpusFile()
const processes = Number(env.BENCH_CKANAPI_PROCESSES ?? 4)
const client = env.CKANAPI ?? path.resolve(REPO_ROOT, '../shared/clients/ckanapi.sh')
const TARGET_RATE = 150
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/**
 * Copy `n` of a record as a CKAN dump carries it: UUID ids (CKAN 2.11 refuses others; the corpus has
 * datos.gob.ar's "jgm_1"), derived from the original ones. Copies past the first get fresh names.
 */
function replica(rec: Dict, n: number): Dict {
  if (n === 0) return { ...rec, id: foreignId(rec.id), resources: rec.resources.map((r: Dict) => ({ ...r, id: foreignId(r.id) })) }
  return {
    ...rec,
    id: stableUuid(`ckanapi-bench-${rec.id}-${n}`),
    name: `${rec.name.slice(0, 90)}-${n}`,
    title: `${rec.title} (${n})`,
    resources: rec.resources.map((r: Dict, i: number) => ({ ...r, id: stableUuid(`ckanapi-bench-${rec.id}-${n}-${i}`) })),
  }
}

async function action(server: ServerProcess, token: string, name: string, body: Dict): Promise<unknown> {
  const res = await fetch(`${server.url}/api/3/action/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) })
  const json = (await res.json()) as Dict
  if (!json.success) throw new Error(`${name}: ${res.status} ${JSON.stringify(json.error)}`)
  return json.result
}

interface Pass {
  seconds: number
  counts: Record<string, number>
  errors: Map<string, number>
}

/** One `ckanapi load datasets` run; its --log (one JSON line per record) says what each record got. */
async function runClient(server: ServerProcess, token: string, file: string, log: string, bin: string): Promise<Pass> {
  await fs.rm(log, { force: true })
  const started = performance.now()
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(client, ['load', 'datasets', '-p', String(processes), '-q', '-I', file, '-l', log, '-r', server.url, '-a', token], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
    })
    child.once('error', reject)
    child.once('close', resolve)
  })
  const seconds = (performance.now() - started) / 1000
  // exit 3 = some records failed: counted below
  if (code !== 0 && code !== 3) throw new Error(`ckanapi exited with ${code}`)
  const counts: Record<string, number> = {}
  const errors = new Map<string, number>()
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const [, , act, error, response] = JSON.parse(line) as [string, string, string, string | null, unknown]
    const key = error ? 'failed' : act
    counts[key] = (counts[key] ?? 0) + 1
    if (error) {
      const what = `${act} ${error}: ${JSON.stringify(response).slice(0, 200)}`
      errors.set(what, (errors.get(what) ?? 0) + 1)
    }
  }
  return { seconds, counts, errors }
}

/** Every dataset's package_show with what differs from run to run (timestamps, ids made up here) blanked. */
async function writeShows(server: ServerProcess, token: string, names: string[], file: string): Promise<void> {
  const GENERATED = /^(id|package_id|revision_id|creator_user_id|metadata_created|metadata_modified|created|last_modified|owner_org)$/
  const blank = (v: unknown): unknown => (Array.isArray(v) ? v.map(blank) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, GENERATED.test(k) && typeof x === 'string' ? '…' : blank(x)])) : v)
  const lines: string[] = []
  for (const name of names) lines.push(JSON.stringify(blank(await action(server, token, 'package_show', { id: name }))))
  await fs.writeFile(file, lines.join('\n') + '\n')
}

function reportCpu(pid: number, before: Map<string, number> | null, total: number): Map<string, number> | null {
  const after = treeCpuMs(pid)
  if (!before || !after) return after
  const parts = [...after].map(([name, ms]) => [name, (ms - (before.get(name) ?? 0)) / total] as const).filter(([, ms]) => ms > 0)
  const sum = parts.reduce((a, [, ms]) => a + ms, 0)
  console.log(`    server CPU per dataset: ${fmt(sum, 1)} ms (${parts.map(([name, ms]) => `${name} ${fmt(ms, 1)}`).join(', ')})`)
  return after
}

function report(what: string, pass: Pass, total: number): boolean {
  const done = (pass.counts.create ?? 0) + (pass.counts.update ?? 0)
  const rate = done / pass.seconds
  const kinds = Object.entries(pass.counts)
    .map(([k, n]) => `${fmt(n)} ${k}`)
    .join(', ')
  console.log(`  ${what}: ${kinds} in ${fmt(pass.seconds, 1)} s = ${fmt(rate)} datasets/s  (target ${TARGET_RATE}: ${rate >= TARGET_RATE ? 'ok' : 'MISSED'}; load average ${loadAverage()})`)
  for (const [e, n] of pass.errors) console.log(`    ${n} × ${e}`)
  return done === total && pass.errors.size === 0
}

async function main(): Promise<number> {
  if (!existsSync(client)) throw new Error(`no ckanapi client at ${client} (set CKANAPI)`)
  const records = readCorpus(corpusPath)
  const total = Number(env.BENCH_CKANAPI_DATASETS ?? records.length)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-ckanapi-'))
  const dataDir = path.join(dir, 'data')
  let server: ServerProcess | null = null
  try {
    const file = path.join(dir, 'datasets.jsonl')
    const copies = Array.from({ length: total }, (_, n) => replica(records[n % records.length], Math.floor(n / records.length)))
    await fs.writeFile(file, copies.map((r) => JSON.stringify(r)).join('\n') + '\n')
    console.log(`\nckanapi load benchmark: ${fmt(total)} datasets from ${path.basename(corpusPath)}, ckanapi load datasets -p ${processes} over HTTP (load average ${loadAverage()})`)

    const rateLimit: Record<string, string> = env.WRITE_RATE_LIMIT_PER_MINUTE !== undefined ? { WRITE_RATE_LIMIT_PER_MINUTE: env.WRITE_RATE_LIMIT_PER_MINUTE } : {}
    const serverEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: String(await freePort()), DATASTORE_AUTO_LOAD: env.DATASTORE_AUTO_LOAD ?? 'false', ...rateLimit }
    server = await startServerProcess({ env: serverEnv, logFile: path.join(dir, 'server.log'), timeoutMs: 120_000 })
    const token = readFileSync(path.join(dataDir, 'sysadmin.token'), 'utf8').trim()
    const s = server
    await loadCorpusGroups((name, body) => action(s, token, name, body ?? {}), records)

    const shows = env.BENCH_CKANAPI_SHOWS
    if (shows) await fs.mkdir(shows, { recursive: true })
    // the parent starts its workers as `ckanapi load … --worker`, found on PATH
    const bin = path.join(dir, 'bin')
    await fs.mkdir(bin)
    await fs.writeFile(path.join(bin, 'ckanapi'), `#!/bin/sh\nexec '${client}' "$@"\n`, { mode: 0o755 })
    const names = copies.map((r) => r.name as string)
    const pid = server.child.pid!
    let cpu = treeCpuMs(pid)
    const create = await runClient(server, token, file, path.join(dir, 'create.log'), bin)
    const createOk = report('create pass', create, total)
    cpu = reportCpu(pid, cpu, total)
    if (shows) await writeShows(server, token, names, path.join(shows, 'create.jsonl'))
    const update = await runClient(server, token, file, path.join(dir, 'update.log'), bin)
    const updateOk = report('update pass', update, total)
    reportCpu(pid, cpu, total)
    if (shows) await writeShows(server, token, names, path.join(shows, 'update.jsonl'))
    return createOk && updateOk ? 0 : 1
  } finally {
    await server?.stop()
    if (env.BENCH_KEEP === '1') console.log(`kept ${dir}`)
    else await fs.rm(dir, { recursive: true, force: true })
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench-ckanapi-load: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)
