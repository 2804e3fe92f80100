import t from 'tap'
import { ROLES, STATES, world, type DatasetState, type Role } from './roles-fixtures.js'

/**
 * Who may do what to a dataset of org1, per caller and dataset state. A cell is true (allowed) or
 * the exact CKAN error message for the 403 (a function of the caller's name and the ids).
 */

type Ids = { id: string; name: string; resourceId: string; user: string }
type Expect = true | ((x: Ids) => string)

const readPkg: Expect = (x) => `User ${x.user} not authorized to read package ${x.id}`
const readRes: Expect = (x) => `User ${x.user} not authorized to read resource ${x.resourceId}`
const editPkg: Expect = (x) => `User ${x.user} not authorized to edit package ${x.id}`

// who reads what (CKAN labels; drafts only for those who may edit them)
const READERS: Record<DatasetState, Role[]> = {
  public: [...ROLES],
  private: ['member', 'editor', 'admin', 'collab_member', 'collab_editor', 'sysadmin'],
  draft: ['editor', 'admin', 'collab_editor', 'sysadmin'],
  deleted: ['member', 'editor', 'admin', 'collab_member', 'collab_editor', 'sysadmin'],
}
const EDITORS: Role[] = ['editor', 'admin', 'collab_editor', 'sysadmin']

t.test('dataset reads and writes: caller × state', async (t) => {
  const w = await world(t)
  const cases: { action: string; body: (x: Ids) => Record<string, unknown>; allowed: (state: DatasetState, role: Role) => boolean; denied: Expect; fresh?: boolean }[] = [
    { action: 'package_show', body: (x) => ({ id: x.id }), allowed: (s, r) => READERS[s].includes(r), denied: readPkg },
    { action: 'package_show', body: (x) => ({ id: x.name }), allowed: (s, r) => READERS[s].includes(r), denied: readPkg },
    { action: 'resource_show', body: (x) => ({ id: x.resourceId }), allowed: (s, r) => READERS[s].includes(r), denied: readRes },
    { action: 'package_patch', body: (x) => ({ id: x.id, notes: 'changed' }), allowed: (_s, r) => EDITORS.includes(r), denied: editPkg },
    { action: 'package_update', body: (x) => ({ id: x.id, name: x.name, owner_org: 'org1', title: 'T' }), allowed: (_s, r) => EDITORS.includes(r), denied: editPkg },
    { action: 'resource_create', body: (x) => ({ package_id: x.id, url: 'http://example.org/new.csv' }), allowed: (_s, r) => EDITORS.includes(r), denied: (x) => `User ${x.user} not authorized to create resources on dataset ${x.id}` },
    { action: 'resource_patch', body: (x) => ({ id: x.resourceId, name: 'renamed' }), allowed: (_s, r) => EDITORS.includes(r), denied: (x) => `User ${x.user} not authorized to edit resource ${x.resourceId}` },
    { action: 'resource_delete', body: (x) => ({ id: x.resourceId }), allowed: (_s, r) => EDITORS.includes(r), denied: (x) => `User ${x.user} not authorized to delete resource ${x.resourceId}`, fresh: true },
    { action: 'package_delete', body: (x) => ({ id: x.id }), allowed: (_s, r) => EDITORS.includes(r), denied: editPkg, fresh: true },
    { action: 'dataset_purge', body: (x) => ({ id: x.id }), allowed: (_s, r) => r === 'sysadmin', denied: (x) => `User ${x.user} not authorized to purge package`, fresh: true },
  ]
  const shared: Partial<Record<DatasetState, { id: string; name: string; resourceId: string }>> = {}
  for (const state of STATES) shared[state] = await w.dataset(state, `shared-${state}`)
  let n = 0
  for (const c of cases) {
    for (const state of STATES) {
      for (const role of ROLES) {
        const d = c.fresh ? await w.dataset(state, `fresh-${++n}`) : shared[state]!
        const x: Ids = { ...d, user: w.nameOf(role) }
        const res = await w.call(c.action, c.body(x), { token: w.token(role) })
        const label = `${c.action} ${state} as ${role}`
        if (c.allowed(state, role)) {
          t.equal(res.statusCode, 200, `${label}: allowed (${res.statusCode} ${res.statusCode !== 200 ? res.body : ''})`)
        } else {
          t.equal(res.statusCode, 403, `${label}: refused`)
          t.same(res.json().error, { __type: 'Authorization Error', message: `Access denied: ${(c.denied as (x: Ids) => string)(x)}` }, `${label}: message`)
        }
      }
    }
  }
})

