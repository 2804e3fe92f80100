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
  registered: Actor
  harvest: Actor
}

async function setup(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = {}): Promise<Setup> {
  const w = await testApp(t, env)
  const db = w.db.kysely
  const org1 = await insertGroup(db, 'org1')
  await insertGroup(db, 'org2')
  await insertGroup(db, 'group1', { organization: false })
  const adminRow = await db.selectFrom('user').select('id').where('name', '=', 'admin').executeTakeFirstOrThrow()
  const editor = await insertUser(db, 'editor')
  const registered = await insertUser(db, 'registered')
  const harvest = await insertUser(db, 'harvest')
  await addMember(db, org1, editor.id, 'editor')
  await addMember(db, org1, harvest.id, 'editor')
  return { w, admin: { id: adminRow.id, name: 'admin', token: w.sysadminToken }, editor: { ...editor, name: 'editor' }, registered: { ...registered, name: 'registered' }, harvest: { ...harvest, name: 'harvest' } }
}

const names = (list: any[]) => list.map((a) => `${a.activity_type}: ${a.data.package?.name ?? a.data.group?.name ?? a.object_id}`)

t.test('organization_activity_list and group_activity_list: the group and its public datasets', async (t) => {
  const { w, admin, editor, harvest } = await setup(t)
  const pub = await datasetWrite(w, admin, 'package_create', { name: 'pub', owner_org: 'org1', groups: [{ name: 'group1' }] })
  await datasetWrite(w, admin, 'package_create', { name: 'priv', owner_org: 'org1', private: true, groups: [{ name: 'group1' }] })
  await datasetWrite(w, admin, 'package_create', { name: 'elsewhere', owner_org: 'org2' })
  await groupWrite(w, admin, 'organization_patch', { id: 'org1', title: 'Org One' })
  await groupWrite(w, admin, 'group_patch', { id: 'group1', title: 'Group One' })
  await datasetWrite(w, editor, 'package_patch', { id: pub, title: 'Pub 2' })
  await datasetWrite(w, harvest, 'package_patch', { id: pub, title: 'Pub 3' })
  const gone = await datasetWrite(w, admin, 'package_create', { name: 'gone', owner_org: 'org1', groups: [{ name: 'group1' }] })
  await datasetWrite(w, admin, 'package_delete', { id: gone })

  const org = async (token: string | null, body: Record<string, unknown> = {}) => names(await w.ok('organization_activity_list', { id: 'org1', ...body }, { token }))
  const group = async (token: string | null, body: Record<string, unknown> = {}) => names(await w.ok('group_activity_list', { id: 'group1', ...body }, { token }))

  const publicOrg = ['new package: gone', 'changed package: pub', 'changed organization: org1', 'new package: pub']
  t.same(await org(null), publicOrg, 'anonymous: no private dataset, no deletion, no hidden user, no other org')
  t.same(await org(editor.token), ['deleted package: gone', ...publicOrg], 'a member reads the deletion, never the dataset private now')
  t.same(await org(admin.token), ['deleted package: gone', ...publicOrg], 'sysadmins too: private datasets are out of org streams')
  t.same(await org(admin.token, { include_hidden_activity: true }), ['deleted package: gone', 'new package: gone', 'changed package: pub', 'changed package: pub', 'changed organization: org1', 'new package: pub'])
  t.same(await org(null, { activity_types: ['changed organization'] }), ['changed organization: org1'])
  t.same(await org(null, { exclude_activity_types: ['changed organization'] }), publicOrg, 'exclude_activity_types is ignored here (CKAN)')
  t.same(await org(null, { limit: 2, offset: 1 }), publicOrg.slice(1, 3))
  const orgActivity = (await w.ok('organization_activity_list', { id: 'org1', activity_types: ['changed organization'] }))[0]
  t.same(Object.keys(orgActivity), ACTIVITY_KEYS)
  t.equal(orgActivity.permission_labels, null)
  t.same(Object.keys(orgActivity.data.group).sort(), ['approval_status', 'created', 'description', 'id', 'image_url', 'is_organization', 'name', 'state', 'title', 'type'])
  t.equal(orgActivity.data.group.title, 'Org One')

  // the group: its own activity, and member datasets active with their membership (or deleted with it)
  const groupAnon = await group(null)
  t.same(groupAnon, ['new package: gone', 'changed package: pub', 'changed group: group1', 'new package: pub'], 'no org activity, no private member, no hidden user')
  const groupAdmin = await group(admin.token)
  t.ok(groupAdmin.includes('changed group: group1') && !groupAdmin.some((n) => n.endsWith(': priv')))
  t.same(await group(null, { activity_types: ['changed group'] }), ['changed group: group1'])

  for (const [name, id, status, message] of [
    ['organization_activity_list', 'nope', 404, 'Not found'],
    ['organization_activity_list', 'group1', 404, 'Not found'],
    ['group_activity_list', 'org1', 404, 'Not found'],
  ] as const) {
    const res = await w.call(name, { id })
    t.equal(res.statusCode, status, `${name} ${id}`)
    t.equal(res.json().error.message, message)
  }
  const bad = await w.call('organization_activity_list', { id: 'org1', exclude_activity_types: 'x', after: 'then' })
  t.same(bad.json().error, { __type: 'Validation Error', exclude_activity_types: ['Not a list'], after: ['Must be a float timestamp'] })
  t.same((await w.call('group_activity_list', {})).json().error, { __type: 'Validation Error', id: ['Missing value'] })
})

