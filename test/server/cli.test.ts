/**
 * The `abierto` command as README documents it (`node dist/src/cli.js …`), on one DATA_DIR:
 * migrate, sysadmin add, token create, then a server that accepts the printed tokens.
 * `migrate` runs on the embedded Postgres (its start and stop are part of what it does); the
 * other commands run on a database of the suite's cluster (DATABASE_URL), as on an external
 * Postgres: a cluster start and stop per command would cost two seconds each and test nothing new
 * (test/server/boot.test.ts and crash-restart.test.ts cover the embedded lifecycle).
 */
import { existsSync, mkdtempSync, promises as fs, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { stopDetached } from '../../src/db/embedded.js'
import { freePort, runCli, startServerProcess, type ServerProcess } from '../../scripts/lib/server-process.js'
import { testDatabase } from '../helpers/app.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-cli-'))
const pgBase = path.join(dataDir, 'postgres')
const embeddedEnv = { DATA_DIR: dataDir }
const env = { DATA_DIR: dataDir, DATABASE_URL: (await testDatabase(t)).url }

let running: ServerProcess | null = null
t.teardown(async () => {
  if (running) await running.stop('SIGKILL')
  await stopDetached(pgBase)
  await fs.rm(dataDir, { recursive: true, force: true })
})

const tokens: Record<string, string> = {}

t.test('abierto migrate', async (t) => {
  const first = await runCli(['migrate'], embeddedEnv)
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /^applied: 0001_core/)
  const again = await runCli(['migrate'], embeddedEnv)
  t.equal(again.code, 0, again.stderr)
  t.equal(again.stdout.trim(), 'database is up to date')
  t.notOk(existsSync(path.join(pgBase, 'pgdata', 'postmaster.pid')), 'the cluster is stopped afterwards')
})

t.test('abierto sysadmin add NAME', async (t) => {
  const res = await runCli(['sysadmin', 'add', 'alice'], env)
  t.equal(res.code, 0, res.stderr)
  const lines = res.stdout.trim().split('\n')
  t.equal(lines[0], 'alice is a sysadmin; API token:')
  t.match(lines[1], /^\S{20,}$/)
  t.equal(lines.length, 2)
  tokens.alice = lines[1]
  t.notOk(existsSync(path.join(dataDir, 'sysadmin.token')), 'only admin gets the token file')

  const admin = await runCli(['sysadmin', 'add', 'admin'], env)
  t.equal(admin.code, 0, admin.stderr)
  const tokenFile = path.join(dataDir, 'sysadmin.token')
  t.match(admin.stdout, `written to ${tokenFile}`)
  t.equal(statSync(tokenFile).mode & 0o777, 0o600)
  tokens.admin = (await fs.readFile(tokenFile, 'utf8')).trim()
  t.equal(admin.stdout.trim().split('\n')[1], tokens.admin, 'the printed token is the one written')
})

t.test('abierto token create USER', async (t) => {
  const res = await runCli(['token', 'create', 'alice'], env)
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /^\S{20,}\n$/)
  tokens.alice2 = res.stdout.trim()
  t.not(tokens.alice2, tokens.alice, 'a new token each time')

  const missing = await runCli(['token', 'create', 'nobody-here'], env)
  t.equal(missing.code, 1)
  t.equal(missing.stderr.trim(), 'no active user named nobody-here')
})

let revoked = ''

t.test('abierto sysadmin list / remove, token revoke', async (t) => {
  const bob = await runCli(['sysadmin', 'add', 'bob'], env)
  t.equal(bob.code, 0, bob.stderr)
  const list = await runCli(['sysadmin', 'list'], env)
  t.equal(list.code, 0, list.stderr)
  t.equal(list.stdout, 'admin\nalice\nbob\n')
  const remove = await runCli(['sysadmin', 'remove', 'bob'], env)
  t.equal(remove.code, 0, remove.stderr)
  t.equal(remove.stdout, 'bob is no longer a sysadmin\n')
  t.equal((await runCli(['sysadmin', 'list'], env)).stdout, 'admin\nalice\n')
  const nobody = await runCli(['sysadmin', 'remove', 'nobody-here'], env)
  t.equal(nobody.code, 1)
  t.equal(nobody.stderr.trim(), 'no user named nobody-here')

  const created = await runCli(['token', 'create', 'alice', 'to-revoke'], env)
  t.equal(created.code, 0, created.stderr)
  revoked = created.stdout.trim()
  const res = await runCli(['token', 'revoke', revoked], env)
  t.equal(res.code, 0, res.stderr)
  t.equal(res.stdout, 'token revoked\n')
  const again = await runCli(['token', 'revoke', revoked], env)
  t.equal(again.code, 1)
  t.equal(again.stderr.trim(), 'no such token')
})

t.test('usage errors', async (t) => {
  const res = await runCli(['sysadmin', 'frobnicate', 'alice'], env)
  t.equal(res.code, 2)
  t.match(res.stderr, /^usage: abierto <command>/)
  t.match(res.stderr, /sysadmin add NAME/)
  t.match(res.stderr, /sysadmin remove NAME/)
  t.match(res.stderr, /token revoke TOKEN_OR_ID/)
  t.equal((await runCli(['token', 'revoke'], env)).code, 2)
})