t.test('package_create: who may add datasets to org1', async (t) => {
  const w = await world(t)
  const expected: Record<Role, true | string> = {
    anonymous: 'User  not authorized to create packages',
    registered: 'User registered not authorized to create packages',
    member: 'User member not authorized to create packages',
    editor: true,
    admin: true,
    other_admin: 'User otheradmin not authorized to add dataset to this organization',
    collab_member: 'User collabmember not authorized to create packages',
    collab_editor: 'User collabeditor not authorized to create packages',
    sysadmin: true,
  }
  for (const role of ROLES) {
    const res = await w.call('package_create', { name: `new-${role.replace('_', '-')}`, owner_org: 'org1', private: true }, { token: w.token(role) })
    const want = expected[role]
    if (want === true) {
      t.equal(res.statusCode, 200, `${role} creates (${res.body.slice(0, 200)})`)
      // the creator reads it back, private as it is
      t.equal((await w.call('package_show', { id: res.json().result.id }, { token: w.token(role) })).statusCode, 200, `${role} reads its private dataset`)
    } else {
      t.equal(res.statusCode, 403, `${role} refused`)
      t.same(res.json().error, { __type: 'Authorization Error', message: `Access denied: ${want}` })
    }
  }
  // an editor of org1 may not move a dataset into org2: a validation error on owner_org
  const d = await w.ok('package_create', { name: 'movable', owner_org: 'org1' }, { token: w.token('editor') })
  const move = await w.call('package_patch', { id: d.id, owner_org: 'org2' }, { token: w.token('editor') })
  t.equal(move.statusCode, 409)
  t.same(move.json().error, { __type: 'Validation Error', owner_org: ['You cannot add a dataset to this organization'] })
  // a collaborator editor may not move it either
  const collabMove = await w.call('package_patch', { id: (await w.dataset('public', 'collab-move')).id, owner_org: 'org2' }, { token: w.token('collab_editor') })
  t.same(collabMove.json().error, { __type: 'Validation Error', owner_org: ['You cannot move this dataset to another organization'] })
  // the org admin moving into an org where they are admin too: allowed
  await w.ok('organization_member_create', { id: 'org2', username: 'orgadmin', role: 'admin' })
  t.equal((await w.ok('package_patch', { id: d.id, owner_org: 'org2' }, { token: w.token('admin') })).owner_org, w.org2)
})

