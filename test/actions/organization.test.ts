import { createHash } from 'node:crypto'
import t from 'tap'
import { testApp } from '../helpers/app.js'
import { validateGroup } from '../../src/model/group-validate.js'
import { ValidationError } from '../../src/errors.js'
import { insertDataset, insertUser, TIMESTAMP } from './group-fixtures.js'

const SHOW_KEYS = [
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
  'users',
  'extras',
  'tags',
  'groups',
]
const USER_KEYS = [
  'about',
  'activity_streams_email_notifications',
  'capacity',
  'created',
  'display_name',
  'email_hash',
  'fullname',
  'id',
  'image_display_url',
  'image_url',
  'last_active',
  'name',
  'number_created_packages',
  'state',
  'sysadmin',
]

t.test('organization_create: the show dict, creator as admin', async (t) => {
  const { ok, db, call } = await testApp(t)
  const org = await ok('organization_create', { name: 'my-org', title: 'My Org', description: 'About', image_url: 'logo.png' })
  t.same(Object.keys(org), SHOW_KEYS, 'keys in CKAN order')
  t.match(org.id, /^[0-9a-f-]{36}$/)
  t.match(org.created, TIMESTAMP)
  t.same(
    { ...org, id: 'ID', created: 'C', users: 'U' },
    {
      approval_status: 'approved',
      created: 'C',
      description: 'About',
      display_name: 'My Org',
      id: 'ID',
      image_display_url: 'http://test.local/uploads/group/logo.png',
      image_url: 'logo.png',
      is_organization: true,
      name: 'my-org',
      num_followers: 0,
      package_count: 0,
      state: 'active',
      title: 'My Org',
      type: 'organization',
      users: 'U',
      extras: [],
      tags: [],
      groups: [],
    },
  )
  const admin = await db.kysely.selectFrom('user').selectAll().where('name', '=', 'admin').executeTakeFirstOrThrow()
  t.equal(org.users.length, 1)
  const u = org.users[0]
  t.same(Object.keys(u).sort(), USER_KEYS)
  t.same(
    { ...u, created: 'C', last_active: 'L' },
    {
      id: admin.id,
      name: 'admin',
      fullname: null,
      created: 'C',
      about: null,
      last_active: 'L',
      activity_streams_email_notifications: false,
      sysadmin: true,
      state: 'active',
      image_url: null,
      capacity: 'admin',
      display_name: 'admin',
      email_hash: 'd41d8cd98f00b204e9800998ecf8427e',
      number_created_packages: 0,
      image_display_url: null,
    },
  )
  t.notOk('email' in u, 'no email, even for a sysadmin (user_list_dictize)')
  const rows = await db.kysely.selectFrom('member').selectAll().where('group_id', '=', org.id).execute()
  t.same(
    rows.map((r) => [r.table_name, r.table_id, r.capacity, r.state]),
    [['user', admin.id, 'admin', 'active']],
  )

  // envelope
  const res = await call('organization_create', { name: 'second-org' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['help', 'result', 'success'])
  t.equal(body.help, 'http://test.local/api/3/action/help_show?name=organization_create')
  t.equal(body.result.title, '')
  t.equal(body.result.display_name, 'second-org', 'display_name falls back to the name')
  t.equal(body.result.image_display_url, '')
})

t.test('organization_create: extras, users and a chosen id', async (t) => {
  const { ok, db } = await testApp(t)
  const bob = await insertUser(db.kysely, 'bob', { fullname: 'Bob B', email: ' Bob@Example.org ' })
  const id = '0d6c6a54-1c0e-4a36-9d4e-6b2f3e0e9a11'
  const org = await ok('organization_create', {
    id,
    name: 'with-id',
    extras: [
      { key: 'z', value: '1' },
      { key: 'a', value: 2 },
    ],
    users: [{ name: 'bob', capacity: 'editor' }, { name: 'nobody' }],
  })
  t.equal(org.id, id)
  t.same(
    org.extras.map((e: Record<string, unknown>) => [e.key, e.value, e.state, e.group_id]),
    [
      ['a', '2', 'active', id],
      ['z', '1', 'active', id],
    ],
    'sorted by key, values as strings',
  )
  t.match(org.extras[0].id, /^[0-9a-f-]{36}$/)
  t.same(
    org.users.map((u: Record<string, unknown>) => [u.name, u.capacity]),
    [
      ['admin', 'admin'],
      ['bob', 'editor'],
    ],
    'unknown users skipped',
  )
  const b = org.users[1]
  t.equal(b.id, bob.id)
  t.equal(b.display_name, 'Bob B')
  t.equal(b.email_hash, createHash('md5').update('bob@example.org').digest('hex'), 'md5 of the trimmed, lower-cased email')
  t.equal(b.sysadmin, false)
})

t.test('organization_create: validation messages', async (t) => {
  const { call, ok } = await testApp(t)
  const fail = async (body: Record<string, unknown>) => {
    const res = await call('organization_create', body)
    t.equal(res.statusCode, 409)
    const json = res.json()
    t.equal(json.success, false)
    t.equal(json.error.__type, 'Validation Error')
    return json.error
  }
  t.same(await fail({}), { __type: 'Validation Error', name: ['Missing value'] })
  t.same(await fail({ name: '' }), { __type: 'Validation Error', name: ['Missing value'] })
  t.same(await fail({ name: 'a' }), { __type: 'Validation Error', name: ['Must be at least 2 characters long'] })
  t.same(await fail({ name: 'Bad Name' }), { __type: 'Validation Error', name: ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'] })
  t.same(await fail({ name: 'new' }), { __type: 'Validation Error', name: ['That name cannot be used'] })
  t.same(await fail({ name: 'x'.repeat(101) }), { __type: 'Validation Error', name: ['Name must be a maximum of 100 characters long'] })
  await ok('organization_create', { name: 'taken' })
  t.same(await fail({ name: 'taken' }), { __type: 'Validation Error', name: ['Group name already exists in database'] })
  await ok('organization_delete', { id: 'taken' })
  t.same(await fail({ name: 'taken' }), { __type: 'Validation Error', name: ['Group name already exists in database'] }, 'deleted groups keep their name')
  await ok('group_create', { name: 'a-group' })
  t.same(await fail({ name: 'a-group' }), { __type: 'Validation Error', name: ['Group name already exists in database'] }, 'groups and organizations share names')
  t.same(await fail({ name: 'ok-name', id: 'not-a-uuid' }), { __type: 'Validation Error', id: ['Invalid id provided'] })
  const existing = await ok('organization_create', { name: 'has-id' })
  t.same(await fail({ name: 'ok-name', id: existing.id }), { __type: 'Validation Error', id: ['Id already exists'] })
  t.same(await fail({ name: 'ok-name', extras: [{ key: 'a', value: '1' }, { value: 'x' }, { key: 'title', value: 'x' }, { key: 'b' }] }), {
    __type: 'Validation Error',
    extras: [{}, { key: ['Missing value'] }, { key: ['There is a schema field with the same name'] }, { value: ['Missing value'] }],
  })
  t.same(await fail({ name: 'ok-name', users: [{ capacity: 'admin' }] }), { __type: 'Validation Error', users: [{ name: ['Missing value'] }] })
  t.same(
    await fail({ name: 'B', extras: [{ key: '', value: '' }] }),
    {
      __type: 'Validation Error',
      name: ['Must be at least 2 characters long'],
      extras: [{ key: ['Missing value'] }],
    },
    'every field error at once',
  )

  const bad = await call('organization_create', { name: 'ok-name', extras: 'nope' })
  t.equal(bad.statusCode, 400)
  t.same(bad.json().error, { __type: 'Integrity Error', message: "Only lists of dicts can be placed against subschema ('extras',), not <class 'str'>", data: { name: 'ok-name', extras: 'nope' } })
})

t.test('id on create is for sysadmins only', async (t) => {
  const { db } = await testApp(t)
  const err = await validateGroup(db.kysely, { name: 'x-org', id: '0d6c6a54-1c0e-4a36-9d4e-6b2f3e0e9a11' }, { mode: 'create', sysadmin: false }).catch((e: unknown) => e)
  t.ok(err instanceof ValidationError)
  t.same((err as ValidationError).fields, { id: ['The input field id was not expected.'] })
})

t.test('writes refused to anonymous callers and plain users', async (t) => {
  const { call, ok, db } = await testApp(t)
  const org = await ok('organization_create', { name: 'guarded' })
  const bob = await insertUser(db.kysely, 'bob')
  const cases: [string, Record<string, unknown>, string][] = [
    ['organization_create', { name: 'nope' }, 'create organizations'],
    ['organization_update', { id: org.id }, 'edit organization'],
    ['organization_patch', { id: org.id }, 'edit organization'],
    ['organization_delete', { id: org.id }, 'delete organization'],
    ['organization_purge', { id: org.id }, 'purge organizations'],
  ]
  for (const [action, body, what] of cases) {
    const anon = await call(action, body, { token: null })
    t.equal(anon.statusCode, 403, `${action} anonymous`)
    t.same(anon.json().error, { __type: 'Authorization Error', message: `Access denied: User  not authorized to ${what}` })
    const user = await call(action, body, { token: bob.token })
    t.equal(user.statusCode, 403, `${action} plain user`)
    t.same(user.json().error, { __type: 'Authorization Error', message: `Access denied: User bob not authorized to ${what}` })
  }
  const still = await ok('organization_show', { id: org.id }, { token: null })
  t.equal(still.state, 'active')
})

t.test('organization_show: lookup, kinds, visibility of datasets, include flags', async (t) => {
  const { call, ok, db } = await testApp(t)
  const org = await ok('organization_create', { name: 'shown', title: 'Shown', extras: [{ key: 'k', value: 'v' }] })
  const pub = await insertDataset(db.kysely, { name: 'public-one', owner_org: org.id })
  await insertDataset(db.kysely, { name: 'private-one', owner_org: org.id, private: true })
  await insertDataset(db.kysely, { name: 'deleted-one', owner_org: org.id, state: 'deleted' })
  await insertDataset(db.kysely, { name: 'draft-one', owner_org: org.id, state: 'draft' })

  t.equal((await ok('organization_show', { id: 'shown' })).id, org.id, 'by name')
  t.equal((await ok('organization_show', { id: org.id }, { token: null })).package_count, 1, 'anonymous: public active only')
  t.equal((await ok('organization_show', { id: org.id })).package_count, 2, 'sysadmin: private ones too')

  const anon = await ok('organization_show', { id: org.id, include_datasets: true }, { token: null })
  t.same(
    anon.packages.map((p: Record<string, unknown>) => p.name),
    ['public-one'],
  )
  t.equal(anon.packages[0].id, pub)
  t.equal(anon.packages[0].organization.name, 'shown', 'full package_show dicts')
  t.same(
    Object.keys(anon).filter((k) => k === 'packages'),
    ['packages'],
  )
  const admin = await ok('organization_show', { id: org.id, include_datasets: 'true' })
  t.same(admin.packages.map((p: Record<string, unknown>) => p.name).sort(), ['private-one', 'public-one'])
  t.notOk('packages' in (await ok('organization_show', { id: org.id })), 'no packages unless asked')

  const bare = await ok('organization_show', {
    id: org.id,
    include_dataset_count: false,
    include_extras: 'false',
    include_users: 'no',
    include_groups: 0,
    include_tags: 'f',
    include_followers: false,
  })
  t.same(Object.keys(bare), ['approval_status', 'created', 'description', 'display_name', 'id', 'image_display_url', 'image_url', 'is_organization', 'name', 'num_followers', 'state', 'title', 'type'])
  t.equal(bare.num_followers, 0)
  const counted = await ok('organization_show', { id: org.id, include_member_count: true })
  t.equal(counted.member_count, 1)

  const badFlag = await call('organization_show', { id: org.id, include_users: 'maybe' })
  t.equal(badFlag.statusCode, 409)
  t.same(badFlag.json().error, { __type: 'Validation Error', message: 'Parameter is not an bool' })

  const missing = await call('organization_show', { id: 'nope' })
  t.equal(missing.statusCode, 404)
  t.same(missing.json(), { help: 'http://test.local/api/3/action/help_show?name=organization_show', success: false, error: { __type: 'Not Found Error', message: 'Not found' } })
  const noId = await call('organization_show', {})
  t.equal(noId.statusCode, 409)
  t.same(noId.json().error, { __type: 'Validation Error', id: ['Missing value'] })

  const group = await ok('group_create', { name: 'just-a-group' })
  const wrong = await call('organization_show', { id: group.id })
  t.equal(wrong.statusCode, 404, 'a group is not an organization')
  t.same(wrong.json().error, { __type: 'Not Found Error', message: 'Not found' })
  const wrong2 = await call('group_show', { id: org.id })
  t.equal(wrong2.statusCode, 404, 'and the reverse')
})

t.test('organization_show: a deleted organization', async (t) => {
  const { call, ok } = await testApp(t)
  const org = await ok('organization_create', { name: 'gone' })
  await ok('organization_delete', { id: org.id })
  t.equal((await ok('organization_show', { id: 'gone' })).state, 'deleted', 'sysadmins still see it')
  const anon = await call('organization_show', { id: 'gone' }, { token: null })
  t.equal(anon.statusCode, 403)
  t.same(anon.json().error, { __type: 'Authorization Error', message: `Access denied: User  not authorized to read group ${org.id}` })
})

t.test('organization_list: names, sort, paging, filters, all_fields', async (t) => {
  const { call, ok, db, app } = await testApp(t)
  const b = await ok('organization_create', { name: 'bbb', title: 'Alpha', description: 'water things' })
  const a = await ok('organization_create', { name: 'aaa', title: 'Charlie' })
  const c = await ok('organization_create', { name: 'ccc', title: 'Bravo 50%' })
  await ok('organization_create', { name: 'ddd', title: 'Delta' })
  await ok('organization_delete', { id: 'ddd' })
  await ok('group_create', { name: 'a-group', title: 'A group' })
  for (const [org, n] of [
    [a, 3],
    [c, 1],
  ] as const) {
    for (let i = 0; i < n; i++) await insertDataset(db.kysely, { name: `${org.name}-ds-${i}`, owner_org: org.id })
  }
  await insertDataset(db.kysely, { name: 'bbb-private', owner_org: b.id, private: true })
  await insertDataset(db.kysely, { name: 'bbb-private-2', owner_org: b.id, private: true })

  t.same(await ok('organization_list'), ['bbb', 'ccc', 'aaa'], 'by title, active organizations only')
  t.same(await ok('organization_list', { sort: 'name' }), ['aaa', 'bbb', 'ccc'])
  t.same(await ok('organization_list', { sort: 'name desc' }), ['ccc', 'bbb', 'aaa'])
  t.same(await ok('organization_list', { sort: 'title DESC' }), ['aaa', 'ccc', 'bbb'])
  t.same(await ok('organization_list', { sort: 'package_count' }, { token: null }), ['aaa', 'ccc', 'bbb'], 'package_count alone sorts descending')
  t.same(await ok('organization_list', { sort: 'package_count' }), ['aaa', 'bbb', 'ccc'], "counts are the caller's: the sysadmin sees private datasets")
  t.same(await ok('organization_list', { sort: 'packages asc' }, { token: null }), ['bbb', 'ccc', 'aaa'])
  t.same(await ok('organization_list', { order_by: 'name' }), ['aaa', 'bbb', 'ccc'], 'deprecated order_by')
  t.same(await ok('organization_list', { sort: 'name', limit: 2 }), ['aaa', 'bbb'])
  t.same(await ok('organization_list', { sort: 'name', limit: 2, offset: 2 }), ['ccc'])
  t.same(await ok('organization_list', { q: 'WATER' }), ['bbb'], 'q looks in description too, case-insensitively')
  t.same(await ok('organization_list', { q: '50%' }), ['ccc'])
  t.same(await ok('organization_list', { q: '5_%' }), [], '% and _ are literal')
  t.same(await ok('organization_list', { organizations: 'aaa, ccc' }), ['ccc', 'aaa'])
  t.same(await ok('organization_list', { organizations: ['bbb'] }), ['bbb'])
  t.same(await ok('organization_list', { groups: ['bbb'] }), ['bbb', 'ccc', 'aaa'], 'organization_list ignores groups=')
  t.same(await ok('organization_list', { type: 'other' }), [])

  const get = await app.inject({ method: 'GET', url: '/api/3/action/organization_list?sort=name%20desc&limit=1' })
  t.same(get.json().result, ['ccc'], 'GET with a query string')

  const all = await ok('organization_list', { all_fields: true, sort: 'name' }, { token: null })
  t.equal(all.length, 3)
  t.same(Object.keys(all[0]), ['approval_status', 'created', 'description', 'display_name', 'id', 'image_display_url', 'image_url', 'is_organization', 'name', 'num_followers', 'package_count', 'state', 'title', 'type'])
  t.same(
    all.map((o: Record<string, unknown>) => [o.name, o.package_count]),
    [
      ['aaa', 3],
      ['bbb', 0],
      ['ccc', 1],
    ],
  )
  const withExtras = await ok('organization_list', { all_fields: true, include_extras: true, include_users: true, sort: 'name', limit: 1 })
  t.same(withExtras[0].extras, [])
  t.equal(withExtras[0].users[0].name, 'admin')
  t.notOk('groups' in withExtras[0])

  const errors: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ sort: 'created' }, { message: 'Cannot sort by field `created`' }],
    [{ sort: 'name sideways' }, { message: 'Invalid sort direction `sideways`' }],
    [{ sort: 'name asc, title desc' }, { message: 'Too many sort criteria provided only 1 allowed' }],
    [{ limit: -1 }, { limit: ['Must be a natural number'] }],
    [{ limit: 'ten' }, { limit: ['Invalid integer'] }],
    [{ offset: -2 }, { offset: ['Must be a natural number'] }],
  ]
  for (const [body, error] of errors) {
    const res = await call('organization_list', body)
    t.equal(res.statusCode, 409, JSON.stringify(body))
    t.same(res.json().error, { __type: 'Validation Error', ...error })
  }
})