t.test('a deleted organization: its stream only for those who may read it', async (t) => {
  const { w, admin, editor, registered } = await setup(t)
  await groupWrite(w, admin, 'organization_patch', { id: 'org1', description: 'x' })
  await w.db.kysely.updateTable('group').set({ state: 'deleted' }).where('name', '=', 'org1').execute()
  t.equal((await w.call('organization_activity_list', { id: 'org1' }, { token: null })).statusCode, 403)
  t.equal((await w.call('organization_activity_list', { id: 'org1' }, { token: registered.token })).statusCode, 403)
  t.equal((await w.ok('organization_activity_list', { id: 'org1' }, { token: editor.token })).length, 1)
})

t.test('user_activity_list: by and about the user, readable ones only, hidden users always out', async (t) => {
  const { w, admin, editor, harvest } = await setup(t)
  const pub = await datasetWrite(w, editor, 'package_create', { name: 'pub', owner_org: 'org1' })
  await datasetWrite(w, editor, 'package_create', { name: 'priv', owner_org: 'org1', private: true })
  await datasetWrite(w, admin, 'package_patch', { id: pub, title: 'by admin' })
  // about the editor, by the admin; and one by the editor about the editor (listed once)
  await w.ok('activity_create', { user_id: 'admin', object_id: editor.id, activity_type: 'changed user' })
  await w.ok('activity_create', { user_id: editor.id, object_id: editor.id, activity_type: 'new user' })
  await datasetWrite(w, harvest, 'package_patch', { id: pub, title: 'harvested' })
  await w.ok('activity_create', { user_id: 'harvest', object_id: editor.id, activity_type: 'changed user' })

  const list = async (id: string, token: string | null, body: Record<string, unknown> = {}) => names(await w.ok('user_activity_list', { id, ...body }, { token }))
  t.same(await list('editor', null), [`new user: ${editor.id}`, `changed user: ${editor.id}`, 'new package: pub'])
  t.same(await list(editor.id, editor.token), [`new user: ${editor.id}`, `changed user: ${editor.id}`, 'new package: priv', 'new package: pub'])
  t.same(await list('editor', admin.token, { include_hidden_activity: true }), [`new user: ${editor.id}`, `changed user: ${editor.id}`, 'new package: priv', 'new package: pub'], 'hidden users stay out, even for sysadmins')
  t.same(await list('editor', editor.token, { limit: 2, offset: 1 }), [`changed user: ${editor.id}`, 'new package: priv'])
  t.same(await list('admin', null), [`changed user: ${editor.id}`, 'changed package: pub'])
  t.same(await list('harvest', admin.token), [], "a hidden user's own stream is empty")
  const missing = await w.call('user_activity_list', { id: 'nobody' })
  t.equal(missing.statusCode, 404)
  t.same((await w.call('user_activity_list', { id: 'editor', limit: -2 })).json().error, { __type: 'Validation Error', limit: ['Must be a natural number'] })
})

