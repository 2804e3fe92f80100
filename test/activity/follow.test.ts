import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { randomUUID } from 'node:crypto'
import { issueToken } from '../../src/auth/tokens.js'
import { nowIso } from '../../src/model/time.js'

/** Following (CKAN 2.11 core): follow/unfollow, follower and followee counts and lists, am_following. */

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/
const LIST_USER_KEYS = ['id', 'name', 'fullname', 'created', 'about', 'last_active', 'activity_streams_email_notifications', 'sysadmin', 'state', 'image_url', 'display_name', 'email_hash', 'number_created_packages', 'image_display_url']

interface Who {
  id: string
  name: string
  token: string
}

/** A user row and a token, without user_create's password hashing (following needs neither). */
async function user(b: TestApp, name: string, fullname?: string): Promise<Who> {
  const id = randomUUID()
  await b.db.kysely
    .insertInto('user')
    .values({ id, name, fullname: fullname ?? null, email: `${name}@example.org`, created: nowIso(), state: 'active' })
    .execute()
  const { token } = await issueToken(b.db.kysely, id, 'test')
  return { id, name, token }
}

/** The error of a failed call, with its status. */
async function fails(b: TestApp, name: string, body: Record<string, unknown>, token: string | null): Promise<{ status: number; error: Record<string, unknown> }> {
  const res = await b.call(name, body, { token })
  const json = res.json()
  if (json.success !== false) throw new Error(`${name} unexpectedly succeeded: ${res.body}`)
  return { status: res.statusCode, error: json.error }
}

async function world(t: Parameters<typeof testApp>[0]) {
  const b = await testApp(t)
  const alice = await user(b, 'alice', 'Zoe Alice')
  const bob = await user(b, 'bob')
  const carol = await user(b, 'carol')
  const org = await b.ok('organization_create', { name: 'org', title: 'Org Title' })
  const group = await b.ok('group_create', { name: 'grp', title: 'A Group' })
  const ds = await b.ok('package_create', { name: 'ds', title: 'Middle Dataset', owner_org: 'org' })
  return { b, alice, bob, carol, org, group, ds }
}

t.test('follow_dataset: the relation, idempotent; counts, am_following, follower list', async (t) => {
  const { b, alice, bob, ds } = await world(t)
  const as = (w: Who) => ({ token: w.token })
  const rel = await b.ok('follow_dataset', { id: 'ds' }, as(alice))
  t.same(Object.keys(rel), ['follower_id', 'object_id', 'datetime'])
  t.equal(rel.follower_id, alice.id)
  t.equal(rel.object_id, ds.id, 'a name is turned into the id')
  t.match(rel.datetime, TS)
  t.same(await b.ok('follow_dataset', { id: ds.id }, as(alice)), rel, 'following again answers the existing relation (2.11)')
  await b.ok('follow_dataset', { id: 'ds' }, as(bob))

  t.equal(await b.ok('dataset_follower_count', { id: 'ds' }, { token: null }), 2, 'anyone may count')
  t.equal(await b.ok('am_following_dataset', { id: 'ds' }, as(alice)), true)
  t.equal(await b.ok('am_following_dataset', { id: 'ds' }, { token: b.sysadminToken }), false)

  const followers = await b.ok('dataset_follower_list', { id: 'ds' })
  t.same(
    followers.map((u: { name: string }) => u.name),
    ['alice', 'bob'],
    'sorted by name',
  )
  t.same(Object.keys(followers[0]), LIST_USER_KEYS, 'no email, apikey or reset key, even for a sysadmin')
  t.equal(followers[0].display_name, 'Zoe Alice')

  t.equal(await b.ok('unfollow_dataset', { id: 'ds' }, as(alice)), null)
  t.equal(await b.ok('unfollow_dataset', { id: 'ds' }, as(alice)), null, 'unfollowing what you do not follow is fine (2.11)')
  t.equal(await b.ok('dataset_follower_count', { id: ds.id }), 1)
  t.equal(await b.ok('am_following_dataset', { id: 'ds' }, as(alice)), false)
  const again = await b.ok('follow_dataset', { id: 'ds' }, as(alice))
  t.not(again.datetime, undefined)
  t.equal(await b.ok('dataset_follower_count', { id: 'ds' }), 2, 'a new follow after unfollowing')
})

