/**
 * Unattended restarts after a crash: `kill -9` of `abierto serve` or `abierto load` must not leave
 * the embedded Postgres running (its watchdog stops it), a next start must cope with an orphaned
 * postmaster or a stale lock file, and a postmaster killed under a running server is restarted
 * in-process. Real processes and real signals; Linux (/proc) to see them.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { stopDetached } from '../../src/db/embedded.js'
import { CLI, REPO_ROOT, childEnv, freePort, runCli, startServerProcess, type ServerProcess } from '../../scripts/lib/server-process.js'
import { poll } from '../helpers/poll.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-crash-'))
const pgBase = path.join(dataDir, 'postgres')
const pidFile = path.join(pgBase, 'pgdata', 'postmaster.pid')
const tokenFile = path.join(dataDir, 'sysadmin.token')

const running = new Set<ServerProcess>()
const extraPids: number[] = []
t.teardown(async () => {
  for (const s of running) await s.stop('SIGKILL')
  for (const pid of extraPids) kill(pid, 'SIGKILL')
  await stopDetached(pgBase)
  await fs.rm(dataDir, { recursive: true, force: true })
})

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

/** Running, and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat[stat.lastIndexOf(')') + 2] !== 'Z'
  } catch {
    return false
  }
}

const postmasterPid = () => Number(readFileSync(pidFile, 'utf8').split('\n')[0])

/** The watchdog shell guarding `pgPid`, found through /proc. */
function watchdogOf(pgPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (argv.includes('abierto-pg-watchdog') && argv.includes(String(pgPid))) return Number(entry)
    } catch {
      // exited meanwhile
    }
  }
  return undefined
}

async function start(): Promise<ServerProcess> {
  // the harvest job of the outage test points at a closed local port: it must be reachable to fail there
  const server = await startServerProcess({ env: { PORT: String(await freePort()), DATA_DIR: dataDir, FETCH_ALLOW_PRIVATE: '127.0.0.1' }, timeoutMs: 60_000 })
  running.add(server)
  return server
}

async function stopClean(t: Test, server: ServerProcess): Promise<void> {
  t.same(await server.stop(), { code: 0, signal: null }, 'SIGTERM: clean exit')
  running.delete(server)
  t.notOk(existsSync(pidFile), 'the cluster stopped with it')
}

async function action(server: ServerProcess, name: string, body?: unknown): Promise<{ status: number; body: any }> {
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : ''
  const res = await fetch(`${server.url}/api/3/action/${name}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

t.test('kill -9 of abierto serve: Postgres follows it, and a restart serves', async (t) => {
  const first = await start()
  t.equal((await action(first, 'organization_create', { name: 'antes' })).status, 200)
  const pg = postmasterPid()
  t.ok(alive(pg), 'postmaster running')
  t.ok(watchdogOf(pg), 'a watchdog guards it')
  t.same(await first.stop('SIGKILL'), { code: null, signal: 'SIGKILL' })
  running.delete(first)
  const killed = Date.now()
  await poll('the orphaned postmaster to exit', () => (alive(pg) ? undefined : true), 90_000)
  t.pass('the postmaster exited after its owner was killed')
  t.comment(`postmaster gone ${Date.now() - killed} ms after its owner's SIGKILL`)

  const second = await start()
  t.not(postmasterPid(), pg, 'a new postmaster')
  t.same((await action(second, 'organization_list')).body.result, ['antes'], 'the data survived')
  await stopClean(t, second)
})

t.test('an orphaned postmaster (watchdog killed too) is stopped by the next start', async (t) => {
  const first = await start()
  const pg = postmasterPid()
  const guard = watchdogOf(pg)
  t.ok(guard, 'watchdog found')
  kill(guard!, 'SIGKILL')
  await poll('the watchdog to die', () => (alive(guard!) ? undefined : true), 90_000)
  await first.stop('SIGKILL')
  running.delete(first)
  t.ok(alive(pg), 'nothing stopped the postmaster: it is an orphan holding the data directory')

  const second = await start()
  t.notOk(alive(pg), 'the next start stopped the orphan')
  t.not(postmasterPid(), pg)
  t.equal((await action(second, 'status_show')).status, 200)
  t.same((await action(second, 'organization_list')).body.result, ['antes'])
  await stopClean(t, second)
})