t.test('activity_show and activity_data_show', async (t) => {
  const { w, admin, editor, registered } = await setup(t)
  const pub = await datasetWrite(w, editor, 'package_create', { name: 'pub', title: 'Public', owner_org: 'org1' })
  const priv = await datasetWrite(w, editor, 'package_create', { name: 'priv', owner_org: 'org1', private: true })
  await groupWrite(w, admin, 'organization_patch', { id: 'org1', title: 'Org One' })
  const [pubAct] = await w.ok('package_activity_list', { id: pub })
  const [privAct] = await w.ok('package_activity_list', { id: priv })
  const [orgAct] = await w.ok('organization_activity_list', { id: 'org1', activity_types: ['changed organization'] })

  const shown = await w.ok('activity_show', { id: pubAct.id }, { token: null })
  t.same(shown, pubAct, 'the list dict, data whole, include_data defaulting to false')
  t.same(Object.keys(shown), ACTIVITY_KEYS)
  t.match(shown.timestamp, TIMESTAMP)
  t.same(await w.ok('activity_show', { id: orgAct.id }), orgAct, 'sysadmins read any activity')
  t.same(await w.ok('activity_show', { id: privAct.id }, { token: editor.token }), privAct)

  const denied = async (name: string, body: Record<string, unknown>, token: string | null, status: number, message: string) => {
    const res = await w.call(name, body, { token })
    t.equal(res.statusCode, status, `${name} ${JSON.stringify(body)}`)
    t.equal(res.json().error.message, message)
  }
  await denied('activity_show', { id: orgAct.id }, editor.token, 403, 'Access denied: object_type not recognized')
  await denied('activity_show', { id: privAct.id }, null, 403, 'Access denied: Unauthorized to view activity data')
  await denied('activity_show', { id: privAct.id }, registered.token, 403, 'Access denied: Unauthorized to view activity data')
  await denied('activity_show', { id: pubAct.id, include_data: true }, null, 403, 'Access denied: Action package_update requires an authenticated user')
  await denied('activity_show', { id: pubAct.id, include_data: 'true' }, registered.token, 403, `Access denied: User registered not authorized to edit package ${pub}`)
  t.same(await w.ok('activity_show', { id: pubAct.id, include_data: true }, { token: editor.token }), pubAct)
  await denied('activity_show', { id: 'no-such-activity' }, null, 404, 'Not found')
  t.same((await w.call('activity_show', {})).json().error, { __type: 'Validation Error', id: ['Missing value'] })

  // data: for those who may edit the dataset
  t.same(await w.ok('activity_data_show', { id: pubAct.id }, { token: editor.token }), pubAct.data)
  t.same(await w.ok('activity_data_show', { id: pubAct.id, object_type: 'package' }, { token: editor.token }), pubAct.data.package)
  t.equal(await w.ok('activity_data_show', { id: pubAct.id, object_type: 'actor' }), 'editor')
  t.same(await w.ok('activity_data_show', { id: orgAct.id, object_type: 'group' }), orgAct.data.group)
  await denied('activity_data_show', { id: pubAct.id, object_type: 'resource' }, editor.token, 404, 'Not found: Could not find that object_type in the activity')
  await denied('activity_data_show', { id: pubAct.id }, null, 403, 'Access denied: Action package_update requires an authenticated user')
  await denied('activity_data_show', { id: pubAct.id }, registered.token, 403, `Access denied: User registered not authorized to edit package ${pub}`)
  await denied('activity_data_show', { id: orgAct.id }, editor.token, 403, 'Access denied: object_type not recognized')
  await denied('activity_data_show', { id: 'nope' }, admin.token, 404, 'Not found')
})