t.test('organization and membership writes', async (t) => {
  const w = await world(t)
  const orgUpdate = (role: Role) => w.call('organization_patch', { id: 'org1', description: `by ${role}` }, { token: w.token(role) })
  for (const role of ROLES) {
    const res = await orgUpdate(role)
    if (role === 'admin' || role === 'sysadmin') t.equal(res.statusCode, 200, `${role} edits the organization`)
    else t.same(res.json().error, { __type: 'Authorization Error', message: `Access denied: User ${w.nameOf(role)} not authorized to edit organization` }, `${role} may not edit it`)
  }
  // organization_member_create: admins only
  for (const role of ROLES) {
    const res = await w.call('organization_member_create', { id: 'org1', username: 'registered', role: 'member' }, { token: w.token(role) })
    if (role === 'admin' || role === 'sysadmin') t.equal(res.statusCode, 200, `${role} adds members`)
    else t.same(res.json().error, { __type: 'Authorization Error', message: `Access denied: User ${w.nameOf(role)} not authorized to add members` }, `${role} may not add members`)
  }
  const m = await w.ok('organization_member_create', { id: 'org1', username: 'registered', role: 'editor' }, { token: w.token('admin') })
  t.same({ ...m, id: 'ID' }, { id: 'ID', table_name: 'user', table_id: w.users.registered.id, capacity: 'editor', group_id: w.org1, state: 'active' })
  const bad = await w.call('organization_member_create', { id: 'org1', username: 'nobody', role: 'boss' }, { token: w.token('admin') })
  t.same(bad.json().error, { __type: 'Validation Error', username: ['User not found'], role: ['role does not exist.'] })
  // roles take effect at once (the memoized roles are dropped by the write)
  const priv = await w.dataset('private', 'fresh-private')
  t.equal((await w.call('package_patch', { id: priv.id, notes: 'x' }, { token: w.token('registered') })).statusCode, 200, 'the new editor edits')
  await w.ok('organization_member_delete', { id: 'org1', username: 'registered' }, { token: w.token('admin') })
  t.equal((await w.call('package_show', { id: priv.id }, { token: w.token('registered') })).statusCode, 403, 'removed: no longer reads')
  const denied = await w.call('organization_member_delete', { id: 'org1', username: 'member' }, { token: w.token('editor') })
  t.same(denied.json().error, { __type: 'Authorization Error', message: 'Access denied: User editor not authorized to edit group' })
  // an admin cannot demote themself
  const self = await w.call('organization_member_create', { id: 'org1', username: 'orgadmin', role: 'member' }, { token: w.token('admin') })
  t.same(self.json().error, { __type: 'Authorization Error', message: 'Access denied: Administrators cannot revoke their own admin status' })
  // organization_delete: admins (the org still owns datasets → validation), others 403
  t.same((await w.call('organization_delete', { id: 'org1' }, { token: w.token('editor') })).json().error, { __type: 'Authorization Error', message: 'Access denied: User editor not authorized to delete organization' })
  // group: any member may add datasets (member_create of a package), only admins add users
  await w.ok('group_member_create', { id: 'group1', username: 'member', role: 'member' })
  t.equal((await w.call('member_create', { id: 'group1', object: priv.id, object_type: 'package', capacity: 'public' }, { token: w.token('member') })).statusCode, 200, 'a group member adds a dataset')
  t.equal((await w.call('member_create', { id: 'group1', object: 'editor', object_type: 'user', capacity: 'member' }, { token: w.token('member') })).statusCode, 403, 'but not users')
  // group_create: any logged-in user, who becomes its admin
  const g = await w.ok('group_create', { name: 'users-group' }, { token: w.token('registered') })
  t.equal(g.users[0].capacity, 'admin')
  t.equal((await w.call('group_patch', { id: 'users-group', title: 'x' }, { token: w.token('registered') })).statusCode, 200)
  t.equal((await w.call('group_patch', { id: 'users-group', title: 'x' }, { token: w.token('member') })).statusCode, 403)
})

