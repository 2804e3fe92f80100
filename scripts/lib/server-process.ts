/**
 * Runs the BUILT server and CLI as child processes, exactly as README.md tells users to
 * (`node dist/src/cli.js …`). Used by test/server/*.test.ts and scripts/bench.ts.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root: this file runs as dist/scripts/lib/server-process.js. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const CLI = path.join(REPO_ROOT, 'dist', 'src', 'cli.js')

/** Variables read by src/config.ts: stripped from the inherited environment so runs are hermetic. */
const CONFIG_VARS = [
  'PORT',
  'HOST',
  'SITE_URL',
  'DATA_DIR',
  'DATABASE_URL',
  'STORAGE',
  'SEARCH',
  'MAX_RESOURCE_SIZE_MB',
  'LOG_LEVEL',
  'METRICS',
  'METRICS_TOKEN',
  'BODY_LIMIT_MB',
  'SITE_TITLE',
  'SITE_DESCRIPTION',
  'SITEMAP_URLS_PER_FILE',
  'SITE_LOCALE',
  'SITE_LOGO',
  'SITE_INTRO',
  'THEME_COLOR',
  'THEME_DIR',
  'CREATE_UNOWNED_DATASET',
  'CACHE_MB',
  'TRUST_PROXY',
  'CREATE_USER_VIA_API',
  'AUTH_RATE_LIMIT_PER_MINUTE',
  'WRITE_RATE_LIMIT_PER_MINUTE',
  'FETCH_ALLOW_PRIVATE',
  'ALLOW_DATASET_COLLABORATORS',
  'ALLOW_ADMIN_COLLABORATORS',
  'S3_ENDPOINT',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'S3_BUCKET',
  'S3_REGION',
  'S3_PROXY_DOWNLOADS',
  'MEILISEARCH_URL',
  'MEILISEARCH_API_KEY',
  'MEILISEARCH_INDEX',
]

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env }
  for (const k of CONFIG_VARS) delete out[k]
  // under tap, NODE_OPTIONS preloads its process-tracking hooks: the child must run as users run it
  for (const k of Object.keys(out)) if (k === 'NODE_OPTIONS' || k === 'NODE_V8_COVERAGE' || k.startsWith('TAP') || k.startsWith('_TAPJS_')) delete out[k]
  return { ...out, ...env }
}

/**
 * Spawns `node ARGS` as users run it. Under tap, a hook re-adds tap's process-tracking loader to
 * NODE_OPTIONS on every spawn, whatever env is passed, and it doubles a child's start-up time;
 * `env -u NODE_OPTIONS` (which then execs node, same pid) drops it after that hook has run.
 */
export function spawnNode(args: string[], options: SpawnOptions): ChildProcess {
  return spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, ...args], options)
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** `node dist/src/cli.js ARGS` to completion. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnNode([CLI, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

export interface ServerProcess {
  child: ChildProcess
  url: string
  /** Milliseconds from spawn until status_show answered 200. */
  readyMs: number
  /** Everything the process wrote so far (empty when started with `logFile`). */
  output(): string
  /** SIGTERM (or `signal`), then waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface StartOptions {
  /** Configuration for the child (PORT is required: the URL is built from it). */
  env: Record<string, string> & { PORT: string }
  /** Script and arguments to run instead of `dist/src/cli.js serve`. */
  script?: string
  args?: string[]
  /** GET path that answers 200 once the server is ready. */
  readyPath?: string
  /** Append the child's stdout and stderr (request logs) to this file instead of keeping them in memory. */
  logFile?: string
  timeoutMs?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Spawns `node dist/src/cli.js serve` and resolves once GET status_show (or `readyPath`) answers 200. */
export async function startServerProcess(opts: StartOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${opts.env.PORT}`
  const started = performance.now()
  const readyUrl = `${url}${opts.readyPath ?? '/api/3/action/status_show'}`
  const logFd = opts.logFile ? openSync(opts.logFile, 'a') : null
  const child = spawnNode([opts.script ?? CLI, ...(opts.args ?? (opts.script ? [] : ['serve']))], {
    cwd: REPO_ROOT,
    env: childEnv(opts.env),
    stdio: logFd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
  })
  if (logFd !== null) closeSync(logFd)
  let out = ''
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()))
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))))

  const deadline = started + (opts.timeoutMs ?? 30_000)
  let readyMs = -1
  while (readyMs < 0) {
    if (exit) throw new Error(`server exited (${JSON.stringify(exit)}) before answering:\n${opts.logFile ? `see ${opts.logFile}` : out}`)
    if (performance.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not answer within ${opts.timeoutMs ?? 30_000} ms:\n${opts.logFile ? `see ${opts.logFile}` : out}`)
    }
    try {
      const res = await fetch(readyUrl)
      await res.arrayBuffer()
      if (res.status === 200) readyMs = performance.now() - started
    } catch {
      // not listening yet
    }
    if (readyMs < 0) await sleep(10)
  }

  return {
    child,
    url,
    readyMs,
    output: () => out,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (!exit) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const result = await exited
      clearTimeout(timer)
      return result
    },
  }
}