t.test('follow_user and follow_group (groups and organizations share the group table)', async (t) => {
  const { b, alice, bob, carol, org, group } = await world(t)
  const as = (w: Who) => ({ token: w.token })
  const rel = await b.ok('follow_user', { id: 'bob' }, as(alice))
  t.same(rel, { follower_id: alice.id, object_id: bob.id, datetime: rel.datetime })
  await b.ok('follow_user', { id: bob.id }, as(carol))
  t.equal(await b.ok('user_follower_count', { id: 'bob' }), 2)
  t.equal(await b.ok('am_following_user', { id: 'bob' }, as(alice)), true)
  t.equal(await b.ok('am_following_user', { id: 'alice' }, as(bob)), false)
  t.same(
    (await b.ok('user_follower_list', { id: 'bob' })).map((u: { name: string }) => u.name),
    ['alice', 'carol'],
  )

  const g = await b.ok('follow_group', { id: 'grp' }, as(alice))
  t.equal(g.object_id, group.id)
  const o = await b.ok('follow_group', { id: 'org' }, as(alice))
  t.equal(o.object_id, org.id, 'an organization is followed with follow_group')
  await b.ok('follow_group', { id: 'org' }, as(bob))
  t.equal(await b.ok('group_follower_count', { id: 'grp' }), 1)
  t.equal(await b.ok('organization_follower_count', { id: 'org' }), 2)
  t.equal(await b.ok('am_following_group', { id: 'org' }, as(bob)), true)
  t.equal(await b.ok('am_following_group', { id: 'grp' }, as(bob)), false)
  t.same(
    (await b.ok('organization_follower_list', { id: 'org' })).map((u: { name: string }) => u.name),
    ['alice', 'bob'],
  )
  t.same(
    (await b.ok('group_follower_list', { id: 'grp' })).map((u: { name: string }) => u.name),
    ['alice'],
  )
  t.equal((await b.ok('user_show', { id: 'bob', include_num_followers: true })).num_followers, 2, "user_show's num_followers counts")
  t.equal((await b.ok('organization_show', { id: 'org' }, { token: null })).num_followers, 2, "organization_show's num_followers counts")
  t.equal((await b.ok('group_show', { id: 'grp' })).num_followers, 1)
  t.equal((await b.ok('organization_show', { id: 'org', include_followers: false })).num_followers, 0, 'without include_followers: 0, as CKAN')
  t.equal(await b.ok('unfollow_group', { id: 'org' }, as(bob)), null)
  t.equal(await b.ok('organization_follower_count', { id: 'org' }), 1)
  t.equal(await b.ok('unfollow_user', { id: 'bob' }, as(alice)), null)
  t.equal(await b.ok('user_follower_count', { id: 'bob' }), 1)
})

