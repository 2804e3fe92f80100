import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'
import { insertUser, TIMESTAMP } from '../actions/group-fixtures.js'
import { addMember } from '../auth/roles-fixtures.js'
import { ACTIVITY_KEYS, datasetWrite, groupWrite, type Actor } from './fixtures.js'

interface Setup {
  w: TestApp
  admin: Actor
  editor: Actor
  harvest: Actor
  anonymous: Actor
}

async function setup(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = {}): Promise<Setup> {
  const w = await testApp(t, env)
  const db = w.db.kysely
  const org = await insertGroup(db, 'org1')
  const adminRow = await db.selectFrom('user').select('id').where('name', '=', 'admin').executeTakeFirstOrThrow()
  const editor = await insertUser(db, 'editor')
  const harvest = await insertUser(db, 'harvest')
  await addMember(db, org, editor.id, 'editor')
  await addMember(db, org, harvest.id, 'editor')
  return {
    w,
    admin: { id: adminRow.id, name: 'admin', token: w.sysadminToken },
    editor: { ...editor, name: 'editor' },
    harvest: { ...harvest, name: 'harvest' },
    anonymous: { id: '', name: '', token: null },
  }
}

/** Pins activity timestamps (seconds after 2024-05-02T09:00:00 UTC) so paging can be checked exactly. */
async function pin(w: TestApp, ids: string[], seconds: number[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const s = seconds[i]
    await w.db.kysely
      .updateTable('activity')
      .set({ timestamp: `2024-05-02T09:00:${String(s).padStart(2, '0')}.250000` })
      .where('id', '=', id)
      .execute()
  }
}
const epoch = (s: number) => Date.UTC(2024, 4, 2, 9, 0, s) / 1000 + 0.25

async function get(w: TestApp, name: string, query: string, token: string | null = null) {
  return w.app.inject({ method: 'GET', url: `/api/3/action/${name}?${query}`, headers: token ? { authorization: token } : {} })
}

t.test('package_activity_list: CKAN activity dicts, newest first, whole dataset in data', async (t) => {
  const { w, editor } = await setup(t)
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds1', title: 'First', owner_org: 'org1', resources: [{ url: 'http://example.org/a.csv' }] })
  await datasetWrite(w, editor, 'package_patch', { id: 'ds1', title: 'Second' })
  await datasetWrite(w, editor, 'package_patch', { id, title: 'Third', notes: 'some notes' })

  const list = await w.ok('package_activity_list', { id: 'ds1' }, { token: null })
  t.equal(list.length, 3)
  t.same(
    list.map((a: any) => a.activity_type),
    ['changed package', 'changed package', 'new package'],
  )
  t.same(
    list.map((a: any) => a.data.package.title),
    ['Third', 'Second', 'First'],
    'each activity holds the dataset as it was after that write',
  )
  for (const a of list) {
    t.same(Object.keys(a), ACTIVITY_KEYS, 'all columns but seq, in CKAN order')
    t.match(a.timestamp, TIMESTAMP)
    t.match(a.id, /^[0-9a-f-]{36}$/)
    t.equal(a.user_id, editor.id)
    t.equal(a.object_id, id)
    t.equal(a.data.actor, 'editor')
    t.same(a.permission_labels, ['public'])
    t.equal(a.data.package.id, id)
    t.equal(a.data.package.resources.length, 1, 'the full package_show dict, resources included')
  }
  t.ok(list[0].timestamp > list[1].timestamp && list[1].timestamp > list[2].timestamp, 'newest first')
  t.equal(list[0].data.package.notes, 'some notes')

  // by id, by GET, and the same answer internally (RawJson) as over HTTP
  const byGet = await get(w, 'package_activity_list', `id=${id}`)
  t.equal(byGet.statusCode, 200)
  t.same(byGet.json().result, list)
})