t.test("activity_diff: CKAN's unified and context text, an escaped html table", async (t) => {
  const { w, admin, editor, registered } = await setup(t)
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds', owner_org: 'org1' })
  const common = { name: 'ds1', notes: 'line <b>', extras: [{ key: 'k', value: 'v' }], b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 }
  const before = await w.ok('activity_create', { user_id: 'editor', object_id: id, activity_type: 'changed package', permission_labels: ['public'], data: { package: { ...common, a: 1, tags: ['a', 'b'], title: 'Première', z: 'old' } } })
  const after = await w.ok('activity_create', {
    user_id: 'editor',
    object_id: id,
    activity_type: 'changed package',
    permission_labels: ['public'],
    data: { package: { ...common, a: 0, tags: ['a', 'c'], title: 'Second', url: 'x', z: 'new' } },
  })

  // Python's difflib output for the same objects (json.dumps(indent=2, sort_keys=True), joined with "\n")
  const unified =
    '--- \n\n+++ \n\n@@ -1,5 +1,5 @@\n\n {\n-  "a": 1,\n+  "a": 0,\n   "b": 2,\n   "c": 3,\n   "d": 4,\n@@ -17,8 +17,9 @@\n\n   "notes": "line <b>",\n   "tags": [\n     "a",\n-    "b"\n+    "c"\n   ],\n-  "title": "Premi\\u00e8re",\n-  "z": "old"\n+  "title": "Second",\n+  "url": "x",\n+  "z": "new"\n }'
  const context =
    '*** \n\n--- \n\n***************\n\n*** 1,5 ****\n\n  {\n!   "a": 1,\n    "b": 2,\n    "c": 3,\n    "d": 4,\n--- 1,5 ----\n\n  {\n!   "a": 0,\n    "b": 2,\n    "c": 3,\n    "d": 4,\n***************\n\n*** 17,24 ****\n\n    "notes": "line <b>",\n    "tags": [\n      "a",\n!     "b"\n    ],\n!   "title": "Premi\\u00e8re",\n!   "z": "old"\n  }\n--- 17,25 ----\n\n    "notes": "line <b>",\n    "tags": [\n      "a",\n!     "c"\n    ],\n!   "title": "Second",\n!   "url": "x",\n!   "z": "new"\n  }'
  const res = await w.ok('activity_diff', { id: after.id, object_type: 'package' }, { token: editor.token })
  t.same(Object.keys(res), ['diff', 'activities'])
  t.equal(res.diff, unified)
  t.same(
    res.activities.map((a: any) => a.id),
    [before.id, after.id],
    '[previous, this]',
  )
  t.same(Object.keys(res.activities[0]), ACTIVITY_KEYS)
  t.equal((await w.ok('activity_diff', { id: after.id, object_type: 'package', diff_type: 'context' })).diff, context)
  const html = (await w.ok('activity_diff', { id: after.id, object_type: 'package', diff_type: 'html' })).diff as string
  t.match(html, /^<table class="diff"/)
  t.ok(html.includes('line&nbsp;&lt;b&gt;'), 'text escaped')
  t.notOk(html.includes('<b>'), 'no markup from the data')
  t.ok(html.includes('<span class="diff_chg">&nbsp;&nbsp;"title":&nbsp;"Second",</span>'), 'changed lines marked, side by side')
  t.ok(html.includes('<span class="diff_chg">&nbsp;&nbsp;"title":&nbsp;"Premi\\u00e8re",</span>'))
  // identical objects: an empty diff
  const same = await w.ok('activity_create', {
    user_id: 'editor',
    object_id: id,
    activity_type: 'changed package',
    permission_labels: ['public'],
    data: { package: { ...common, a: 0, tags: ['a', 'c'], title: 'Second', url: 'x', z: 'new' } },
  })
  t.equal((await w.ok('activity_diff', { id: same.id, object_type: 'package' })).diff, '')

  const first = (await w.ok('package_activity_list', { id, activity_types: ['new package'] }))[0]
  const fail = async (body: Record<string, unknown>, token: string | null, status: number, error: Record<string, unknown>) => {
    const r = await w.call('activity_diff', body, { token })
    t.equal(r.statusCode, status, JSON.stringify(body))
    t.same(r.json().error, error)
  }
  await fail({ id: first.id, object_type: 'package' }, admin.token, 404, { __type: 'Not Found Error', message: 'Not found: Previous activity for this object not found' })
  await fail({ id: after.id, object_type: 'group' }, admin.token, 404, { __type: 'Not Found Error', message: 'Not found: Could not find object in the activity data' })
  await fail({ id: after.id, object_type: 'package', diff_type: 'side-by-side' }, admin.token, 409, { __type: 'Validation Error', message: 'diff_type not recognized' })
  await fail({ id: after.id }, admin.token, 409, { __type: 'Validation Error', object_type: ['Missing value'] })
  await fail({ id: 'nope', object_type: 'package' }, admin.token, 404, { __type: 'Not Found Error', message: 'Not found' })
  await fail({ id: after.id, object_type: 'package' }, null, 403, { __type: 'Authorization Error', message: 'Access denied: Action package_update requires an authenticated user' })
  await fail({ id: after.id, object_type: 'package' }, registered.token, 403, { __type: 'Authorization Error', message: `Access denied: User registered not authorized to edit package ${id}` })
})

