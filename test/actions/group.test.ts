import t from 'tap'
import { testApp } from '../helpers/app.js'
import { insertDataset, insertUser, TIMESTAMP } from './group-fixtures.js'

t.test('group_create: the show dict, datasets and parent groups', async (t) => {
  const { call, ok, db } = await testApp(t)
  const ds1 = await insertDataset(db.kysely, { name: 'ds-one' })
  await insertDataset(db.kysely, { name: 'ds-two' })
  const parent = await ok('group_create', { name: 'parent', title: 'Parent' })
  const g = await ok('group_create', {
    name: 'child',
    title: 'Child',
    image_url: 'https://img.example/x.png',
    packages: [{ id: 'ds-one' }, { id: ds1 }],
    groups: [{ name: 'parent' }, { name: 'no-such-group' }],
  })
  t.same(Object.keys(g), [
    'approval_status',
    'created',
    'description',
    'display_name',
    'id',
    'image_display_url',
    'image_url',
    'is_organization',
    'name',
    'num_followers',
    'package_count',
    'state',
    'title',
    'type',
    'groups',
    'users',
    'extras',
    'tags',
  ])
  t.match(g.created, TIMESTAMP)
  t.equal(g.type, 'group')
  t.equal(g.is_organization, false)
  t.equal(g.image_display_url, 'https://img.example/x.png', 'absolute image URLs are shown as they are')
  t.equal(g.package_count, 1)
  t.same(g.groups, [{ capacity: 'public', name: 'parent' }], 'show form: name and capacity only; unknown parents skipped')
  t.same(
    g.users.map((u: Record<string, unknown>) => [u.name, u.capacity]),
    [['admin', 'admin']],
  )
  const rows = await db.kysely.selectFrom('member').select(['table_name', 'table_id', 'capacity', 'state']).where('group_id', '=', g.id).orderBy('table_name').execute()
  t.same(rows, [
    { table_name: 'group', table_id: parent.id, capacity: 'public', state: 'active' },
    { table_name: 'package', table_id: ds1, capacity: 'public', state: 'active' },
    { table_name: 'user', table_id: rows[2].table_id, capacity: 'admin', state: 'active' },
  ])

  const asOrg = await call('group_create', { name: 'sneaky', type: 'organization' })
  t.equal(asOrg.statusCode, 409)
  t.same(asOrg.json().error, { __type: 'Validation Error', message: 'Trying to create an organization as a group' })
  const custom = await ok('group_create', { name: 'custom', type: 'theme' })
  t.equal(custom.type, 'theme')

  const badPkg = await call('group_create', { name: 'bad-pkgs', packages: [{ id: 'nope' }, { name: 'ds-two' }, { id: 'ds-two' }] })
  t.equal(badPkg.statusCode, 409)
  t.same(badPkg.json().error, { __type: 'Validation Error', packages: [{ id: ['Not found: Dataset'] }, { id: ['Missing value'] }, {}] })
  const badParent = await call('group_create', { name: 'bad-parent', groups: [{ capacity: 'x' }] })
  t.same(badParent.json().error, { __type: 'Validation Error', groups: [{ name: ['Missing value'] }] })
  const anon = await call('group_create', { name: 'anon' }, { token: null })
  t.equal(anon.statusCode, 403)
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: User  not authorized to create groups' })
})

t.test('group_show: member datasets the caller may see', async (t) => {
  const { call, ok, db } = await testApp(t)
  const g = await ok('group_create', { name: 'themes', title: 'Themes' })
  const org = await ok('organization_create', { name: 'owner' })
  await insertDataset(db.kysely, { name: 'pub-a', owner_org: org.id, groups: [g.id] })
  await insertDataset(db.kysely, { name: 'pub-b', groups: [g.id] })
  await insertDataset(db.kysely, { name: 'priv', owner_org: org.id, private: true, groups: [g.id] })
  await insertDataset(db.kysely, { name: 'gone', state: 'deleted', groups: [g.id] })
  const left = await insertDataset(db.kysely, { name: 'left', groups: [g.id] })
  await db.kysely.updateTable('member').set({ state: 'deleted' }).where('table_id', '=', left).execute()
  await insertDataset(db.kysely, { name: 'elsewhere' })

  const anon = await ok('group_show', { id: 'themes', include_datasets: true }, { token: null })
  t.equal(anon.package_count, 2)
  t.same(anon.packages.map((p: Record<string, unknown>) => p.name).sort(), ['pub-a', 'pub-b'])
  t.same(
    anon.packages.find((p: Record<string, unknown>) => p.name === 'pub-b').groups.map((x: Record<string, unknown>) => x.name),
    ['themes'],
  )
  const admin = await ok('group_show', { id: g.id, include_datasets: true })
  t.equal(admin.package_count, 2, 'a group never counts private datasets (CKAN asks search for public ones only)')

  // one page of ten, newest change first
  for (let i = 0; i < 11; i++) await insertDataset(db.kysely, { name: `many-${String(i).padStart(2, '0')}`, groups: [g.id] })
  const paged = await ok('group_show', { id: g.id, include_datasets: true })
  t.equal(paged.package_count, 13)
  t.equal(paged.packages.length, 10)
  t.equal(paged.packages[0].name, 'many-10')

  const missing = await call('group_show', { id: 'nope' })
  t.equal(missing.statusCode, 404)
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found' })
})