t.test('package_activity_list: parameter errors in CKAN words', async (t) => {
  const { w, editor } = await setup(t)
  await datasetWrite(w, editor, 'package_create', { name: 'ds1', owner_org: 'org1' })
  const cases: [Record<string, unknown>, number, Record<string, unknown>][] = [
    [{}, 409, { id: ['Missing value'] }],
    [{ id: 'ds1', limit: -1 }, 409, { limit: ['Must be a natural number'] }],
    [{ id: 'ds1', limit: 'many' }, 409, { limit: ['Invalid integer'] }],
    [{ id: 'ds1', offset: -3 }, 409, { offset: ['Must be a natural number'] }],
    [{ id: 'ds1', offset: 1.5 }, 409, { offset: ['Invalid integer'] }],
    [{ id: 'ds1', after: 'yesterday' }, 409, { after: ['Must be a float timestamp'] }],
    [{ id: 'ds1', before: {} }, 409, { before: ['Must be a float timestamp'] }],
    [{ id: 'ds1', after: 'x', before: 'y' }, 409, { after: ['Must be a float timestamp'], before: ['Must be a float timestamp'] }],
    [{ id: 'ds1', activity_types: 'new package' }, 409, { activity_types: ['Not a list'] }],
    [{ id: 'ds1', exclude_activity_types: [3] }, 409, { exclude_activity_types: ['Not a string: 3'] }],
    [{ id: 'ds1', activity_types: ['new package'], exclude_activity_types: ['changed package'] }, 409, { activity_types: ['Cannot be used together with `exclude_activity_types'] }],
    [{ id: 'ds1', activity_types: [], exclude_activity_types: [] }, 409, { activity_types: ['Cannot be used together with `exclude_activity_types'] }],
  ]
  for (const [body, status, fields] of cases) {
    const res = await w.call('package_activity_list', body, { token: null })
    t.equal(res.statusCode, status, JSON.stringify(body))
    t.same(res.json().error, { __type: 'Validation Error', ...fields }, JSON.stringify(body))
  }
  const missing = await w.call('package_activity_list', { id: 'no-such-dataset' }, { token: null })
  t.equal(missing.statusCode, 404)
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found' })

  // a query string gives one value as a string: CKAN's "Not a list"; repeating the key makes a list
  const single = await get(w, 'package_activity_list', 'id=ds1&activity_types=new%20package')
  t.same(single.json().error, { __type: 'Validation Error', activity_types: ['Not a list'] })
  const repeated = await get(w, 'package_activity_list', 'id=ds1&activity_types=new%20package&activity_types=changed%20package')
  t.equal(repeated.statusCode, 200)
  t.equal(repeated.json().result.length, 1)
  // numeric strings and floats are timestamps
  t.equal((await get(w, 'package_activity_list', 'id=ds1&after=1714640400.5&before=4102444800')).statusCode, 200)
})

t.test('package_activity_list: offset, limit, after and before page by timestamp', async (t) => {
  const { w, editor } = await setup(t)
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds1', owner_org: 'org1' })
  for (let i = 1; i <= 5; i++) await datasetWrite(w, editor, 'package_patch', { id, title: `v${i}` })
  const all = await w.ok('package_activity_list', { id })
  t.equal(all.length, 6)
  // oldest .. newest at seconds 0, 10, 20, 30, 40, 50
  const oldestFirst = all.map((a: any) => a.id).reverse()
  await pin(w, oldestFirst, [0, 10, 20, 30, 40, 50])
  const ids = async (body: Record<string, unknown>) => (await w.ok('package_activity_list', { id, ...body }, { token: null })).map((a: any) => oldestFirst.indexOf(a.id))

  t.same(await ids({}), [5, 4, 3, 2, 1, 0])
  t.same(await ids({ limit: 2 }), [5, 4])
  t.same(await ids({ limit: 2, offset: 2 }), [3, 2])
  t.same(await ids({ offset: 5 }), [0])
  t.same(await ids({ offset: 6 }), [])
  t.same(await ids({ before: epoch(30) }), [2, 1, 0], 'before is exclusive')
  t.same(await ids({ before: epoch(30), limit: 2 }), [2, 1], 'older page: before the oldest shown')
  t.same(await ids({ after: epoch(10) }), [5, 4, 3, 2], 'after is exclusive')
  t.same(await ids({ after: epoch(10), limit: 2 }), [3, 2], 'after alone: the page right after it, newest first')
  t.same(await ids({ after: epoch(10), limit: 2, offset: 1 }), [4, 3])
  t.same(await ids({ after: epoch(0), before: epoch(50), limit: 2 }), [4, 3], 'both: newest first within the range')
  t.same(await ids({ after: String(epoch(40)) }), [5], 'numeric strings')
  t.same(await ids({ before: epoch(0) }), [])
  // the timestamps are UTC: one second either side of an activity decides
  t.same(await ids({ after: epoch(20) - 1, before: epoch(20) + 1 }), [2])
  t.equal((await w.ok('package_activity_list', { id, limit: 1 }))[0].timestamp, '2024-05-02T09:00:50.250000')

  // equal timestamps page without gaps or repeats
  await pin(w, oldestFirst, [0, 10, 10, 10, 10, 50])
  const seen: number[] = []
  for (let offset = 0; offset < 6; offset++) seen.push(...(await ids({ limit: 1, offset })))
  t.same([...seen].sort(), [0, 1, 2, 3, 4, 5], 'every activity exactly once')
  t.same(seen.slice(1, 5), [4, 3, 2, 1], 'ties newest-written first')
})

t.test('limit: configured default, clamped to the maximum, 0 means the maximum', async (t) => {
  const { w, editor } = await setup(t, { ACTIVITY_LIST_LIMIT: '2', ACTIVITY_LIST_LIMIT_MAX: '4' })
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds1', owner_org: 'org1' })
  for (let i = 1; i <= 5; i++) await datasetWrite(w, editor, 'package_patch', { id, title: `v${i}` })
  const count = async (name: string, body: Record<string, unknown>) => (await w.ok(name, body, { token: null })).length
  for (const name of ['package_activity_list', 'recently_changed_packages_activity_list']) {
    t.equal(await count(name, { id }), 2, `${name}: default`)
    t.equal(await count(name, { id, limit: 3 }), 3, `${name}: asked`)
    t.equal(await count(name, { id, limit: 50 }), 4, `${name}: clamped`)
    t.equal(await count(name, { id, limit: 0 }), 4, `${name}: 0 is the maximum, not unlimited`)
  }
})

