import t from 'tap'
import { testApp } from '../helpers/app.js'
import { insertDataset, insertUser } from './group-fixtures.js'

const MEMBER_KEYS = ['id', 'table_name', 'table_id', 'capacity', 'group_id', 'state']

t.test('member_create / member_delete: datasets in a group', async (t) => {
  const { call, ok, db } = await testApp(t)
  const g = await ok('group_create', { name: 'topic' })
  const ds = await insertDataset(db.kysely, { name: 'the-data' })

  const res = await call('member_create', { id: 'topic', object: 'the-data', object_type: 'package', capacity: 'public' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.help, 'http://test.local/api/3/action/help_show?name=member_create')
  const m = body.result
  t.same(Object.keys(m), MEMBER_KEYS)
  t.match(m.id, /^[0-9a-f-]{36}$/)
  t.same({ ...m, id: 'ID' }, { id: 'ID', table_name: 'package', table_id: ds, capacity: 'public', group_id: g.id, state: 'active' })
  t.equal((await ok('group_show', { id: g.id })).package_count, 1)

  const again = await ok('member_create', { id: g.id, object: ds, object_type: 'package', capacity: 'private' })
  t.same(again, { ...m, capacity: 'private' }, 'the same row, new capacity')

  const del = await call('member_delete', { id: 'topic', object: 'the-data', object_type: 'package' })
  t.same(del.json(), { help: 'http://test.local/api/3/action/help_show?name=member_delete', success: true, result: null })
  t.equal((await ok('group_show', { id: g.id })).package_count, 0)
  const row = await db.kysely.selectFrom('member').select('state').where('id', '=', m.id).executeTakeFirstOrThrow()
  t.equal(row.state, 'deleted')
  t.equal(await ok('member_delete', { id: 'topic', object: 'the-data', object_type: 'package' }), null, 'no error when not a member')

  const back = await ok('member_create', { id: 'topic', object: 'the-data', object_type: 'package', capacity: 'public' })
  t.same(back, { ...m, capacity: 'public', state: 'active' }, 'a deleted row is re-activated')
  const rows = await db.kysely.selectFrom('member').select('id').where('table_id', '=', ds).execute()
  t.equal(rows.length, 1)
})

t.test('member_create: users in an organization', async (t) => {
  const { call, ok, db } = await testApp(t)
  const org = await ok('organization_create', { name: 'org' })
  const bob = await insertUser(db.kysely, 'bob')
  const m = await ok('member_create', { id: org.id, object: 'bob', object_type: 'user', capacity: 'editor' })
  t.same({ ...m, id: 'ID' }, { id: 'ID', table_name: 'user', table_id: bob.id, capacity: 'editor', group_id: org.id, state: 'active' })
  const shown = await ok('organization_show', { id: org.id })
  t.same(
    shown.users.map((u: Record<string, unknown>) => [u.name, u.capacity]),
    [
      ['admin', 'admin'],
      ['bob', 'editor'],
    ],
  )
  await ok('member_delete', { id: org.id, object: bob.id, object_type: 'user' })
  t.same(
    (await ok('organization_show', { id: org.id })).users.map((u: Record<string, unknown>) => u.name),
    ['admin'],
  )

  const self = await call('member_create', { id: org.id, object: 'admin', object_type: 'user', capacity: 'member' })
  t.equal(self.statusCode, 403)
  t.same(self.json().error, { __type: 'Authorization Error', message: 'Access denied: Administrators cannot revoke their own admin status' })

  const parent = await ok('group_create', { name: 'parent-group' })
  const child = await ok('group_create', { name: 'child-group' })
  const gm = await ok('member_create', { id: child.id, object: 'parent-group', object_type: 'group', capacity: 'parent' })
  t.equal(gm.table_id, parent.id)
  t.same((await ok('group_show', { id: child.id })).groups, [{ capacity: 'parent', name: 'parent-group' }])
})

t.test('member_create / member_delete: errors', async (t) => {
  const { call, ok, db } = await testApp(t)
  await ok('group_create', { name: 'g1' })
  await insertDataset(db.kysely, { name: 'd1' })
  const fail = async (action: string, body: Record<string, unknown>, status: number, opts?: { token?: string | null }) => {
    const res = await call(action, body, opts)
    t.equal(res.statusCode, status, `${action} ${JSON.stringify(body)}`)
    return res.json().error
  }
  t.same(await fail('member_create', {}, 409), {
    __type: 'Validation Error',
    id: ['Missing value'],
    object: ['Missing value'],
    object_type: ['Missing value'],
    capacity: ['Missing value'],
  })
  t.same(await fail('member_delete', { id: 'g1' }, 409), { __type: 'Validation Error', object: ['Missing value'], object_type: ['Missing value'] })
  for (const action of ['member_create', 'member_delete']) {
    const base = { id: 'g1', object: 'd1', object_type: 'package', capacity: 'public' }
    t.same(await fail(action, { ...base, id: 'nope' }, 404), { __type: 'Not Found Error', message: 'Not found: Group was not found.' })
    t.same(await fail(action, { ...base, object_type: 'foo' }, 409), { __type: 'Validation Error', message: "Foo isn't a valid model" })
    t.same(await fail(action, { ...base, object_type: 'data set' }, 409), { __type: 'Validation Error', message: "Data Set isn't a valid model" })
    t.same(await fail(action, { ...base, object: 'nope' }, 404), { __type: 'Not Found Error', message: 'Not found: Package was not found.' })
    t.same(await fail(action, { ...base, object: 'nope', object_type: 'user' }, 404), { __type: 'Not Found Error', message: 'Not found: User was not found.' })
    t.same(await fail(action, base, 403, { token: null }), { __type: 'Authorization Error', message: 'Access denied: User  not authorized to edit group' })
  }
  t.equal((await ok('group_show', { id: 'g1' })).package_count, 0, 'nothing written')
})

t.test('organization_member_create / group_member_create of an unknown group', async (t) => {
  const { call, ok } = await testApp(t)
  await ok('user_create', { name: 'ana', email: 'ana@example.org', password: 'a-long-password' })
  for (const action of ['organization_member_create', 'group_member_create']) {
    const res = await call(action, { id: 'no-such-group', username: 'ana', role: 'editor' })
    t.equal(res.statusCode, 409, `${action}: a sysadmin gets the validation error, not an authorization error`)
    t.same(res.json().error, { __type: 'Validation Error', id: ['That group name or ID does not exist.'] })
    const anon = await call(action, { id: 'no-such-group', username: 'ana', role: 'editor' }, { token: null })
    t.equal(anon.statusCode, 403, `${action}: anyone else is refused first`)
  }
})
