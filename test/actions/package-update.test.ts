import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'

async function seeded(t: Parameters<typeof testApp>[0]): Promise<TestApp & { d: any }> {
  const app = await testApp(t)
  await insertGroup(app.db.kysely, 'org1')
  await insertGroup(app.db.kysely, 'org2')
  await insertGroup(app.db.kysely, 'grp1', { organization: false })
  const d = await app.ok('package_create', {
    name: 'ds',
    title: 'Title',
    notes: 'Notes',
    owner_org: 'org1',
    license_id: 'odc-odbl',
    tags: [{ name: 'one' }, { name: 'two' }],
    extras: [{ key: 'k', value: 'v' }],
    resources: [
      { url: 'http://a/1.csv', name: 'r1' },
      { url: 'http://a/2.json', name: 'r2', extra_key: 'x' },
    ],
    groups: [{ name: 'grp1' }],
  })
  return { ...app, d }
}

t.test('package_update replaces the dict: omitted text, tags and extras go; resources and groups stay', async (t) => {
  const { ok, d } = await seeded(t)
  const u = await ok('package_update', { id: d.id, name: 'ds', owner_org: 'org1' })
  t.equal(u.notes, null)
  t.equal(u.license_id, null)
  t.equal(u.title, 'ds', 'title falls back to the name')
  t.same(u.tags, [])
  t.same(u.extras, [])
  t.equal(u.num_resources, 2, 'resources unchanged when omitted')
  t.same(
    u.resources.map((r: any) => r.id),
    d.resources.map((r: any) => r.id),
  )
  t.equal(u.groups.length, 1, 'groups unchanged when omitted')
  t.ok(u.metadata_modified > d.metadata_modified)
  t.equal(u.metadata_created, d.metadata_created)
})

t.test('package_update resources list: update by id, create, delete, reorder', async (t) => {
  const { ok, call, d } = await seeded(t)
  const [r1, r2] = d.resources
  const u = await ok('package_update', {
    ...d,
    resources: [{ id: r2.id, url: 'http://a/2b.json', name: 'r2 renamed' }, { url: 'http://a/new.xlsx' }],
  })
  t.same(u.resources.map((r: any) => r.id).slice(0, 1), [r2.id])
  t.equal(u.resources[0].name, 'r2 renamed')
  t.equal(u.resources[0].format, 'JSON', 'format of an updated resource kept')
  t.notOk('extra_key' in u.resources[0], 'resource extras replaced by what was sent')
  t.equal(u.resources[1].format, 'XLSX', 'new resource gets a guessed format')
  t.same(
    u.resources.map((r: any) => r.position),
    [0, 1],
  )
  const gone = await call('resource_show', { id: r1.id })
  t.equal(gone.statusCode, 404)
  t.same(gone.json().error, { __type: 'Not Found Error', message: 'Not found: Resource was not found.' })
})

t.test('no-op update keeps metadata_modified; real change bumps it', async (t) => {
  const { ok, d } = await seeded(t)
  const same = await ok('package_update', d)
  t.equal(same.metadata_modified, d.metadata_modified, 'resubmitting package_show output changes nothing')
  t.same(same, d)
  const changed = await ok('package_update', { ...d, notes: 'changed' })
  t.ok(changed.metadata_modified > d.metadata_modified)
})

t.test('package_update errors', async (t) => {
  const { call, ok, d } = await seeded(t)
  const missing = await call('package_update', { title: 'x' })
  t.equal(missing.statusCode, 409)
  t.same(missing.json().error, { __type: 'Validation Error', id: 'Missing value' })
  const nf = await call('package_update', { id: 'nope' })
  t.equal(nf.statusCode, 404)
  t.same(nf.json().error, { __type: 'Not Found Error', message: 'Not found: Package was not found.' })
  const other = await ok('package_create', { name: 'other', owner_org: 'org1' })
  const clash = await call('package_update', { ...other, name: 'ds' })
  t.same(clash.json().error.name, ['That URL is already in use.'])
  const anon = await call('package_update', { ...d, notes: 'x' }, { token: null })
  t.equal(anon.statusCode, 403)
  const rename = await ok('package_update', { ...d, name: 'ds-renamed' })
  t.equal(rename.name, 'ds-renamed')
  t.equal(rename.id, d.id)
  const sysTime = await ok('package_update', { ...rename, metadata_modified: '2020-02-25T12:00:00' })
  t.equal(sysTime.metadata_modified, '2020-02-25T12:00:00', 'a sysadmin may set metadata_modified')
  const bad = await call('package_update', { ...rename, resources: [{ size: 'x' }] })
  t.same(bad.json().error.resources, [{ size: ['Invalid integer'] }])
  const after = await ok('package_show', { id: d.id })
  t.equal(after.num_resources, 2, 'a failed update leaves the dataset as it was')
})