t.test('activity_types and exclude_activity_types', async (t) => {
  const { w, editor } = await setup(t)
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds1', owner_org: 'org1' })
  await datasetWrite(w, editor, 'package_patch', { id, title: 'v1' })
  await datasetWrite(w, editor, 'package_delete', { id })
  const types = async (body: Record<string, unknown>) => (await w.ok('package_activity_list', { id, ...body })).map((a: any) => a.activity_type)
  t.same(await types({}), ['deleted package', 'changed package', 'new package'])
  t.same(await types({ activity_types: ['new package'] }), ['new package'])
  t.same(await types({ activity_types: ['new package', 'deleted package'] }), ['deleted package', 'new package'])
  t.same(await types({ exclude_activity_types: ['changed package'] }), ['deleted package', 'new package'])
  t.same(await types({ activity_types: ['changed group'] }), [])
  t.same(await types({ activity_types: [] }), ['deleted package', 'changed package', 'new package'], 'an empty list filters nothing (CKAN)')
})

t.test('hidden users: the harvest user only for sysadmins who ask', async (t) => {
  const { w, editor, harvest, admin } = await setup(t)
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds1', owner_org: 'org1' })
  await datasetWrite(w, harvest, 'package_patch', { id, title: 'harvested' })
  const actors = async (name: string, body: Record<string, unknown>, token: string | null) => (await w.ok(name, body, { token })).map((a: any) => a.data.actor)
  t.same(await actors('package_activity_list', { id }, null), ['editor'])
  t.same(await actors('package_activity_list', { id }, editor.token), ['editor'])
  t.same(await actors('package_activity_list', { id, include_hidden_activity: true }, editor.token), ['editor'], 'ignored unless sysadmin')
  t.same(await actors('package_activity_list', { id }, admin.token), ['editor'], 'hidden from sysadmins too by default')
  t.same(await actors('package_activity_list', { id, include_hidden_activity: true }, admin.token), ['harvest', 'editor'])
  t.same(await actors('package_activity_list', { id, include_hidden_activity: 'yes' }, admin.token), ['harvest', 'editor'], 'asbool spellings')
  t.same(await actors('package_activity_list', { id, include_hidden_activity: 'nope' }, admin.token), ['editor'], 'anything else is false, never an error')
  t.same(await actors('recently_changed_packages_activity_list', {}, admin.token), ['editor'])
  t.same(await actors('recently_changed_packages_activity_list', { include_hidden_activity: true }, admin.token), ['editor'], 'no override in the site-wide list')

  // the configured list replaces the default
  const other = await setup(t, { HIDE_ACTIVITY_FROM_USERS: 'editor' })
  const id2 = await datasetWrite(other.w, other.editor, 'package_create', { name: 'ds2', owner_org: 'org1' })
  await datasetWrite(other.w, other.harvest, 'package_patch', { id: id2, title: 'harvested' })
  t.same(await (async () => (await other.w.ok('package_activity_list', { id: id2 }, { token: null })).map((a: any) => a.data.actor))(), ['harvest'])
})

t.test('recently_changed_packages_activity_list: dataset activities site-wide, readable ones only', async (t) => {
  const { w, editor, admin } = await setup(t)
  const a = await datasetWrite(w, editor, 'package_create', { name: 'ds-a', owner_org: 'org1' })
  const b = await datasetWrite(w, editor, 'package_create', { name: 'ds-b', owner_org: 'org1', private: true })
  await groupWrite(w, admin, 'organization_patch', { id: 'org1', title: 'Org One' })
  await datasetWrite(w, editor, 'package_patch', { id: a, title: 'A2' })
  await datasetWrite(w, editor, 'package_delete', { id: a })

  const seen = async (token: string | null, body: Record<string, unknown> = {}) => (await w.ok('recently_changed_packages_activity_list', body, { token })).map((x: any) => `${x.activity_type} ${x.data.package.name}`)
  t.same(await seen(null), ['changed package ds-a', 'new package ds-a'], 'no private dataset, no deletion, no organization activity')
  t.same(await seen(editor.token), ['deleted package ds-a', 'changed package ds-a', 'new package ds-b', 'new package ds-a'], 'org editor reads private and deleted ones')
  t.same(await seen(admin.token), ['deleted package ds-a', 'changed package ds-a', 'new package ds-b', 'new package ds-a'])
  t.same(await seen(null, { limit: 1, offset: 1 }), ['new package ds-a'])
  // after/before are checked, then ignored (CKAN)
  t.same(await seen(null, { after: 4102444800 }), ['changed package ds-a', 'new package ds-a'])
  const bad = await w.call('recently_changed_packages_activity_list', { before: 'soon', limit: -1 }, { token: null })
  t.equal(bad.statusCode, 409)
  t.same(bad.json().error, { __type: 'Validation Error', before: ['Must be a float timestamp'], limit: ['Must be a natural number'] })
  t.ok(b)
})