t.test('group_list: sorts by visible package counts', async (t) => {
  const { ok, db } = await testApp(t)
  const a = await ok('group_create', { name: 'ga', title: 'Z last title' })
  const b = await ok('group_create', { name: 'gb', title: 'A first title' })
  await ok('group_create', { name: 'gc', title: 'M' })
  await ok('organization_create', { name: 'an-org', title: '0' })
  await insertDataset(db.kysely, { name: 'd1', groups: [a.id, b.id] })
  await insertDataset(db.kysely, { name: 'd2', groups: [a.id] })
  const org = await ok('organization_create', { name: 'o2' })
  await insertDataset(db.kysely, { name: 'd3', owner_org: org.id, private: true, groups: [b.id] })
  await insertDataset(db.kysely, { name: 'd4', owner_org: org.id, private: true, groups: [b.id] })

  t.same(await ok('group_list'), ['gb', 'gc', 'ga'], 'by title, groups only')
  t.same(await ok('group_list', { sort: 'package_count' }), ['ga', 'gb', 'gc'], 'groups without datasets are listed too')
  t.same(await ok('group_list', { sort: 'package_count asc' }), ['gc', 'gb', 'ga'])
  t.same(await ok('group_list', { groups: 'ga,gc' }), ['gc', 'ga'])
  t.same(await ok('group_list', { organizations: 'ga' }), ['gb', 'gc', 'ga'], 'group_list ignores organizations=')
  const all = await ok('group_list', { all_fields: true, sort: 'name' })
  t.same(
    all.map((g: Record<string, unknown>) => [g.name, g.package_count, g.num_followers]),
    [
      ['ga', 2, 0],
      ['gb', 1, 0],
      ['gc', 0, 0],
    ],
  )
  t.notOk('users' in all[0])
  t.notOk('extras' in all[0])
})

t.test('group_update: datasets, parents, users and the update result', async (t) => {
  const { call, ok, db } = await testApp(t)
  const d1 = await insertDataset(db.kysely, { name: 'd1' })
  const d2 = await insertDataset(db.kysely, { name: 'd2' })
  const top = await ok('group_create', { name: 'top', title: 'Top' })
  await ok('group_create', { name: 'mid', groups: [{ name: 'top' }] })
  const leaf = await ok('group_create', { name: 'leaf', groups: [{ name: 'mid' }], packages: [{ id: d1 }] })

  const kept = await ok('group_update', { id: 'leaf', title: 'Leaf', groups: [{ name: 'mid' }] })
  t.equal(kept.package_count, 1, 'packages not sent: kept')
  t.same(
    kept.packages.map((p: Record<string, unknown>) => p.name),
    ['d1'],
  )
  t.same(kept.users, [], 'users not sent: removed (CKAN)')
  t.equal(kept.groups.length, 1)
  const midDict = kept.groups[0]
  t.same(
    Object.keys(midDict),
    ['approval_status', 'capacity', 'created', 'description', 'display_name', 'id', 'image_display_url', 'image_url', 'is_organization', 'member_count', 'name', 'package_count', 'state', 'title', 'type', 'groups'],
    'parents in full (group_list_dictize) form',
  )
  t.same([midDict.name, midDict.capacity, midDict.member_count, midDict.package_count], ['mid', 'public', 1, 0])
  t.same(
    midDict.groups.map((g: Record<string, unknown>) => [g.name, g.capacity]),
    [['top', 'public']],
    'recursively',
  )

  const replaced = await ok('group_update', { id: leaf.id, packages: [{ id: 'd2' }], groups: [] })
  t.same(
    replaced.packages.map((p: Record<string, unknown>) => p.id),
    [d2],
    'packages sent: replaced',
  )
  t.same(replaced.groups, [])
  const memberRows = await db.kysely.selectFrom('member').select(['table_id', 'state']).where('group_id', '=', leaf.id).where('table_name', '=', 'package').orderBy('table_id').execute()
  t.same(
    memberRows.sort((a, b) => a.table_id.localeCompare(b.table_id)),
    [
      { table_id: d1, state: 'deleted' },
      { table_id: d2, state: 'active' },
    ].sort((a, b) => a.table_id.localeCompare(b.table_id)),
  )

  // loops: top may not sit below mid (its child), nor be its own parent
  const loop = await call('group_update', { id: 'top', groups: [{ name: 'mid' }, { name: 'top' }] })
  t.equal(loop.statusCode, 409)
  t.same(loop.json().error, { __type: 'Validation Error', groups: [{ name: ['This parent would create a loop in the hierarchy'] }, { name: ['This parent would create a loop in the hierarchy'] }] })
  const fine = await ok('group_update', { id: 'mid', groups: [{ name: 'top', capacity: 'parent' }] })
  t.same(
    fine.groups.map((g: Record<string, unknown>) => [g.name, g.capacity]),
    [['top', 'parent']],
  )
  void top

  const org = await ok('organization_create', { name: 'an-org' })
  const wrong = await call('group_update', { id: org.id, title: 'x' })
  t.equal(wrong.statusCode, 404)
  t.same(wrong.json().error, { __type: 'Not Found Error', message: 'Not found: Group was not found.' })
  const anon = await call('group_update', { id: leaf.id }, { token: null })
  t.equal(anon.statusCode, 403)
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: User  not authorized to edit group' })
})