t.test('package_patch merges top-level keys', async (t) => {
  const { ok, d } = await seeded(t)
  const p = await ok('package_patch', { id: 'ds', notes: 'patched' })
  t.equal(p.notes, 'patched')
  t.equal(p.title, 'Title')
  t.equal(p.license_id, 'odc-odbl')
  t.same(
    p.tags.map((x: any) => x.name),
    ['one', 'two'],
  )
  t.same(p.extras, [{ key: 'k', value: 'v' }])
  const p2 = await ok('package_patch', { id: d.id, tags: [{ name: 'three' }] })
  t.same(
    p2.tags.map((x: any) => x.name),
    ['three'],
    'a given list replaces the whole list',
  )
  t.equal(p2.num_resources, 2)
})

t.test('package_revise: match, filter, update, flattened keys, include', async (t) => {
  const { ok, call, d } = await seeded(t)
  const r = await ok('package_revise', { match: { id: d.id }, update: { notes: 'revised', resources: [{ name: 'first' }] } })
  t.same(Object.keys(r), ['package'])
  t.equal(r.package.notes, 'revised')
  t.equal(r.package.resources[0].name, 'first', 'lists merged by index')
  t.equal(r.package.resources[0].url, 'http://a/1.csv', 'other keys of that item kept')
  t.equal(r.package.resources[1].name, 'r2')

  const prefix = d.resources[1].id.slice(0, 8)
  const r2 = await ok('package_revise', { match__name: 'ds', [`update__resources__${prefix}__description`]: 'by prefix', update__resources__extend: [{ url: 'http://a/3' }] })
  t.equal(r2.package.resources[1].description, 'by prefix')
  t.equal(r2.package.num_resources, 3)

  const r3 = await ok('package_revise', { match: JSON.stringify({ name: 'ds' }), filter: ['-extras', '+tags'], update: '{"title":"T2"}' })
  t.same(r3.package.extras, [])
  t.equal(r3.package.title, 'T2')
  t.equal(r3.package.num_tags, 2)

  const mismatch = await call('package_revise', { match: { id: d.id, notes: 'not this', resources: [{ name: 'first' }] } })
  t.equal(mismatch.statusCode, 409)
  t.same(mismatch.json().error.match, ['notes'])
  const noId = await call('package_revise', { update: { notes: 'x' } })
  t.same(noId.json().error, { __type: 'Validation Error', match__id: 'Missing value' })
  const badPath = await call('package_revise', { match__id: d.id, update__resources__9__name: 'x' })
  t.same(badPath.json().error.update__resources__9__name, ['Unmatched key resources__9'])
  const inc = await ok('package_revise', { match__id: d.id, update: { version: '2' }, include: ['-*'] })
  t.same(inc, {})
})

