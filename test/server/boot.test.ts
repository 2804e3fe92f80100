/**
 * The built server as users run it (README: `node dist/src/cli.js serve` with PORT and DATA_DIR),
 * over a real socket: first start, SIGTERM, restart on the same DATA_DIR, bad configuration.
 */
import { existsSync, mkdtempSync, promises as fs, statSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { stopDetached } from '../../src/db/embedded.js'
import { freePort, runCli, startServerProcess, type ServerProcess } from '../../scripts/lib/server-process.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-boot-'))
const pgBase = path.join(dataDir, 'postgres')
const tokenFile = path.join(dataDir, 'sysadmin.token')
const postmasterPid = path.join(pgBase, 'pgdata', 'postmaster.pid')

let running: ServerProcess | null = null
t.teardown(async () => {
  // a failed assertion must not leave a server or a cluster behind
  if (running) await running.stop('SIGKILL')
  await stopDetached(pgBase)
  await fs.rm(dataDir, { recursive: true, force: true })
})

async function start(): Promise<ServerProcess> {
  running = await startServerProcess({ env: { PORT: String(await freePort()), DATA_DIR: dataDir } })
  return running
}

async function stop(t: Test, server: ServerProcess): Promise<void> {
  const exit = await server.stop()
  running = null
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: clean exit 0')
  t.notOk(existsSync(postmasterPid), 'embedded Postgres stopped (no postmaster.pid left)')
}

async function action(server: ServerProcess, name: string, init: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/api/3/action/${name}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: init.token } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  return { status: res.status, body: await res.json() }
}

/** organization_create is for sysadmins only (CKAN's default): the token must be a sysadmin's. */
async function assertSysadminToken(t: Test, server: ServerProcess, token: string): Promise<void> {
  const org = { name: `boot-org-${Date.now().toString(36)}` }
  const anonymous = await action(server, 'organization_create', { body: org })
  t.equal(anonymous.status, 403, 'anonymous organization_create is refused')
  t.equal(anonymous.body.error?.__type, 'Authorization Error')
  const bogus = await action(server, 'organization_create', { body: org, token: 'abt_not-a-token' })
  t.equal(bogus.status, 403, 'an unknown token is anonymous')
  const created = await action(server, 'organization_create', { body: org, token })
  t.equal(created.status, 200, `the token creates an organization (${JSON.stringify(created.body.error ?? '')})`)
  const dataset = await action(server, 'package_create', { body: { name: `${org.name}-data`, owner_org: org.name }, token })
  t.equal(dataset.status, 200, `and a dataset in it (${JSON.stringify(dataset.body.error ?? '')})`)
  t.equal((await action(server, 'package_show', { body: { id: `${org.name}-data` } })).body.result?.organization?.name, org.name)
}

t.test('first start, SIGTERM, restart on the same DATA_DIR', async (t) => {
  const first = await start()
  t.comment(`first start (initdb + migrations + bootstrap) to ready: ${Math.round(first.readyMs)} ms`)

  const status = await action(first, 'status_show')
  t.equal(status.status, 200)
  t.equal(status.body.success, true)
  t.equal(status.body.result.ckan_version, '2.11.5')
  t.equal(status.body.result.site_url, new URL(first.url).origin.replace('127.0.0.1', 'localhost'), 'SITE_URL defaults to http://localhost:$PORT')
  const licenses = await action(first, 'license_list')
  t.equal(licenses.status, 200)
  t.ok(Array.isArray(licenses.body.result) && licenses.body.result.some((l: { id: string }) => l.id === 'cc-by'), 'license_list has cc-by')

  t.ok(existsSync(tokenFile), 'DATA_DIR/sysadmin.token written')
  t.equal(statSync(tokenFile).mode & 0o777, 0o600, 'token file mode 0600')
  const token = (await fs.readFile(tokenFile, 'utf8')).trim()
  t.match(token, /^\S+$/)
  t.match(first.output(), tokenFile, 'the token file path is printed')
  await assertSysadminToken(t, first, token)
  await stop(t, first)

  const tokenBefore = statSync(tokenFile)
  const pgVersion = statSync(path.join(pgBase, 'pgdata', 'PG_VERSION'))
  const second = await start()
  t.comment(`cold start to ready (cluster already initialised): ${Math.round(second.readyMs)} ms`)
  t.equal(statSync(path.join(pgBase, 'pgdata', 'PG_VERSION')).mtimeMs, pgVersion.mtimeMs, 'the cluster is reused, not re-initialised')
  t.equal(statSync(tokenFile).mtimeMs, tokenBefore.mtimeMs, 'sysadmin.token is not rewritten')
  t.equal((await fs.readFile(tokenFile, 'utf8')).trim(), token)
  t.notMatch(second.output(), 'sysadmin.token', 'no second bootstrap')
  t.equal((await action(second, 'status_show')).status, 200)
  await assertSysadminToken(t, second, token)
  await stop(t, second)
})

t.test('port already in use: the start fails and the process exits non-zero, leaving no cluster running', async (t) => {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const port = (blocker.address() as net.AddressInfo).port
  const busyDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-busy-'))
  t.teardown(async () => {
    await stopDetached(path.join(busyDir, 'postgres'))
    await fs.rm(busyDir, { recursive: true, force: true })
  })
  // killed after 60 s otherwise: a process kept alive by its job worker would show as a SIGKILL
  const res = await runCli(['serve'], { PORT: String(port), DATA_DIR: busyDir })
  t.equal(res.signal, null, 'exited by itself')
  t.equal(res.code, 1)
  t.match(res.stderr, /EADDRINUSE/)
  t.notOk(existsSync(path.join(busyDir, 'postgres', 'pgdata', 'postmaster.pid')), 'the embedded Postgres was stopped')
})

t.test('invalid configuration: exits non-zero with one line naming the variable', async (t) => {
  const res = await runCli(['serve'], { PORT: 'abc', DATA_DIR: dataDir })
  t.not(res.code, 0)
  t.equal(res.stdout, '')
  const lines = res.stderr.trim().split('\n')
  t.equal(lines.length, 1, `one line: ${res.stderr}`)
  t.match(lines[0], /\bPORT\b/)
  t.notOk(existsSync(postmasterPid), 'nothing started')
})