t.test('organization_list: limits are capped at 1000 names and 25 dicts', async (t) => {
  const { ok, db } = await testApp(t)
  const now = new Date().toISOString().slice(0, 19)
  await db.kysely
    .insertInto('group')
    .values(Array.from({ length: 30 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `org-${String(i).padStart(2, '0')}`, type: 'organization', is_organization: true, created: now })))
    .execute()
  t.equal((await ok('organization_list')).length, 30)
  t.equal((await ok('organization_list', { all_fields: true })).length, 25)
  t.equal((await ok('organization_list', { all_fields: true, limit: 100 })).length, 25)
  t.equal((await ok('organization_list', { all_fields: true, limit: 0 })).length, 25, 'a limit of 0 is not "no limit"')
  t.equal((await ok('organization_list', { limit: 5 })).length, 5)
})

t.test('organization_update: full replace semantics', async (t) => {
  const { call, ok, db } = await testApp(t)
  const bob = await insertUser(db.kysely, 'bob')
  const org = await ok('organization_create', {
    name: 'upd',
    title: 'Upd',
    description: 'd',
    extras: [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ],
    users: [{ name: 'bob', capacity: 'member' }],
  })
  await insertDataset(db.kysely, { name: 'owned', owner_org: org.id })
  const extraA = org.extras.find((e: Record<string, unknown>) => e.key === 'a')

  const res = await ok('organization_update', { id: 'upd', description: 'new' })
  t.same(
    Object.keys(res),
    ['approval_status', 'created', 'description', 'display_name', 'id', 'image_display_url', 'image_url', 'is_organization', 'name', 'package_count', 'state', 'title', 'type', 'extras', 'packages', 'tags', 'groups', 'users'],
    'group_dictize output: packages page, no num_followers',
  )
  t.equal(res.description, 'new')
  t.equal(res.title, 'Upd', 'fields not given are kept')
  t.equal(res.id, org.id)
  t.same(
    res.extras.map((e: Record<string, unknown>) => e.key),
    ['a', 'b'],
    'extras not given are kept',
  )
  t.same(
    res.packages.map((p: Record<string, unknown>) => p.name),
    ['owned'],
  )
  t.equal(res.package_count, 1)
  t.same(res.users, [], 'users not given are dropped (CKAN)')
  t.same(res.groups, [])
  t.same(res.tags, [])

  const res2 = await ok('organization_update', {
    id: org.id,
    extras: [
      { key: 'a', value: 'changed' },
      { key: 'c', value: '3' },
    ],
    users: [{ name: bob.id, capacity: 'editor' }],
  })
  t.same(
    res2.extras.map((e: Record<string, unknown>) => [e.key, e.value]),
    [
      ['a', 'changed'],
      ['c', '3'],
    ],
  )
  t.equal(res2.extras[0].id, extraA.id, 'an extra keeps its id')
  t.same(
    res2.users.map((u: Record<string, unknown>) => [u.name, u.capacity]),
    [['bob', 'editor']],
  )
  const res3 = await ok('organization_update', {
    id: org.id,
    extras: [
      { key: 'a', value: 'x', deleted: 'on' },
      { key: 'c', value: '3' },
    ],
  })
  t.same(
    res3.extras.map((e: Record<string, unknown>) => e.key),
    ['c'],
    'a deleted flag removes the key',
  )
  const res4 = await ok('organization_update', { id: org.id, extras: [] })
  t.same(res4.extras, [], 'an empty list clears them')

  const renamed = await ok('organization_update', { id: org.id, name: 'renamed', title: 'Renamed', type: 'organization', packages: [{ id: 'owned' }] })
  t.equal(renamed.name, 'renamed')
  t.equal(renamed.package_count, 1, 'packages are ignored for organizations')
  const shown = await ok('organization_show', { id: 'renamed' })
  t.equal(shown.title, 'Renamed')
  t.equal(shown.is_organization, true)

  const fail = async (body: Record<string, unknown>, status: number) => {
    const r = await call('organization_update', body)
    t.equal(r.statusCode, status, JSON.stringify(body))
    return r.json().error
  }
  t.same(await fail({}, 409), { __type: 'Validation Error', id: ['Missing value'] })
  t.same(await fail({ id: 'nope' }, 404), { __type: 'Not Found Error', message: 'Not found: Group was not found.' })
  t.same(await fail({ id: org.id, type: 'dataset' }, 409), { __type: 'Validation Error', message: 'Type cannot be updated' })
  await ok('organization_create', { name: 'other-org' })
  t.same(await fail({ id: org.id, name: 'other-org' }, 409), { __type: 'Validation Error', name: ['Group name already exists in database'] })
  t.same(await fail({ id: org.id, name: '' }, 409), { __type: 'Validation Error', name: ['Missing value'] })
  t.same(await fail({ id: org.id, name: 'Bad!' }, 409), { __type: 'Validation Error', name: ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'] })
  const group = await ok('group_create', { name: 'grp' })
  t.same(await fail({ id: group.id }, 404), { __type: 'Not Found Error', message: 'Not found: Group was not found.' }, 'organization_update does not touch a group')
  t.equal((await ok('organization_update', { id: org.id, name: 'renamed' })).name, 'renamed', 'keeping its own name is fine')
})

t.test('organization_patch: changes only what is given', async (t) => {
  const { call, ok, db } = await testApp(t)
  await insertUser(db.kysely, 'bob')
  const org = await ok('organization_create', { name: 'pat', title: 'Pat', description: 'd', extras: [{ key: 'a', value: '1' }], users: [{ name: 'bob', capacity: 'editor' }] })
  const res = await ok('organization_patch', { id: 'pat', description: 'patched' })
  t.equal(res.description, 'patched')
  t.equal(res.title, 'Pat')
  t.same(
    res.extras.map((e: Record<string, unknown>) => [e.key, e.value, e.id]),
    [['a', '1', org.extras[0].id]],
  )
  t.same(
    res.users.map((u: Record<string, unknown>) => [u.name, u.capacity]),
    [
      ['admin', 'admin'],
      ['bob', 'editor'],
    ],
    'members kept',
  )
  t.notOk('num_followers' in res, 'answered by organization_update')
  const res2 = await ok('organization_patch', { id: org.id, extras: [{ key: 'b', value: '2' }] })
  t.same(
    res2.extras.map((e: Record<string, unknown>) => e.key),
    ['b'],
    'a list given replaces the list',
  )

  const missing = await call('organization_patch', { id: 'nope' })
  t.equal(missing.statusCode, 404)
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found' })
  const group = await ok('group_create', { name: 'grp' })
  t.equal((await call('organization_patch', { id: group.id })).statusCode, 404)
  const bad = await call('organization_patch', { id: org.id, name: 'x' })
  t.equal(bad.statusCode, 409)
  t.same(bad.json().error, { __type: 'Validation Error', name: ['Must be at least 2 characters long'] })
})

t.test('organization_delete', async (t) => {
  const { call, ok, db } = await testApp(t)
  const org = await ok('organization_create', { name: 'del' })
  const ds = await insertDataset(db.kysely, { name: 'still-here', owner_org: org.id, private: true })
  const res = await call('organization_delete', { id: 'del' })
  t.equal(res.statusCode, 409)
  t.same(res.json().error, { message: 'Organization cannot be deleted while it still has datasets', __type: 'Validation Error' })
  t.equal((await ok('organization_show', { id: org.id })).state, 'active')

  await db.kysely.updateTable('package').set({ state: 'deleted' }).where('id', '=', ds).execute()
  const done = await call('organization_delete', { id: 'del' })
  t.equal(done.statusCode, 200)
  t.same(done.json(), { help: 'http://test.local/api/3/action/help_show?name=organization_delete', success: true, result: null })
  t.equal((await ok('organization_show', { id: org.id })).state, 'deleted')
  const members = await db.kysely.selectFrom('member').select('state').where('group_id', '=', org.id).execute()
  t.same(
    members.map((m) => m.state),
    ['deleted'],
    'memberships end',
  )
  t.same(await ok('organization_list'), [])
  const pkg = await db.kysely.selectFrom('package').select('owner_org').where('id', '=', ds).executeTakeFirstOrThrow()
  t.equal(pkg.owner_org, org.id, 'a deleted dataset keeps its owner')

  const missing = await call('organization_delete', { id: 'nope' })
  t.equal(missing.statusCode, 404)
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found: Group was not found.' })
  const group = await ok('group_create', { name: 'grp' })
  t.equal((await call('organization_delete', { id: group.id })).statusCode, 404, 'not for groups')
  t.equal((await ok('group_show', { id: group.id })).state, 'active')
})

t.test('organization_delete and _purge release datasets when unowned ones are allowed', async (t) => {
  const { ok, db } = await testApp(t, { CREATE_UNOWNED_DATASET: 'true' })
  const org = await ok('organization_create', { name: 'rel' })
  const ds = await insertDataset(db.kysely, { name: 'released', owner_org: org.id })
  t.equal(await ok('organization_delete', { id: org.id }), null)
  t.equal((await db.kysely.selectFrom('package').select('owner_org').where('id', '=', ds).executeTakeFirstOrThrow()).owner_org, null)
  const org2 = await ok('organization_create', { name: 'rel2' })
  const ds2 = await insertDataset(db.kysely, { name: 'released-2', owner_org: org2.id, state: 'draft' })
  t.equal(await ok('organization_purge', { id: org2.id }), null)
  t.equal((await db.kysely.selectFrom('package').select('owner_org').where('id', '=', ds2).executeTakeFirstOrThrow()).owner_org, null)
})

t.test('organization_purge', async (t) => {
  const { call, ok, db } = await testApp(t)
  const org = await ok('organization_create', { name: 'pur' })
  const ds = await insertDataset(db.kysely, { name: 'active-ds', owner_org: org.id })
  const res = await call('organization_purge', { id: 'pur' })
  t.equal(res.statusCode, 409)
  t.same(res.json().error, { __type: 'Validation Error', message: 'Organization cannot be purged while it still has datasets' })

  await db.kysely.updateTable('package').set({ state: 'deleted' }).where('id', '=', ds).execute()
  const done = await call('organization_purge', { id: 'pur' })
  t.same(done.json(), { help: 'http://test.local/api/3/action/help_show?name=organization_purge', success: true, result: null })
  t.equal((await call('organization_show', { id: org.id })).statusCode, 404)
  t.equal(await db.kysely.selectFrom('member').select('id').where('group_id', '=', org.id).executeTakeFirst(), undefined)
  const pkg = await db.kysely.selectFrom('package').select('owner_org').where('id', '=', ds).executeTakeFirstOrThrow()
  t.equal(pkg.owner_org, null, 'its deleted datasets become unowned')
  t.equal((await ok('organization_create', { name: 'pur' })).name, 'pur', 'the name is free again')

  const missing = await call('organization_purge', { id: 'nope' })
  t.equal(missing.statusCode, 404)
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found: Organization was not found' })
})