t.test('follow and unfollow errors: anonymous, yourself, unknown or missing objects', async (t) => {
  const { b, alice } = await world(t)
  for (const noun of ['dataset', 'user', 'group']) {
    // CKAN 2.11 keeps these auth functions in logic/auth/create.py and delete.py, so is_authorized
    // refuses an anonymous caller before they run
    t.same(await fails(b, `follow_${noun}`, { id: 'ds' }, null), { status: 403, error: { __type: 'Authorization Error', message: `Access denied: Action follow_${noun} requires an authenticated user` } })
    t.same(await fails(b, `unfollow_${noun}`, { id: 'ds' }, null), { status: 403, error: { __type: 'Authorization Error', message: `Access denied: Action unfollow_${noun} requires an authenticated user` } })
    for (const body of [{ id: 'nope' }, {}, { id: '' }]) {
      t.same(await fails(b, `follow_${noun}`, body, alice.token), { status: 409, error: { __type: 'Validation Error', message: `Error validating the schema of the ${noun} to follow.` } }, `follow_${noun} ${JSON.stringify(body)}`)
      t.same(await fails(b, `unfollow_${noun}`, body, alice.token), { status: 409, error: { __type: 'Validation Error', message: 'Error validating the schema of the object to unfollow.' } }, `unfollow_${noun} ${JSON.stringify(body)}`)
    }
  }
  t.same(await fails(b, 'follow_user', { id: 'alice' }, alice.token), { status: 409, error: { __type: 'Validation Error', message: 'You cannot follow yourself' } })
  t.same(await fails(b, 'follow_user', { id: alice.id }, alice.token), { status: 409, error: { __type: 'Validation Error', message: 'You cannot follow yourself' } })
  t.equal(await b.ok('user_follower_count', { id: 'alice' }), 0)
  t.equal(await b.ok('unfollow_user', { id: 'alice' }, { token: alice.token }), null, 'unfollowing yourself is a no-op')
  const res = await b.app.inject({ method: 'GET', url: '/api/3/action/follow_dataset?id=ds', headers: { authorization: alice.token } })
  t.equal(res.statusCode, 400, 'a write: POST only')
})