t.test('activity_create: sysadmins only, CKAN validation, the stored dict back', async (t) => {
  const { w, editor } = await setup(t)
  const id = await datasetWrite(w, editor, 'package_create', { name: 'ds', owner_org: 'org1' })
  const anon = await w.call('activity_create', { user_id: 'editor', object_id: id, activity_type: 'changed package' }, { token: null })
  t.equal(anon.statusCode, 403)
  t.equal(anon.json().error.message, 'Access denied: Action activity_create requires an authenticated user')
  const notAdmin = await w.call('activity_create', { user_id: 'editor', object_id: id, activity_type: 'changed package' }, { token: editor.token })
  t.equal(notAdmin.statusCode, 403)
  t.equal(notAdmin.json().error.message, 'Access denied')
  t.equal((await w.app.inject({ method: 'GET', url: `/api/3/action/activity_create?user_id=editor` })).statusCode, 400, 'POST only')

  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{}, { user_id: ['Missing value'], object_id: ['Missing value'], activity_type: ['Missing value'] }],
    [{ user_id: 'ghost', object_id: id, activity_type: 'changed package' }, { user_id: ['Not found: User'] }],
    [
      { user_id: 'editor', object_id: id, activity_type: 'renamed package' },
      { activity_type: ['Not found: Activity type'], object_id: ['There is no object_id validator for activity type "renamed package"'] },
    ],
    [{ user_id: 'editor', object_id: 'ds', activity_type: 'changed package' }, { object_id: ['Not found: Dataset'] }],
    [{ user_id: 'editor', object_id: id, activity_type: 'changed group' }, { object_id: ['Not found: Group'] }],
    [{ user_id: 'editor', object_id: id, activity_type: 'changed user' }, { object_id: ['Not found: User'] }],
    [{ user_id: 'editor', object_id: id, activity_type: 'changed package', data: 'text' }, { data: ['Not a dict'] }],
    [{ user_id: 'editor', object_id: id, activity_type: 'changed package', permission_labels: 'public' }, { permission_labels: ['Not a list'] }],
  ]
  for (const [body, fields] of cases) {
    const res = await w.call('activity_create', body)
    t.equal(res.statusCode, 409, JSON.stringify(body))
    t.same(res.json().error, { __type: 'Validation Error', ...fields }, JSON.stringify(body))
  }
  const created = await w.ok('activity_create', { id: 'mine', timestamp: '2000-01-01T00:00:00', revision_id: 'r', user_id: 'editor', object_id: id, activity_type: 'changed package' })
  t.same(Object.keys(created), ACTIVITY_KEYS)
  t.not(created.id, 'mine', 'id is ignored')
  t.not(created.timestamp, '2000-01-01T00:00:00', 'timestamp is ignored')
  t.match(created.timestamp, TIMESTAMP)
  t.equal(created.user_id, editor.id, 'user name turned into its id')
  t.same(created.data, {})
  t.equal(created.permission_labels, null)
  t.same(await w.ok('activity_show', { id: created.id }), created, 'stored as answered')
  const labelled = await w.ok('activity_create', { user_id: editor.id, object_id: id, activity_type: 'changed package', data: { package: { name: 'x' } }, permission_labels: ['public'] })
  t.same(await w.ok('activity_show', { id: labelled.id }, { token: null }), labelled, 'labels decide who reads it')

  const off = await setup(t, { ACTIVITY_STREAMS_ENABLED: 'false' })
  const orgId = (await off.w.db.kysely.selectFrom('group').select('id').where('name', '=', 'org1').executeTakeFirstOrThrow()).id
  t.equal(await off.w.ok('activity_create', { user_id: 'admin', object_id: orgId, activity_type: 'changed organization' }), null, 'disabled: null')
  t.equal((await off.w.db.kysely.selectFrom('activity').select('id').execute()).length, 0, 'and nothing stored')
})
