import t from 'tap'
import { randomUUID } from 'node:crypto'
import { testApp } from '../helpers/app.js'
import { insertUser } from './group-fixtures.js'

// The five places where CKAN 2.11's own action tests (ckan/tests/logic/action) disagreed with Abierto.

t.test("group_package_show: the group's public datasets, as package_search finds them", async (t) => {
  const { call, ok } = await testApp(t)
  const org = await ok('organization_create', { name: 'owner' })
  const g = await ok('group_create', { name: 'themes' })
  await ok('group_create', { name: 'other' })
  await ok('package_create', { name: 'outside', owner_org: org.id })
  await ok('package_create', { name: 'in-group-old', owner_org: org.id, groups: [{ id: g.id }] })
  await ok('package_create', { name: 'in-group-new', owner_org: org.id, groups: [{ name: 'themes' }] })
  await ok('package_create', { name: 'private-one', owner_org: org.id, private: true, groups: [{ id: g.id }] })
  await ok('package_create', { name: 'in-other', owner_org: org.id, groups: [{ name: 'other' }] })

  const all = await ok('group_package_show', { id: g.id }, { token: null })
  t.same(
    all.map((d: { name: string }) => d.name),
    ['in-group-new', 'in-group-old'],
    'its public datasets, newest first',
  )
  t.equal(all[0].groups[0].name, 'themes', 'package_show dicts')
  const bySysadmin = await ok('group_package_show', { id: 'themes' })
  t.same(
    bySysadmin.map((d: { name: string }) => d.name),
    ['in-group-new', 'in-group-old'],
    'by name; private datasets left out even for sysadmins (package_search default)',
  )
  t.same(
    (await ok('group_package_show', { id: 'themes', limit: 1 })).map((d: { name: string }) => d.name),
    ['in-group-new'],
  )
  t.same(
    (await ok('group_package_show', { id: 'themes', limit: '1' })).map((d: { name: string }) => d.name),
    ['in-group-new'],
    'a limit given as text',
  )
  t.same(await ok('group_package_show', { id: 'owner' }), [], 'an organization: no dataset is in a group of that name')

  const res = await call('group_package_show', { id: 'themes', limit: -1 })
  t.equal(res.statusCode, 409)
  t.same(res.json().error, { __type: 'Validation Error', message: 'Limit must be a positive integer' })
  const text = await call('group_package_show', { id: 'themes', limit: 'many' })
  t.same(text.json().error, { __type: 'Validation Error', message: 'Limit must be a positive integer' })
  const missing = await call('group_package_show', { id: 'no-such-group' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.__type, 'Not Found Error')
  const noId = await call('group_package_show', {})
  t.equal(noId.statusCode, 409)
  t.same(noId.json().error.id, ['Missing value'])
})

t.test('resource format: a value that is no key of the format list is kept as given', async (t) => {
  const { ok } = await testApp(t)
  const org = await ok('organization_create', { name: 'owner' })
  const ds = await ok('package_create', {
    name: 'formats',
    owner_org: org.id,
    resources: [
      { url: 'https://example.org/a', format: 'plain text' },
      { url: 'https://example.org/b', format: 'text/plain' },
      { url: 'https://example.org/c', format: 'comma separated values file' },
      { url: 'https://example.org/d', format: 'TTL' },
      { url: 'https://example.org/e.txt' },
    ],
  })
  t.same(
    ds.resources.map((r: { format: string }) => r.format),
    ['plain text', 'TXT', 'CSV', 'TTL', 'TXT'],
    'known names, descriptions and mimetypes map; the rest is kept',
  )
  const shown = await ok('package_show', { id: 'formats' })
  t.equal(shown.resources[0].format, 'plain text', 'stored and shown as given')
})

t.test("extras: only a sysadmin may send an extra's id", async (t) => {
  const { db, call, ok } = await testApp(t)
  const org = await ok('organization_create', { name: 'owner' })
  const editor = await insertUser(db.kysely, 'editor')
  await ok('organization_member_create', { id: org.id, username: 'editor', role: 'editor' })
  const id = randomUUID()
  const create = await call(
    'package_create',
    {
      name: 'with-extras',
      owner_org: org.id,
      extras: [
        { key: 'fine', value: '1' },
        { id, key: 'original media', value: '"book"' },
      ],
    },
    { token: editor.token },
  )
  t.equal(create.statusCode, 409)
  t.same(create.json().error, { __type: 'Validation Error', extras: [{}, { id: ['The input field id was not expected.'] }] })

  await ok('package_create', { name: 'with-extras', owner_org: org.id, extras: [{ key: 'a', value: '1' }] }, { token: editor.token })
  const update = await call('package_update', { id: 'with-extras', owner_org: org.id, extras: [{ id, key: 'a', value: '2' }] }, { token: editor.token })
  t.equal(update.statusCode, 409)
  t.same(update.json().error, { __type: 'Validation Error', extras: [{ id: ['The input field id was not expected.'] }] })
  const empty = await ok('package_update', { id: 'with-extras', owner_org: org.id, extras: [{ id: '', key: 'a', value: '3' }] }, { token: editor.token })
  t.same(empty.extras, [{ key: 'a', value: '3' }], 'an empty id is no id (navl empty)')

  const bySysadmin = await ok('package_create', { name: 'admin-extras', owner_org: org.id, extras: [{ id, key: 'original media', value: '"book"' }] })
  t.equal(bySysadmin.extras[0].key, 'original media', 'a sysadmin may')
  const badId = await call('package_create', { name: 'admin-bad', owner_org: org.id, extras: [{ id: 'x', key: 'k', value: 'v' }] })
  t.same(badId.json().error, { __type: 'Validation Error', extras: [{ id: ['Invalid id provided'] }] })

  const user = await insertUser(db.kysely, 'plain')
  const group = await call('group_create', { name: 'g-extras', extras: [{ id, key: 'area', value: '"non profit"' }] }, { token: user.token })
  t.equal(group.statusCode, 409)
  t.same(group.json().error, { __type: 'Validation Error', extras: [{ id: ['The input field id was not expected.'] }] })
})

t.test('user_update: a null password is a validation error', async (t) => {
  const { db, call, ok } = await testApp(t)
  const u = await insertUser(db.kysely, 'someone', { email: 'someone@example.org' })
  const res = await call('user_update', { id: 'someone', email: 'someone@example.org', password: null }, { token: u.token })
  t.equal(res.statusCode, 409)
  t.same(res.json().error, { __type: 'Validation Error', password: ['Passwords must be strings'] })
  const created = await call('user_create', { name: 'newbie', email: 'newbie@example.org', password: null })
  t.same(created.json().error, { __type: 'Validation Error', password: ['Passwords must be strings', 'Missing value'] })
  await ok('user_update', { id: 'someone', email: 'someone@example.org', password: '' }, { token: u.token })
})

t.test('organization_list_for_user: a permission no role has, of any type, gives admins only', async (t) => {
  const { db, ok } = await testApp(t)
  const org = await ok('organization_create', { name: 'edited' })
  const mine = await ok('organization_create', { name: 'administered' })
  await ok('organization_create', { name: 'unrelated' })
  const user = await insertUser(db.kysely, 'editor')
  await ok('organization_member_create', { id: org.id, username: 'editor', role: 'editor' })
  const list = async (body: Record<string, unknown>) => (await ok('organization_list_for_user', body, { token: user.token })).map((o: { name: string }) => o.name)
  t.same(await list({}), ['edited'], 'default manage_group')
  t.same(await list({ permission: 'create_dataset' }), ['edited'])
  for (const permission of ['', ' ', 'foo', 27.3, 5, true, false, null]) {
    t.same(await list({ permission }), [], `permission ${JSON.stringify(permission)}`)
  }
  await ok('organization_member_create', { id: mine.id, username: 'editor', role: 'admin' })
  t.same(await list({ permission: 5 }), ['administered'], 'admins hold every permission, unknown ones too')
})

t.test('user_list order_by=email: sysadmins only; others get the default order', async (t) => {
  const { db, ok } = await testApp(t)
  // display names sort b, c, a; e-mails sort a, b, c
  await insertUser(db.kysely, 'user-a', { fullname: 'Zoe', email: 'a@example.org' })
  await insertUser(db.kysely, 'user-b', { fullname: 'Ana', email: 'b@example.org' })
  const c = await insertUser(db.kysely, 'user-c', { fullname: 'Mia', email: 'c@example.org' })
  const names = async (token?: string | null) => (await ok('user_list', { order_by: 'email', all_fields: false }, { token })).filter((n: string) => n.startsWith('user-'))
  t.same(await names(null), ['user-b', 'user-c', 'user-a'], 'anonymous: by display name')
  t.same(await names(c.token), ['user-b', 'user-c', 'user-a'], 'a user: by display name')
  t.same(await names(), ['user-a', 'user-b', 'user-c'], 'a sysadmin: by e-mail')
})