t.test('group_patch keeps datasets; packages [] removes them', async (t) => {
  const { ok, db } = await testApp(t)
  const g = await ok('group_create', { name: 'gp' })
  await insertDataset(db.kysely, { name: 'member-ds', groups: [g.id] })
  const patched = await ok('group_patch', { id: 'gp', description: 'x' })
  t.equal(patched.description, 'x')
  t.equal((await ok('group_show', { id: g.id })).package_count, 1)
  await ok('group_patch', { id: 'gp', packages: [] })
  t.equal((await ok('group_show', { id: g.id, include_datasets: true })).package_count, 0)
})

t.test('group_delete and group_purge', async (t) => {
  const { call, ok, db } = await testApp(t)
  const parent = await ok('group_create', { name: 'gparent' })
  const g = await ok('group_create', { name: 'gdel', groups: [{ name: 'gparent' }] })
  const child = await ok('group_create', { name: 'gchild', groups: [{ name: 'gdel' }] })
  const ds = await insertDataset(db.kysely, { name: 'in-group', groups: [g.id] })
  t.equal(await ok('group_delete', { id: 'gdel' }), null, 'a group with datasets can be deleted')
  t.equal((await ok('group_show', { id: g.id })).state, 'deleted')
  const rows = await db.kysely
    .selectFrom('member')
    .select('state')
    .where((eb) => eb.or([eb('group_id', '=', g.id), eb('table_id', '=', g.id)]))
    .execute()
  t.equal(rows.length, 4)
  t.ok(
    rows.every((r) => r.state === 'deleted'),
    'its memberships, both ways, end',
  )
  t.same((await ok('group_show', { id: child.id })).groups, [])
  t.same(await ok('group_list'), ['gchild', 'gparent'])
  t.same((await ok('package_show', { id: ds })).groups, [], 'the dataset no longer lists it')

  const org = await ok('organization_create', { name: 'an-org' })
  const wrong = await call('group_delete', { id: org.id })
  t.equal(wrong.statusCode, 404, 'group_delete does not delete an organization')
  t.same(wrong.json().error, { __type: 'Not Found Error', message: 'Not found: Group was not found.' })
  const anon = await call('group_delete', { id: parent.id }, { token: null })
  t.equal(anon.statusCode, 403)
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: User  not authorized to delete group' })

  t.equal(await ok('group_purge', { id: 'gdel' }), null)
  t.equal((await call('group_show', { id: g.id })).statusCode, 404)
  t.equal(
    await db.kysely
      .selectFrom('member')
      .select('id')
      .where((eb) => eb.or([eb('group_id', '=', g.id), eb('table_id', '=', g.id)]))
      .executeTakeFirst(),
    undefined,
  )
  t.ok(await db.kysely.selectFrom('package').select('id').where('id', '=', ds).executeTakeFirst(), 'its datasets stay')
  const missing = await call('group_purge', { id: 'gdel' })
  t.equal(missing.statusCode, 404)
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found: Group was not found' })
  const orgPurge = await call('group_purge', { id: org.id })
  t.equal(orgPurge.statusCode, 404, 'group_purge does not purge an organization')
  const bob = await insertUser(db.kysely, 'bob')
  const denied = await call('group_purge', { id: parent.id }, { token: bob.token })
  t.equal(denied.statusCode, 403)
  t.same(denied.json().error, { __type: 'Authorization Error', message: 'Access denied: User bob not authorized to purge groups' })
})