t.test('counts, lists and am_following: field errors, and who may ask', async (t) => {
  const { b, alice } = await world(t)
  for (const [prefix, label] of [
    ['dataset', 'Dataset'],
    ['user', 'User'],
    ['group', 'Group'],
    ['organization', 'Group'],
  ]) {
    t.same(await fails(b, `${prefix}_follower_count`, { id: 'nope' }, null), { status: 409, error: { __type: 'Validation Error', id: [`Not found: ${label}`] } })
    t.same(await fails(b, `${prefix}_follower_count`, {}, null), { status: 409, error: { __type: 'Validation Error', id: ['Missing value'] } })
    t.same(await fails(b, `${prefix}_follower_list`, { id: 'nope' }, b.sysadminToken), { status: 409, error: { __type: 'Validation Error', id: [`Not found: ${label}`] } })
    for (const token of [null, alice.token]) {
      t.same(await fails(b, `${prefix}_follower_list`, { id: 'ds' }, token), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Not authorized' } }, `${prefix}_follower_list is for sysadmins`)
    }
  }
  for (const [noun, label] of [
    ['dataset', 'Dataset'],
    ['user', 'User'],
    ['group', 'Group'],
  ]) {
    t.same(await fails(b, `am_following_${noun}`, { id: 'nope' }, alice.token), { status: 409, error: { __type: 'Validation Error', id: [`Not found: ${label}`] } })
    t.same(await fails(b, `am_following_${noun}`, { id: 'nope' }, null), { status: 409, error: { __type: 'Validation Error', id: [`Not found: ${label}`] } }, 'the id is checked before the caller')
    t.same(await fails(b, `am_following_${noun}`, { id: noun === 'user' ? 'bob' : noun === 'group' ? 'grp' : 'ds' }, null), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied' } })
  }
  const res = await b.app.inject({ method: 'GET', url: '/api/3/action/am_following_user?id=bob', headers: { authorization: alice.token } })
  t.same(res.json().result, false, 'reads answer GET')
})

t.test('followee lists and counts: what a user follows, true counts per type', async (t) => {
  const { b, alice, bob, carol, org, group, ds } = await world(t)
  const as = (w: Who) => ({ token: w.token })
  await b.ok('package_create', { name: 'other', title: 'another one', owner_org: 'org' })
  await b.ok('follow_user', { id: 'bob' }, as(alice))
  await b.ok('follow_user', { id: 'carol' }, as(alice))
  await b.ok('follow_dataset', { id: 'ds' }, as(alice))
  await b.ok('follow_dataset', { id: 'other' }, as(alice))
  await b.ok('follow_group', { id: 'grp' }, as(alice))
  await b.ok('follow_group', { id: 'org' }, as(alice))
  await b.ok('follow_dataset', { id: 'ds' }, as(bob))

  const counts: Record<string, number> = {}
  for (const name of ['followee_count', 'user_followee_count', 'dataset_followee_count', 'group_followee_count', 'organization_followee_count']) counts[name] = await b.ok(name, { id: 'alice' }, { token: null })
  t.same(counts, { followee_count: 6, user_followee_count: 2, dataset_followee_count: 2, group_followee_count: 1, organization_followee_count: 1 }, 'true counts (CKAN 2.11 counts groups for every type)')
  t.equal(await b.ok('followee_count', { id: bob.id }), 1)
  t.equal(await b.ok('followee_count', { id: 'carol' }), 0)
  t.same(await fails(b, 'followee_count', { id: 'nope' }, null), { status: 409, error: { __type: 'Validation Error', id: ['Not found: User'] } })
  t.same(await fails(b, 'dataset_followee_count', {}, null), { status: 409, error: { __type: 'Validation Error', id: ['Missing value'] } })

  const users = await b.ok('user_followee_list', { id: 'alice' }, as(alice))
  t.same(
    users.map((u: { name: string }) => u.name),
    ['bob', 'carol'],
  )
  t.same(Object.keys(users[0]), LIST_USER_KEYS)
  const datasets = await b.ok('dataset_followee_list', { id: 'alice' }, as(alice))
  t.same(
    datasets.map((d: { name: string }) => d.name),
    ['ds', 'other'],
  )
  t.equal(datasets[0].id, ds.id)
  t.same(datasets[0].organization.name, 'org', 'package_show dicts')
  t.ok(Array.isArray(datasets[0].resources))
  const groups = await b.ok('group_followee_list', { id: 'alice' }, as(alice))
  t.same(
    groups.map((g: { id: string }) => g.id),
    [group.id],
  )
  t.equal(groups[0].is_organization, false)
  t.ok(Array.isArray(groups[0].users) && 'package_count' in groups[0], 'group dicts')
  const orgs = await b.ok('organization_followee_list', { id: 'alice' }, as(alice))
  t.same(
    orgs.map((g: { id: string }) => g.id),
    [org.id],
  )
  t.equal(orgs[0].package_count, 2)

  const all = await b.ok('followee_list', { id: 'alice' }, as(alice))
  t.same(
    all.map((f: { type: string; display_name: string }) => `${f.type}:${f.display_name}`),
    ['group:A Group', 'dataset:Middle Dataset', 'organization:Org Title', 'dataset:another one', 'user:bob', 'user:carol'],
    'sorted by display name (code point order), titles for datasets',
  )
  t.same(Object.keys(all[0]), ['type', 'display_name', 'dict'])
  t.equal(all[1].dict.id, ds.id)
  const some = await b.ok('followee_list', { id: 'alice', q: ' mID' }, as(alice))
  t.same(
    some.map((f: { display_name: string }) => f.display_name),
    ['Middle Dataset'],
    'q: case-insensitive display-name prefix',
  )
  t.same(await b.ok('followee_list', { id: 'alice', q: 'iddle' }, as(alice)), [], 'a prefix, not a substring')
  t.equal((await b.ok('followee_list', { id: 'alice' })).length, 6, 'a sysadmin may look')
  t.same(await b.ok('followee_list', { id: 'carol' }, as(carol)), [])

  for (const name of ['user_followee_list', 'dataset_followee_list', 'group_followee_list', 'organization_followee_list', 'followee_list']) {
    t.same(await fails(b, name, { id: 'alice' }, bob.token), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Not authorized' } }, `${name}: not someone else's`)
    t.same(await fails(b, name, { id: 'alice' }, null), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Not authorized' } }, `${name}: not anonymous`)
  }
  t.same(await fails(b, 'followee_list', { id: 'nope' }, bob.token), { status: 409, error: { __type: 'Validation Error', id: ['Not found: User'] } }, 'followee_list validates before its auth')
  t.same(await fails(b, 'user_followee_list', { id: 'nope' }, bob.token), { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Not authorized' } }, 'the typed lists check auth first')
  t.same(await fails(b, 'user_followee_list', { id: 'nope' }, b.sysadminToken), { status: 409, error: { __type: 'Validation Error', id: ['Not found: User'] } })
})

t.test('follows of deleted objects, or by deleted users, are ignored', async (t) => {
  const { b, alice, bob } = await world(t)
  const as = (w: Who) => ({ token: w.token })
  await b.ok('follow_dataset', { id: 'ds' }, as(alice))
  await b.ok('follow_dataset', { id: 'ds' }, as(bob))
  await b.ok('follow_group', { id: 'grp' }, as(alice))
  await b.ok('follow_user', { id: 'carol' }, as(alice))
  await b.ok('follow_user', { id: 'carol' }, as(bob))
  t.equal(await b.ok('followee_count', { id: 'alice' }), 3)

  await b.ok('user_delete', { id: 'bob' })
  t.equal(await b.ok('dataset_follower_count', { id: 'ds' }), 1, 'a deleted follower does not count')
  t.same(
    (await b.ok('user_follower_list', { id: 'carol' })).map((u: { name: string }) => u.name),
    ['alice'],
  )
  t.equal(await b.ok('followee_count', { id: 'bob' }), 0, "a deleted user's follows do not count")

  await b.ok('package_delete', { id: 'ds' })
  await b.ok('group_delete', { id: 'grp' })
  await b.ok('user_delete', { id: 'carol' })
  t.equal(await b.ok('dataset_follower_count', { id: 'ds' }), 0, 'a deleted dataset is still found, with no followers')
  t.same(await b.ok('dataset_follower_list', { id: 'ds' }), [])
  t.equal(await b.ok('group_follower_count', { id: 'grp' }), 0)
  t.equal(await b.ok('user_follower_count', { id: 'carol' }), 0)
  t.equal(await b.ok('am_following_dataset', { id: 'ds' }, as(alice)), false)
  t.equal(await b.ok('am_following_group', { id: 'grp' }, as(alice)), false)
  t.equal(await b.ok('am_following_user', { id: 'carol' }, as(alice)), false)
  t.equal(await b.ok('followee_count', { id: 'alice' }), 0)
  t.same(await b.ok('followee_list', { id: 'alice' }, as(alice)), [])
  t.same(await b.ok('dataset_followee_list', { id: 'alice' }, as(alice)), [])
  t.equal(await b.ok('unfollow_dataset', { id: 'ds' }, as(alice)), null, 'unfollowing a deleted dataset is accepted')
  const left = await b.db.kysely.selectFrom('user_following_dataset').select('follower_id').where('follower_id', '=', alice.id).execute()
  t.same(left, [], 'and removes the follow')
})

t.test('a private dataset: anyone may follow it by id, its dict only reaches those who may read it', async (t) => {
  const { b, alice } = await world(t)
  const secret = await b.ok('package_create', { name: 'secret', title: 'Secret', owner_org: 'org', private: true })
  const rel = await b.ok('follow_dataset', { id: secret.id }, { token: alice.token })
  t.equal(rel.object_id, secret.id)
  t.equal(await b.ok('dataset_followee_count', { id: 'alice' }), 1, 'counted')
  t.same(await b.ok('dataset_followee_list', { id: 'alice' }, { token: alice.token }), [], 'not shown to a follower who cannot read it')
  t.same(await b.ok('followee_list', { id: 'alice' }, { token: alice.token }), [])
  const bySysadmin = await b.ok('dataset_followee_list', { id: 'alice' })
  t.same(
    bySysadmin.map((d: { name: string }) => d.name),
    ['secret'],
  )
  await b.ok('organization_member_create', { id: 'org', username: 'alice', role: 'member' })
  t.same(
    (await b.ok('dataset_followee_list', { id: 'alice' }, { token: alice.token })).map((d: { name: string }) => d.name),
    ['secret'],
    'shown once they may read it',
  )
})