t.test('package_delete, dataset_purge, package_owner_org_update', async (t) => {
  const { ok, call, db, d } = await seeded(t)
  const del = await call('package_delete', { id: 'ds' })
  t.equal(del.statusCode, 200)
  t.equal(del.json().result, null)
  const anonShow = await call('package_show', { id: d.id }, { token: null })
  t.equal(anonShow.statusCode, 403, 'deleted datasets are 403 for outsiders, not 404')
  t.equal(anonShow.json().error.__type, 'Authorization Error')
  const sys = await ok('package_show', { id: d.id })
  t.equal(sys.state, 'deleted')
  t.equal(sys.metadata_modified, d.metadata_modified, 'delete does not bump metadata_modified')
  t.same(sys.groups, [], 'group memberships removed')
  t.same(await ok('package_list', {}, { token: null }), [])
  const undelete = await ok('package_patch', { id: d.id, state: 'active' })
  t.equal(undelete.state, 'active')

  const move = await call('package_owner_org_update', { id: d.id, organization_id: 'org2' })
  t.equal(move.statusCode, 200)
  t.equal((await ok('package_show', { id: d.id })).organization.name, 'org2')
  const moveBad = await call('package_owner_org_update', { id: d.id, organization_id: 'nope' })
  t.equal(moveBad.statusCode, 404)
  t.equal(moveBad.json().error.message, 'Not found: Organization was not found.')

  t.equal((await call('dataset_purge', { id: d.id }, { token: null })).statusCode, 403)
  t.equal((await call('dataset_purge', { id: d.id })).statusCode, 200)
  t.equal((await call('package_show', { id: d.id })).statusCode, 404)
  const left = await db.kysely.selectFrom('resource').select('id').where('package_id', '=', d.id).execute()
  t.equal(left.length, 0, 'resources purged with the dataset')
  t.equal((await call('package_purge', { id: d.id })).statusCode, 404)
})

t.test('package_list and current_package_list_with_resources', async (t) => {
  const { ok, app, d } = await seeded(t)
  await ok('package_create', { name: 'aaa', owner_org: 'org1' })
  await ok('package_create', { name: 'hidden', owner_org: 'org1', private: true })
  await ok('package_create', { name: 'drafty', owner_org: 'org1', state: 'draft' })
  t.same(await ok('package_list', {}, { token: null }), ['aaa', 'ds'])
  t.same(await ok('package_list', {}), ['aaa', 'ds'], 'package_list never lists private datasets')
  t.same(await ok('package_list', { limit: 1, offset: 1 }, { token: null }), ['ds'])
  const get = await app.inject({ method: 'GET', url: '/api/3/action/package_list?limit=1&include_private=True' })
  t.same(get.json().result, ['aaa'])
  const bad = await app.inject({ method: 'GET', url: '/api/3/action/package_list?limit=abc' })
  t.equal(bad.statusCode, 409)
  t.same(bad.json().error.limit, ['Invalid integer'])
  const cur = await ok('current_package_list_with_resources', {}, { token: null })
  t.same(
    cur.map((x: any) => x.name),
    ['aaa', 'ds'],
    'most recently modified first',
  )
  t.equal(cur[1].resources.length, 2)
  t.equal(cur[1].id, d.id)
  const curSys = await ok('current_package_list_with_resources', { limit: 10 })
  t.ok(
    curSys.some((x: any) => x.name === 'hidden'),
    'sysadmins see private ones',
  )
  t.notOk(
    curSys.some((x: any) => x.name === 'drafty'),
    'drafts are not listed',
  )
  const anonPrivate = await app.inject({ method: 'GET', url: '/api/3/action/package_show?id=hidden' })
  t.equal(anonPrivate.statusCode, 403)
  t.notMatch(anonPrivate.body, /hidden/, 'a refused show leaks nothing of the dataset')
})

t.test('current_package_list_with_resources pages as package_search does (CKAN 2.11 passes rows=limit)', async (t) => {
  const { ok, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const created: string[] = []
  for (let i = 0; i < 32; i++) {
    const name = `ds-${String(i).padStart(2, '0')}`
    await ok('package_create', { name, owner_org: 'org1', resources: [{ url: `http://a/${i}.csv` }] })
    created.push(name)
  }
  // modified after every creation: first, though created early
  await ok('package_patch', { id: 'ds-05', notes: 'revisado' })
  const newestFirst = ['ds-05', ...created.filter((n) => n !== 'ds-05').reverse()]
  const names = (list: Array<{ name: string }>) => list.map((d) => d.name)
  const page = await ok('current_package_list_with_resources', {}, { token: null })
  t.same(names(page), newestFirst.slice(0, 10), 'no limit: the default page of package_search, 10 datasets, most recently modified first')
  t.same(names(page), names((await ok('package_search', { sort: 'metadata_modified desc' }, { token: null })).results), 'the same ten as package_search')
  t.equal(page[1].resources.length, 1, 'with their resources')
  const slice = await ok('current_package_list_with_resources', { limit: 20, offset: 10 }, { token: null })
  t.same(names(slice), newestFirst.slice(10, 30), 'limit=20, offset=10: the 11th to the 30th')
})
