import t from 'tap'
import { randomUUID } from 'node:crypto'
import { testApp, type TestApp } from '../helpers/app.js'
import { issueToken } from '../../src/auth/tokens.js'
import { nowIso } from '../../src/model/time.js'

/**
 * The dashboard (CKAN 2.11 activity plugin): dashboard_activity_list, dashboard_new_activities_count,
 * dashboard_mark_activities_old. Activities are inserted with chosen timestamps in 2001, and the
 * exact lists ask `before` 2002, so activities that actions record on their own stay out of them.
 */

const KEYS = ['id', 'timestamp', 'user_id', 'object_id', 'activity_type', 'data', 'permission_labels', 'is_new']
const CUTOFF = Date.parse('2002-01-01T00:00:00Z') / 1000

interface Who {
  id: string
  name: string
  token: string
}

/** A user and a token; `viaAction`: made by user_create (with its 'new user' activity), else a bare row (no password hashing). */
async function user(b: TestApp, name: string, viaAction = false): Promise<Who> {
  let id: string = randomUUID()
  if (viaAction) id = (await b.ok('user_create', { name, email: `${name}@example.org`, password: 'correct horse battery' })).id
  else
    await b.db.kysely
      .insertInto('user')
      .values({ id, name, email: `${name}@example.org`, created: nowIso(), state: 'active' })
      .execute()
  const { token } = await issueToken(b.db.kysely, id, 'test')
  return { id, name, token }
}

let second = 0

/** Inserts one activity; `ts` defaults to the next second of 2001 (so the order is the insertion order). */
async function act(b: TestApp, who: Who | string, objectId: string, type: string, opts: { ts?: string; labels?: string[] | null } = {}): Promise<string> {
  const id = randomUUID()
  const ts = opts.ts ?? new Date(Date.parse('2001-01-01T00:00:00Z') + ++second * 1000).toISOString().slice(0, 19)
  const labels = opts.labels !== undefined ? opts.labels : type.endsWith('package') ? ['public'] : null
  const data = type.endsWith('package') ? { package: { id: objectId, name: 'x', extras: [{ key: 'k', value: 'v' }] }, actor: 'someone' } : {}
  await b.db.kysely
    .insertInto('activity')
    .values({ id, timestamp: ts, user_id: typeof who === 'string' ? who : who.id, object_id: objectId, activity_type: type, data: JSON.stringify(data), permission_labels: labels })
    .execute()
  return id
}

async function fails(b: TestApp, name: string, body: Record<string, unknown>, token: string | null): Promise<{ status: number; error: Record<string, unknown> }> {
  const res = await b.call(name, body, { token })
  const json = res.json()
  if (json.success !== false) throw new Error(`${name} unexpectedly succeeded: ${res.body}`)
  return { status: res.statusCode, error: json.error }
}

type Activity = { id: string; is_new: boolean }
const ids = (list: Activity[]) => list.map((a) => a.id)