t.test('a stale postmaster.pid naming a live process that is not Postgres is removed', async (t) => {
  const first = await start()
  const lockText = readFileSync(pidFile, 'utf8')
  await stopClean(t, first)
  // a pid reused after a crash (reboot, container restart): Postgres itself would refuse to start
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  extraPids.push(other.pid!)
  await fs.writeFile(pidFile, lockText.replace(/^\d+/, String(other.pid)))
  const second = await start()
  t.equal((await action(second, 'status_show')).status, 200, 'the server came up')
  t.ok(alive(other.pid!), 'the unrelated process was left alone')
  t.not(postmasterPid(), other.pid)
  await stopClean(t, second)
  other.kill('SIGKILL')
})

t.test('kill -9 of abierto load: Postgres follows it, the next command runs', async (t) => {
  // `load -` waits on stdin: a long load, killed in the middle
  const child = spawn(process.execPath, [CLI, 'load', '-'], { cwd: REPO_ROOT, env: childEnv({ DATA_DIR: dataDir }), stdio: ['pipe', 'ignore', 'ignore'] })
  extraPids.push(child.pid!)
  const exited = new Promise((r) => child.once('exit', r))
  const owner = path.join(pgBase, 'owner.pid')
  await poll('load to start its cluster', () => (existsSync(owner) && readFileSync(owner, 'utf8').trim() === String(child.pid) && existsSync(pidFile) ? true : undefined), 60_000)
  const pg = postmasterPid()
  child.kill('SIGKILL')
  await exited
  // bounds well above the watchdog's period: a loaded 2-core CI machine runs it late
  await poll('the postmaster to exit', () => (alive(pg) ? undefined : true), 90_000)
  t.pass('the postmaster exited after load was killed')
  const list = await runCli(['sysadmin', 'list'], { DATA_DIR: dataDir })
  t.equal(list.code, 0, list.stderr)
  t.equal(list.stdout, 'admin\n')
})

t.test('Postgres killed under a running server is restarted in-process', async (t) => {
  const server = await start()
  const pg = postmasterPid()
  kill(pg, 'SIGKILL')
  const seen = new Set<number>()
  let wrong: string | null = null
  await poll(
    'the server to answer 200 from a new postmaster',
    async () => {
      const res = await action(server, 'organization_list').catch(() => null)
      if (!res) return undefined
      seen.add(res.status)
      if (res.status !== 200 && (res.status !== 503 || res.body.error?.__type !== 'Service Unavailable')) wrong ??= JSON.stringify(res)
      return res.status === 200 && existsSync(pidFile) && postmasterPid() !== pg ? res : undefined
    },
    60_000,
  )
  t.equal(wrong, null, `while down, only 503 Service Unavailable (statuses seen: ${[...seen].join(', ')})`)
  t.same((await action(server, 'organization_list')).body.result, ['antes'], 'served again, same data, same process')
  t.equal(server.child.exitCode, null, 'the server process did not exit')
  t.match(server.output(), /embedded Postgres restarted/)
  // the job worker came through the outage: a queued harvest job is still picked up and run
  await action(server, 'organization_create', { name: 'cosecha' })
  t.equal((await action(server, 'harvest_source_create', { name: 'fuente', title: 'fuente', url: 'http://127.0.0.1:9/', source_type: 'ckan', owner_org: 'cosecha' })).status, 200)
  const job = (await action(server, 'harvest_job_create', { source_id: 'fuente', run: true })).body.result
  const shown = await poll(
    'the worker to run the harvest job',
    async () => {
      const res = await action(server, 'harvest_job_show', { id: job.id })
      return res.body.result?.status === 'Finished' ? res.body.result : undefined
    },
    90_000,
  ).catch((err: Error) => {
    // what the server logged is the only account of why its worker did not run the job
    throw new Error(`${err.message}\nserver output (last 6000 characters):\n${server.output().slice(-6000)}`)
  })
  t.equal(shown.status, 'Finished', 'the gather ran (and recorded that the remote is unreachable)')
  // orphan recovery must never take a live server's cluster: a second process on the DATA_DIR is refused
  const pgNow = postmasterPid()
  const second = await runCli(['sysadmin', 'list'], { DATA_DIR: dataDir })
  t.equal(second.code, 1)
  t.match(second.stderr, new RegExp(`in use by process ${server.child.pid}`))
  t.equal(postmasterPid(), pgNow, 'the running cluster was left alone')
  t.equal((await action(server, 'status_show')).status, 200)
  await stopClean(t, server)
})
