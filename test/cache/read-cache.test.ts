import t from 'tap'
import { buildApp } from '../../src/app.js'
import { testApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'
import { ReadCache, RawJson } from '../../src/cache/read-cache.js'

async function until(fn: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return false
}

t.test('ReadCache: generation guard, byte budget, disabled state', async (t) => {
  const c = new ReadCache<number>(1000)
  const g = c.generation
  c.clear()
  c.set(['a'], { raw: new RawJson('"x"'), meta: 1 }, g)
  t.equal(c.get('a'), undefined, 'a read that started before a clear is not stored')
  c.set(['a'], { raw: new RawJson('"x"'), meta: 1 }, c.generation)
  t.equal(c.get('a')?.raw.json, '"x"')
  for (let i = 0; i < 20; i++) c.set([`k${i}`], { raw: new RawJson('y'.repeat(100)), meta: i }, c.generation)
  t.ok(c.size < 10, `evicted down to the byte budget (${c.size} entries)`)
  t.ok(c.get('k19'), 'most recent kept')
  c.setEnabled(false)
  c.set(['z'], { raw: new RawJson('1'), meta: 0 }, c.generation)
  t.equal(c.get('z'), undefined, 'a disabled cache stores nothing')
})

t.test('a write in one process is seen by package_show in another', async (t) => {
  const a = await testApp(t)
  const b = await buildApp({ db: a.db.kysely, config: a.config, logger: false, pool: a.db.pool })
  t.teardown(() => b.close())
  await insertGroup(a.db.kysely, 'org1')
  const d = await a.ok('package_create', { name: 'shared', owner_org: 'org1', notes: 'v1' })
  const showB = async () => (await b.inject({ method: 'GET', url: '/api/3/action/package_show?id=shared' })).json().result
  t.ok(await until(async () => (await showB())?.notes === 'v1'), 'B reads v1')
  t.equal((await showB()).notes, 'v1', 'B serves v1 (now from its cache)')
  await a.ok('package_patch', { id: d.id, notes: 'v2' })
  t.ok(await until(async () => (await showB()).notes === 'v2'), 'B sees v2 after the NOTIFY')
  t.equal((await a.ok('package_show', { id: 'shared' })).notes, 'v2', 'A reads its own write at once')

  await a.ok('package_patch', { id: d.id, private: true })
  const anon = await a.call('package_show', { id: 'shared' }, { token: null })
  t.equal(anon.statusCode, 403, 'visibility applies to cached dicts')
  t.ok(await until(async () => (await b.inject({ method: 'GET', url: '/api/3/action/package_show?id=shared' })).statusCode === 403), 'B refuses it too')
  const list = await until(async () => (await b.inject({ method: 'GET', url: '/api/3/action/package_list' })).json().result.length === 0)
  t.ok(list, 'package_list in B drops the now-private dataset')
})

t.test('organization changes reach the cached dataset dicts', async (t) => {
  const { ok } = await testApp(t)
  await ok('organization_create', { name: 'org1', title: 'Old title' })
  await ok('package_create', { name: 'ds', owner_org: 'org1' })
  t.equal((await ok('package_show', { id: 'ds' })).organization.title, 'Old title')
  await ok('organization_patch', { id: 'org1', title: 'New title' })
  t.equal((await ok('package_show', { id: 'ds' })).organization.title, 'New title')
})

t.test('cached tokens: revocation and user deletion take effect at once, also in another process', async (t) => {
  const a = await testApp(t)
  const b = await buildApp({ db: a.db.kysely, config: a.config, logger: false, pool: a.db.pool })
  t.teardown(() => b.close())
  await a.ok('user_create', { name: 'alice', email: 'alice@example.org', password: 'alice-password' })
  const { token } = await a.ok('api_token_create', { user: 'alice', name: 't' })
  const showSelf = (app: typeof b) => app.inject({ method: 'GET', url: '/api/3/action/user_show?id=alice', headers: { authorization: token } })
  t.ok(await until(async () => (await showSelf(b)).json().result?.email === 'alice@example.org'), 'B knows alice by her token (email shown to self)')
  await a.ok('api_token_revoke', { token })
  t.not((await showSelf(a.app)).json().result?.email, 'alice@example.org', 'A: a revoked token acts as anonymous at once')
  t.ok(await until(async () => (await showSelf(b)).json().result?.email !== 'alice@example.org'), 'B: the revoked token stops working')
})