t.test('who may use the dashboard', async (t) => {
  const b = await testApp(t)
  const alice = await user(b, 'alice', true)
  for (const name of ['dashboard_activity_list', 'dashboard_new_activities_count']) {
    t.same(await fails(b, name, {}, null), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: You must be logged in to access your dashboard.' } }, name)
  }
  t.same(await fails(b, 'dashboard_mark_activities_old', {}, null), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Action dashboard_mark_activities_old requires an authenticated user' } })
  const get = await b.app.inject({ method: 'GET', url: '/api/3/action/dashboard_activity_list', headers: { authorization: alice.token } })
  t.same(
    get.json().result.map((a: Record<string, unknown>) => [a.activity_type, a.object_id, a.is_new]),
    [['new user', alice.id, false]],
    'only her own account so far; reads answer GET',
  )
  const markByGet = await b.app.inject({ method: 'GET', url: '/api/3/action/dashboard_mark_activities_old', headers: { authorization: alice.token } })
  t.equal(markByGet.statusCode, 400, 'marking is a write: POST only')
  t.equal(await b.ok('dashboard_mark_activities_old', {}, { token: alice.token }), null)
  t.equal(await b.ok('dashboard_new_activities_count', {}, { token: alice.token }), 0)
})

t.test('contents: own, followed users, datasets, groups and organizations; hidden users, deleted follows and private datasets left out', async (t) => {
  const b = await testApp(t, { HIDE_ACTIVITY_FROM_USERS: 'hider' })
  const [alice, bob, carol, dave, hider] = [await user(b, 'alice'), await user(b, 'bob'), await user(b, 'carol'), await user(b, 'dave'), await user(b, 'hider')]
  const as = (w: Who) => ({ token: w.token })
  const org = await b.ok('organization_create', { name: 'org' })
  const other = await b.ok('organization_create', { name: 'other' })
  const grp = await b.ok('group_create', { name: 'grp' })
  const ds1 = await b.ok('package_create', { name: 'ds1', owner_org: 'other' })
  const ds2 = await b.ok('package_create', { name: 'ds2', owner_org: 'other', groups: [{ name: 'grp' }] })
  const ds3 = await b.ok('package_create', { name: 'ds3', owner_org: 'org' })
  const ds4 = await b.ok('package_create', { name: 'ds4', owner_org: 'org', private: true })
  const ds5 = await b.ok('package_create', { name: 'ds5', owner_org: 'other' })
  const gone = await b.ok('package_create', { name: 'gone', owner_org: 'other' })
  await b.ok('follow_user', { id: 'bob' }, as(alice))
  await b.ok('follow_user', { id: 'dave' }, as(alice))
  await b.ok('follow_dataset', { id: 'ds1' }, as(alice))
  await b.ok('follow_dataset', { id: 'gone' }, as(alice))
  await b.ok('follow_group', { id: 'grp' }, as(alice))
  await b.ok('follow_group', { id: 'org' }, as(alice))

  const want: string[] = []
  const skip: string[] = []
  want.push(await act(b, alice, ds5.id, 'changed package'))
  want.push(await act(b, carol, alice.id, 'changed user'))
  want.push(await act(b, bob, ds5.id, 'changed package'))
  want.push(await act(b, carol, bob.id, 'changed user'))
  want.push(await act(b, carol, ds1.id, 'changed package'))
  want.push(await act(b, carol, grp.id, 'changed group'))
  want.push(await act(b, carol, ds2.id, 'changed package'))
  want.push(await act(b, carol, org.id, 'changed organization'))
  want.push(await act(b, carol, ds3.id, 'changed package'))
  skip.push(await act(b, carol, ds4.id, 'changed package', { labels: [`member-${org.id}`] }))
  skip.push(await act(b, carol, ds4.id, 'changed package', { labels: ['public'] }))
  skip.push(await act(b, carol, ds5.id, 'changed package'))
  skip.push(await act(b, carol, other.id, 'changed organization'))
  skip.push(await act(b, hider, ds1.id, 'changed package'))
  skip.push(await act(b, carol, gone.id, 'changed package'))
  skip.push(await act(b, dave, ds5.id, 'changed package'))
  await b.ok('package_delete', { id: 'gone' })
  await b.ok('user_delete', { id: 'dave' })

  const list: Activity[] = await b.ok('dashboard_activity_list', { before: CUTOFF }, as(alice))
  t.same(ids(list), [...want].reverse(), 'newest first; private-now datasets of a followed org, unfollowed objects, hidden and deleted users, deleted datasets left out')
  t.same(Object.keys(list[0]), KEYS)
  const ds1Activity = list.find((a) => a.id === want[4]) as unknown as Record<string, any>
  t.same(ds1Activity.data.package.extras, [{ key: 'k', value: 'v' }], 'data is complete')
  t.same(ds1Activity.permission_labels, ['public'])
  t.match(ds1Activity.timestamp, /^2001-01-01T00:00:\d\d$/, 'CKAN timestamp format: no zone, no zero microseconds')
  t.same(
    list.map((a) => a.is_new),
    list.map(() => false),
    'activities older than the account are not new',
  )

  // a followed private dataset: its package activities only for those who may read it
  await b.ok('follow_dataset', { id: ds4.id }, as(alice))
  const withPrivate: Activity[] = await b.ok('dashboard_activity_list', { before: CUTOFF }, as(alice))
  t.same(ids(withPrivate), [skip[1], ...[...want].reverse()], 'labels are frozen: the one recorded while public shows, the private one does not')
  await b.ok('organization_member_create', { id: 'org', username: 'alice', role: 'member' })
  const asMember: Activity[] = await b.ok('dashboard_activity_list', { before: CUTOFF }, as(alice))
  t.same(ids(asMember), [skip[1], skip[0], ...[...want].reverse()], 'shown once the follower may read the dataset')

  // a sysadmin following the private dataset sees every activity of it
  await b.ok('follow_dataset', { id: ds4.id })
  const admin: Activity[] = await b.ok('dashboard_activity_list', { before: CUTOFF })
  t.same(ids(admin), [skip[1], skip[0]])

  // carol follows nothing: her own activities, label-filtered like any other
  const carols = [want[1], ...want.slice(3), skip[1], skip[2], skip[3], skip[5]]
  t.same(ids(await b.ok('dashboard_activity_list', { before: CUTOFF, limit: 50 }, as(carol))), carols.reverse(), 'her own private-labelled activity is hidden from her too')
})

t.test('paging: offset, limit (default, maximum, 0), before, after; equal timestamps', async (t) => {
  const b = await testApp(t, { ACTIVITY_LIST_LIMIT: '3', ACTIVITY_LIST_LIMIT_MAX: '5' })
  const alice = await user(b, 'alice')
  const as = { token: alice.token }
  const made: string[] = []
  for (let i = 1; i <= 8; i++) made.push(await act(b, alice, alice.id, 'changed user', { ts: `2001-01-01T00:00:0${i}` }))
  // two in the same microsecond: the later insert is the newer one
  const tieA = await act(b, alice, alice.id, 'changed user', { ts: '2001-01-01T00:00:09.5' })
  const tieB = await act(b, alice, alice.id, 'changed user', { ts: '2001-01-01T00:00:09.5' })
  const newest = [tieB, tieA, ...[...made].reverse()]
  const page = async (p: Record<string, unknown>) => ids(await b.ok('dashboard_activity_list', { before: CUTOFF, ...p }, as))

  t.same(await page({}), newest.slice(0, 3), 'ACTIVITY_LIST_LIMIT by default')
  t.same(await page({ limit: 2, offset: 1 }), newest.slice(1, 3))
  t.same(await page({ limit: 50 }), newest.slice(0, 5), 'clamped to ACTIVITY_LIST_LIMIT_MAX')
  t.same(await page({ limit: 0 }), newest.slice(0, 5), '0 means the maximum, not unlimited')
  t.same(await page({ limit: 5, offset: 8 }), newest.slice(8, 10))
  const epoch = (s: string) => Date.parse(`${s}Z`) / 1000
  t.same(await page({ before: epoch('2001-01-01T00:00:05'), limit: 5 }), [made[3], made[2], made[1], made[0]], 'before is exclusive')
  t.same(await page({ before: String(epoch('2001-01-01T00:00:05') + 0.5), limit: 1 }), [made[4]], 'a numeric string, fractions kept')
  t.same(ids(await b.ok('dashboard_activity_list', { after: epoch('2001-01-01T00:00:02'), limit: 2 }, as)), [made[3], made[2]], 'after alone: the page right after it, newest first')
  t.same(ids(await b.ok('dashboard_activity_list', { after: epoch('2001-01-01T00:00:02'), before: epoch('2001-01-01T00:00:06'), limit: 2 }, as)), [made[4], made[3]], 'both: newest first within them')
  const get = await b.app.inject({ method: 'GET', url: `/api/3/action/dashboard_activity_list?limit=1&offset=2&before=${CUTOFF}`, headers: { authorization: alice.token } })
  t.same(ids(get.json().result), [newest[2]], 'GET params are strings')

  t.same(await fails(b, 'dashboard_activity_list', { limit: -1 }, alice.token), { status: 409, error: { __type: 'Validation Error', limit: ['Must be a natural number'] } })
  t.same(await fails(b, 'dashboard_activity_list', { offset: 'x' }, alice.token), { status: 409, error: { __type: 'Validation Error', offset: ['Invalid integer'] } })
  t.same(await fails(b, 'dashboard_activity_list', { after: 'yesterday', before: '' }, alice.token), { status: 409, error: { __type: 'Validation Error', after: ['Must be a float timestamp'], before: ['Must be a float timestamp'] } })
  t.same(await fails(b, 'dashboard_new_activities_count', { before: 1e20 }, alice.token), { status: 409, error: { __type: 'Validation Error', before: ['Must be a float timestamp'] } })
})

t.test('is_new, the new-activities count and marking old', async (t) => {
  const b = await testApp(t)
  const [alice, bob] = [await user(b, 'alice'), await user(b, 'bob')]
  const as = { token: alice.token }
  await b.ok('follow_user', { id: 'bob' }, as)
  await b.ok('dashboard_mark_activities_old', {}, as)
  const before = nowIso()
  const theirs = await act(b, bob, bob.id, 'changed user', { ts: nowIso() })
  const mine = await act(b, alice, alice.id, 'changed user', { ts: nowIso() })
  const theirs2 = await act(b, bob, bob.id, 'changed user', { ts: nowIso() })
  const old = await act(b, bob, bob.id, 'changed user', { ts: '2001-06-01T00:00:00' })
  const after = Date.parse(`${before}Z`) / 1000 - 1
  const mineOnly = (list: Activity[]) => list.filter((a) => [theirs, mine, theirs2].includes(a.id))
  const list: Activity[] = mineOnly(await b.ok('dashboard_activity_list', { after }, as))
  const flags = Object.fromEntries(list.map((a) => [a.id, a.is_new]))
  t.same(flags, { [theirs]: true, [mine]: false, [theirs2]: true }, 'newer than the last view and not mine')
  t.equal((await b.ok('dashboard_activity_list', { before: CUTOFF }, as)).find((a: Activity) => a.id === old).is_new, false)
  t.equal(await b.ok('dashboard_new_activities_count', {}, as), 2, "one's own activities are never new")
  t.equal(await b.ok('dashboard_new_activities_count', { limit: 1 }, as), 1, 'counted within the page')
  t.equal(await b.ok('dashboard_new_activities_count', {}, { token: bob.token }), 0, "bob's own activities, nothing new for him")

  t.equal(await b.ok('dashboard_mark_activities_old', {}, as), null)
  t.equal(await b.ok('dashboard_new_activities_count', {}, as), 0)
  t.same(
    mineOnly(await b.ok('dashboard_activity_list', { after }, as)).map((a: Activity) => a.is_new),
    [false, false, false],
  )
  const later = await act(b, bob, bob.id, 'changed user', { ts: nowIso() })
  t.equal(await b.ok('dashboard_new_activities_count', {}, as), 1)
  const first: Activity = (await b.ok('dashboard_activity_list', {}, as))[0]
  t.same([first.id, first.is_new], [later, true])
  const row = await b.db.kysely.selectFrom('dashboard').selectAll().where('user_id', '=', alice.id).executeTakeFirstOrThrow()
  t.ok(row.activity_stream_last_viewed > before, 'the last view is stored')
})

t.test('real writes reach followers; a private dataset only those who may read it', async (t) => {
  const b = await testApp(t)
  const [alice, bob] = [await user(b, 'alice', true), await user(b, 'bob', true)]
  const asAlice = { token: alice.token }
  await b.ok('organization_create', { name: 'org' })
  await b.ok('organization_member_create', { id: 'org', username: 'bob', role: 'editor' })
  await b.ok('package_create', { name: 'pub', owner_org: 'org' })
  await b.ok('follow_dataset', { id: 'pub' }, asAlice)
  await b.ok('follow_user', { id: 'bob' }, asAlice)
  await b.ok('dashboard_mark_activities_old', {}, asAlice)

  await b.ok('package_patch', { id: 'pub', title: 'Published' })
  await b.ok('package_create', { name: 'bobs', owner_org: 'org' }, { token: bob.token })
  await b.ok('package_create', { name: 'hush', owner_org: 'org', private: true }, { token: bob.token })
  await b.ok('package_create', { name: 'elsewhere', owner_org: 'org' })
  type Full = { activity_type: string; is_new: boolean; object_id: string; data: { package?: { name: string; title: string } } }
  const names: Record<string, string> = { [alice.id]: 'alice', [bob.id]: 'bob' }
  const summary = (list: Full[]) => list.map((a) => `${a.activity_type} ${a.data.package?.name ?? names[a.object_id]}${a.is_new ? ' (new)' : ''}`)
  const list: Full[] = await b.ok('dashboard_activity_list', {}, asAlice)
  t.same(
    summary(list),
    ['new package bobs (new)', 'changed package pub (new)', 'new package pub', 'new user bob', 'new user alice'],
    "a followed user's datasets and a followed dataset's edits; bob's private one and unfollowed datasets left out",
  )
  t.equal(list[1].data.package?.title, 'Published', 'the snapshot after the write')
  t.equal(await b.ok('dashboard_new_activities_count', {}, asAlice), 2)
  const bobs: Full[] = await b.ok('dashboard_activity_list', {}, { token: bob.token })
  t.same(summary(bobs).slice(0, 2), ['new package hush', 'new package bobs'], 'bob sees his own private dataset, never as new')

  await b.ok('follow_group', { id: 'org' }, asAlice)
  await b.ok('package_patch', { id: 'hush', notes: 'still private' })
  t.same(summary(await b.ok('dashboard_activity_list', {}, asAlice)).slice(0, 2), ['new package elsewhere (new)', 'new package bobs (new)'], 'following the organization brings its public datasets, not its private one')
  await b.ok('organization_member_create', { id: 'org', username: 'alice', role: 'member' })
  t.same(
    summary(await b.ok('dashboard_activity_list', {}, asAlice)).slice(0, 3),
    ['new package elsewhere (new)', 'new package hush (new)', 'new package bobs (new)'],
    "as a member she may read hush: bob's creation shows; the organization's stream still leaves out datasets private now",
  )
})