t.test('bulk updates: organization admins only', async (t) => {
  const w = await world(t)
  const a = await w.dataset('public', 'bulk-a')
  const b = await w.dataset('public', 'bulk-b')
  for (const role of ['editor', 'member', 'other_admin', 'registered', 'anonymous'] as Role[]) {
    const res = await w.call('bulk_update_private', { datasets: [a.id], org_id: 'org1' }, { token: w.token(role) })
    t.equal(res.statusCode, 403, `${role} refused`)
    t.same(res.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  }
  t.equal(await w.ok('bulk_update_private', { datasets: [a.id, b.name], org_id: 'org1' }, { token: w.token('admin') }), null)
  t.equal((await w.call('package_show', { id: a.id }, { token: null })).statusCode, 403, 'now private')
  t.equal((await w.call('package_show', { id: b.id }, { token: null })).statusCode, 403)
  await w.ok('bulk_update_public', { datasets: [a.id], org_id: w.org1 }, { token: w.token('admin') })
  t.equal((await w.call('package_show', { id: a.id }, { token: null })).statusCode, 200, 'public again')
  // datasets of another organization are left alone
  await w.ok('bulk_update_delete', { datasets: [a.id], org_id: 'org2' }, { token: w.token('other_admin') })
  t.equal((await w.ok('package_show', { id: a.id })).state, 'active')
  await w.ok('bulk_update_delete', { datasets: [a.id], org_id: 'org1' }, { token: w.token('admin') })
  t.equal((await w.ok('package_show', { id: a.id })).state, 'deleted')
})

t.test('collaborators', async (t) => {
  const w = await world(t)
  const d = await w.dataset('private', 'collab-ds')
  // managed by org admins (and sysadmins)
  const add = await w.call('package_collaborator_create', { id: d.id, user_id: 'registered', capacity: 'member' }, { token: w.token('editor') })
  t.same(add.json().error, { __type: 'Authorization Error', message: 'Access denied: User editor not authorized to add collaborators to this dataset' })
  const c = await w.ok('package_collaborator_create', { id: d.name, user_id: 'registered', capacity: 'member' }, { token: w.token('admin') })
  t.match(c, { package_id: d.id, user_id: w.users.registered.id, capacity: 'member' })
  const badCap = await w.call('package_collaborator_create', { id: d.id, user_id: 'registered', capacity: 'admin' }, { token: w.token('admin') })
  t.same(badCap.json().error, { __type: 'Validation Error', message: 'Role must be one of "editor, member"' })
  t.equal((await w.call('package_show', { id: d.id }, { token: w.token('registered') })).statusCode, 200, 'a collaborator reads the private dataset')
  t.equal((await w.call('package_patch', { id: d.id, notes: 'x' }, { token: w.token('registered') })).statusCode, 403, 'a member collaborator does not edit')
  await w.ok('package_collaborator_create', { id: d.id, user_id: 'registered', capacity: 'editor' }, { token: w.token('admin') })
  t.equal((await w.call('package_patch', { id: d.id, notes: 'x' }, { token: w.token('registered') })).statusCode, 200, 'an editor collaborator edits')
  const list = await w.ok('package_collaborator_list', { id: d.id }, { token: w.token('admin') })
  t.same(
    list.map((r: { user_id: string; capacity: string }) => [r.user_id, r.capacity]).sort(),
    [
      [w.users.collab_editor.id, 'editor'],
      [w.users.collab_member.id, 'member'],
      [w.users.registered.id, 'editor'],
    ].sort(),
  )
  t.same(
    (await w.ok('package_collaborator_list_for_user', { id: 'registered' }, { token: w.token('registered') })).map((r: { package_id: string }) => r.package_id),
    [d.id],
  )
  const other = await w.call('package_collaborator_list_for_user', { id: 'registered' }, { token: w.token('editor') })
  t.same(other.json().error, { __type: 'Authorization Error', message: 'Access denied' })
  t.equal(await w.ok('package_collaborator_delete', { id: d.id, user_id: 'registered' }, { token: w.token('admin') }), null)
  t.equal((await w.call('package_show', { id: d.id }, { token: w.token('registered') })).statusCode, 403, 'gone: no longer reads')
  const missing = await w.call('package_collaborator_delete', { id: d.id, user_id: 'registered' }, { token: w.token('admin') })
  t.same(missing.json().error, { __type: 'Not Found Error', message: 'Not found: User registered is not a collaborator on this package' })
})

t.test('collaborators disabled (the default): collaborations grant nothing', async (t) => {
  const w = await world(t, {})
  const d = await w.dataset('private', 'no-collab')
  t.equal((await w.call('package_show', { id: d.id }, { token: w.token('collab_editor') })).statusCode, 403)
  t.equal((await w.call('package_patch', { id: d.id, notes: 'x' }, { token: w.token('collab_editor') })).statusCode, 403)
  const res = await w.call('package_collaborator_create', { id: d.id, user_id: 'registered', capacity: 'member' }, { token: w.token('admin') })
  t.same(res.json().error, { __type: 'Validation Error', message: 'Dataset collaborators not enabled' })
})

t.test('membership queries', async (t) => {
  const w = await world(t)
  t.same(await w.ok('member_roles_list', {}, { token: null }), [
    { text: 'Admin', value: 'admin' },
    { text: 'Editor', value: 'editor' },
    { text: 'Member', value: 'member' },
  ])
  t.same(await w.ok('member_roles_list', { group_type: 'group' }, { token: null }), [
    { text: 'Admin', value: 'admin' },
    { text: 'Member', value: 'member' },
  ])
  const mine = await w.ok('organization_list_for_user', {}, { token: w.token('member') })
  t.same(
    mine.map((o: { name: string; capacity: string }) => [o.name, o.capacity]),
    [['org1', 'member']],
  )
  t.same(await w.ok('organization_list_for_user', { permission: 'create_dataset' }, { token: w.token('member') }), [])
  t.same(
    (await w.ok('organization_list_for_user', { id: 'editor', permission: 'create_dataset' }, { token: null })).map((o: { name: string }) => o.name),
    ['org1'],
  )
  t.same(
    (await w.ok('organization_list_for_user', {})).map((o: { name: string; capacity: string }) => [o.name, o.capacity]),
    [
      ['org1', 'admin'],
      ['org2', 'admin'],
    ],
    'sysadmin: all, as admin',
  )
  t.same(await w.ok('organization_list_for_user', {}, { token: null }), [])
  t.equal((await w.call('organization_list_for_user', { id: 'nobody' })).statusCode, 404)
  const members = await w.ok('member_list', { id: 'org1', object_type: 'user' }, { token: null })
  t.same(members.map((m: string[]) => m.slice(1)).sort(), [
    ['user', 'Admin'],
    ['user', 'Editor'],
    ['user', 'Member'],
  ])
  t.same(await w.ok('group_list_authz', {}, { token: null }), [])
  t.same(await w.ok('group_list_authz', {}, { token: w.token('member') }), [])
  await w.ok('group_member_create', { id: 'group1', username: 'member', role: 'member' })
  t.same(
    (await w.ok('group_list_authz', {}, { token: w.token('member') })).map((g: { name: string }) => g.name),
    ['group1'],
  )
  t.same(
    (await w.ok('group_list_authz', {})).map((g: { name: string }) => g.name),
    ['group1'],
    'sysadmin: every group',
  )
  // a deleted organization is shown to its members only
  await w.db.kysely.updateTable('group').set({ state: 'deleted' }).where('id', '=', w.org2).execute()
  t.equal((await w.call('organization_show', { id: 'org2' }, { token: w.token('other_admin') })).statusCode, 200)
  const outsider = await w.call('organization_show', { id: 'org2' }, { token: w.token('member') })
  t.same(outsider.json().error, { __type: 'Authorization Error', message: `Access denied: User member not authorized to read group ${w.org2}` })
})

t.test('adding a dataset to a group needs a role in that group', async (t) => {
  const w = await world(t)
  const d = await w.dataset('public', 'grouped')
  const token = w.token('editor')
  for (const [action, body] of [
    ['package_patch', { id: d.id, groups: [{ name: 'group1' }] }],
    ['package_revise', { match: { id: d.id }, update: { groups: [{ name: 'group1' }] } }],
    ['package_create', { name: 'new-grouped', owner_org: 'org1', groups: [{ name: 'group1' }] }],
  ] as [string, Record<string, unknown>][]) {
    const res = await w.call(action, body, { token })
    t.same(res.json().error, { __type: 'Authorization Error', message: 'Access denied: User editor not authorized to edit these groups' }, action)
  }
  await w.ok('group_member_create', { id: 'group1', username: 'editor', role: 'member' })
  t.same(
    (await w.ok('package_patch', { id: d.id, groups: [{ name: 'group1' }] }, { token })).groups.map((g: { name: string }) => g.name),
    ['group1'],
  )
  // keeping a group the dataset is already in needs nothing
  await w.ok('group_member_delete', { id: 'group1', username: 'editor' })
  t.equal((await w.call('package_patch', { id: d.id, notes: 'n' }, { token })).statusCode, 200)
  const revise = await w.call('package_revise', { match: { id: d.id }, update: { notes: 'x' } }, { token: w.token('member') })
  t.same(revise.json().error, { __type: 'Authorization Error', message: `Access denied: User member not authorized to edit package ${d.id}` })
})