t.test('the printed tokens work against the server', async (t) => {
  running = await startServerProcess({ env: { ...env, PORT: String(await freePort()) } })
  const server = running
  t.notMatch(server.output(), 'sysadmin.token', 'no bootstrap: the database already has users')
  for (const [who, token] of Object.entries(tokens)) {
    // organization_create is for sysadmins only (CKAN's default)
    const res = await fetch(`${server.url}/api/3/action/organization_create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ name: `cli-${who.toLowerCase()}` }),
    })
    const body = (await res.json()) as { error?: unknown }
    t.equal(res.status, 200, `${who}'s token is a sysadmin's (${JSON.stringify(body.error ?? '')})`)
  }
  const withRevoked = await fetch(`${server.url}/api/3/action/organization_create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: revoked },
    body: JSON.stringify({ name: 'cli-revoked' }),
  })
  await withRevoked.arrayBuffer()
  t.equal(withRevoked.status, 403, 'a revoked token is anonymous')
  const anonymous = await fetch(`${server.url}/api/3/action/organization_create`, { method: 'POST', body: JSON.stringify({ name: 'cli-anon' }) })
  await anonymous.arrayBuffer()
  t.equal(anonymous.status, 403)
  const created = await fetch(`${server.url}/api/3/action/package_create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: Object.values(tokens)[0] },
    body: JSON.stringify({ name: 'reindexado', title: 'Conjunto reindexado', owner_org: `cli-${Object.keys(tokens)[0].toLowerCase()}` }),
  })
  t.equal(created.status, 200, 'a dataset to reindex')
  const exit = await server.stop()
  running = null
  t.same(exit, { code: 0, signal: null })
})

let editorToken = ''

t.test('abierto user add, org member add: an organization editor from the command line', async (t) => {
  const add = await runCli(['user', 'add', 'ana', '--email', 'ana@example.org', '--fullname', 'Ana Pérez'], env)
  t.equal(add.code, 0, add.stderr)
  t.equal(add.stdout, 'created user ana\n')
  const taken = await runCli(['user', 'add', 'ana', '--email', 'otra@example.org'], env)
  t.equal(taken.code, 1)
  t.equal(taken.stderr.trim(), 'name: That login name is not available.', "user_create's validation, as the API reports it")
  for (const args of [
    ['user', 'add', 'eva'],
    ['user', 'add', 'eva', '--email', 'e@example.org', '--admin', 'x'],
  ]) {
    const res = await runCli(args, env)
    t.equal(res.code, 2, `usage error: ${args.join(' ')}`)
    t.match(res.stderr, /user add NAME --email EMAIL/)
  }

  const member = await runCli(['org', 'member', 'add', 'cli-alice', 'ana', 'editor'], env)
  t.equal(member.code, 0, member.stderr)
  t.equal(member.stdout, 'ana is editor of cli-alice\n')
  const role = await runCli(['org', 'member', 'add', 'cli-alice', 'ana', 'boss'], env)
  t.equal(role.code, 1)
  t.equal(role.stderr.trim(), 'role: role does not exist.')
  t.equal((await runCli(['org', 'member', 'add', 'cli-alice', 'ana'], env)).code, 2, 'the role is required')

  const token = await runCli(['token', 'create', 'ana'], env)
  t.equal(token.code, 0, token.stderr)
  editorToken = token.stdout.trim()
})

t.test('abierto search reindex', async (t) => {
  const res = await runCli(['search', 'reindex'], env)
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /^indexed 1 datasets in [\d.]+ s \(\d+\/s\)\n$/)
  t.match(res.stderr, /reindex: 1\/1 datasets/, 'progress on stderr (plain lines when not a terminal)')
  t.equal((await runCli(['search', 'rebuild'], env)).code, 2, 'unknown subcommand is a usage error')
  running = await startServerProcess({ env: { ...env, PORT: String(await freePort()) } })
  const found = (await (await fetch(`${running.url}/api/3/action/package_search?q=reindexado`)).json()) as { result: { count: number } }
  t.equal(found.result.count, 1, 'the rebuilt index answers')
  // the editor made by `user add` + `org member add` publishes in that organization only
  const create = (org: string) =>
    fetch(`${running!.url}/api/3/action/package_create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: editorToken },
      body: JSON.stringify({ name: `de-ana-${org}`, owner_org: org }),
    })
  const inOwn = await create('cli-alice')
  t.equal(inOwn.status, 200, `an editor of cli-alice creates a dataset there (${JSON.stringify(((await inOwn.json()) as { error?: unknown }).error ?? '')})`)
  const elsewhere = await create('cli-admin')
  await elsewhere.arrayBuffer()
  t.equal(elsewhere.status, 403, 'but not in an organization she is not a member of')
  const user = (await (await fetch(`${running.url}/api/3/action/user_show?id=ana`, { headers: { authorization: tokens.admin } })).json()) as { result: { fullname: string; email: string; sysadmin: boolean } }
  t.match(user.result, { fullname: 'Ana Pérez', email: 'ana@example.org', sysadmin: false })
  await running.stop()
  running = null
})
