import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'

/**
 * The dataset write path as ckanapi load drives it (package_show, then package_create or a
 * package_update of the whole dict): tags written as a difference, the validation facts read in
 * one statement, a deleted dataset's name freed only when one holds it.
 */

const ID = '3f0c9a52-6b1e-4c1a-9d57-0f3e2a1b4c5d'
const RES = ['8a1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', '9b2e3d4f-5061-4b7c-9d8e-0f1a2b3c4d5e']

t.test('package_update writes only the tags that differ, and a dict sent back unchanged changes nothing', async (t) => {
  const { ok, db } = await testApp(t)
  await insertGroup(db.kysely, 'org')
  const vocab = { id: 'b7c1d2e3-f405-4a6b-8c7d-1e2f3a4b5c6d' }
  await db.kysely.insertInto('vocabulary').values({ id: vocab.id, name: 'temas' }).execute()
  const d = await ok('package_create', { name: 'ds', owner_org: 'org', tags: [{ name: 'uno' }, { name: 'dos' }, { name: 'agua', vocabulary_id: vocab.id }] })
  const tagId = (dict: any, name: string) => dict.tags.find((x: any) => x.name === name)?.id
  const freeAgua = await ok('package_create', { name: 'otro', owner_org: 'org', tags: [{ name: 'agua' }] })
  t.not(tagId(freeAgua, 'agua'), tagId(d, 'agua'), 'a free tag and a vocabulary tag of the same name are two tags')

  const u = await ok('package_update', { ...d, tags: [{ name: 'dos' }, { name: 'tres' }, { name: 'agua', vocabulary_id: vocab.id }, { name: 'agua' }] })
  t.same(u.tags.map((x: any) => `${x.name}/${x.vocabulary_id ?? ''}`).sort(), ['agua/', `agua/${vocab.id}`, 'dos/', 'tres/'])
  t.equal(tagId(u, 'dos'), tagId(d, 'dos'), 'a kept tag keeps its row')
  t.equal(u.tags.find((x: any) => x.name === 'agua' && !x.vocabulary_id).id, tagId(freeAgua, 'agua'), 'an existing tag is reused, not created again')
  t.equal(u.tags.find((x: any) => x.vocabulary_id).id, tagId(d, 'agua'))
  const rows = await db.kysely.selectFrom('package_tag').select(['tag_id', 'state']).where('package_id', '=', d.id).execute()
  t.equal(rows.length, 4, 'the dropped tag has no row left')
  t.ok(
    rows.every((r) => r.state === 'active'),
    'every row active',
  )
  const search = await ok('package_search', { q: 'tags:tres' })
  t.same(
    search.results.map((r: any) => r.name),
    ['ds'],
    'the index has the new tags',
  )

  // what ckanapi load does on its second run: the same dict again
  await sql`SELECT abierto_stamp_changes()`.execute(db.kysely)
  const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM package_change`.execute(db.kysely)).rows[0].n
  const shown = await ok('package_show', { id: d.id })
  const again = await ok('package_update', shown)
  t.same(again, shown, 'the answer is the stored dict, metadata_modified included')
  const after = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM package_change`.execute(db.kysely)).rows[0].n
  t.equal(after, before, 'no change in the feed: a rewrite with the same values is nothing')
  const activities = await ok('package_activity_list', { id: d.id })
  t.equal(activities[0].activity_type, 'changed package', 'the update still has its activity, as in CKAN')

  const cleared = await ok('package_update', { ...shown, tags: [] })
  t.same(cleared.tags, [])
  t.equal((await db.kysely.selectFrom('package_tag').select('tag_id').where('package_id', '=', d.id).execute()).length, 0)
})

t.test('package_create checks id, name, organization, groups and resource ids with the same rules and messages', async (t) => {
  const { ok, call, db } = await testApp(t)
  const orgId = await insertGroup(db.kysely, 'org')
  await insertGroup(db.kysely, 'otra')
  const grp = await insertGroup(db.kysely, 'grupo', { organization: false })
  await insertGroup(db.kysely, 'borrado', { organization: false, state: 'deleted' })

  const d = await ok('package_create', {
    id: ID,
    name: 'ds',
    owner_org: orgId,
    groups: [{ name: 'grupo' }, { id: grp }, { name: 'no-existe' }, { name: 'borrado' }, { name: 'org' }],
    resources: [{ id: RES[0], url: 'http://x/a.csv' }],
  })
  t.equal(d.id, ID)
  t.equal(d.owner_org, orgId, 'organization by id')
  t.same(
    d.groups.map((g: any) => g.name),
    ['grupo'],
    'groups by name or id, once; unknown, deleted and organizations skipped',
  )

  const res = await call('package_create', { id: ID, name: 'ds', owner_org: 'no-existe', groups: [], resources: [{ id: RES[0], url: 'http://x/b.csv' }, { id: RES[1] }] })
  t.equal(res.statusCode, 409)
  const err = res.json().error
  t.same(err.id, ['Dataset id already exists'])
  t.same(err.name, ['That URL is already in use.'])
  t.same(err.owner_org, ['Organization does not exist'])
  t.same(err.resources, [{ id: ['Resource id already exists.'] }, {}], 'only the resource id another dataset has')

  const group = await call('package_create', { name: 'ds2', owner_org: 'grupo' })
  t.same(group.json().error.owner_org, ['Organization does not exist'], 'a group is not an organization')

  const moved = await ok('package_update', { id: ID, name: 'ds', owner_org: 'otra', resources: [{ id: RES[0], url: 'http://x/a.csv' }] })
  t.equal(moved.organization.name, 'otra', 'organization by name')
  t.equal(moved.resources[0].id, RES[0], 'its own resource id is not taken')
})

t.test('a deleted dataset gives up its name to a new one, and only then is touched', async (t) => {
  const { ok, db } = await testApp(t)
  await insertGroup(db.kysely, 'org')
  const old = await ok('package_create', { name: 'nombre', owner_org: 'org' })
  await ok('package_delete', { id: old.id })
  const fresh = await ok('package_create', { name: 'nombre', owner_org: 'org' })
  t.not(fresh.id, old.id)
  const row = await db.kysely.selectFrom('package').select(['name', 'state']).where('id', '=', old.id).executeTakeFirstOrThrow()
  t.same(row, { name: old.id, state: 'deleted' }, 'the deleted dataset takes its id as name')

  const renamed = await ok('package_create', { name: 'libre', owner_org: 'org' })
  await ok('package_delete', { id: renamed.id })
  const other = await ok('package_create', { name: 'otro', owner_org: 'org' })
  const taken = await ok('package_update', { id: other.id, name: 'libre', owner_org: 'org' })
  t.equal(taken.name, 'libre', 'an update may take a deleted dataset’s name too')
  t.equal((await db.kysely.selectFrom('package').select('name').where('id', '=', renamed.id).executeTakeFirstOrThrow()).name, renamed.id)
  const untouched = await db.kysely.selectFrom('package').select(['name', 'metadata_modified']).where('id', '=', fresh.id).executeTakeFirstOrThrow()
  t.equal(untouched.name, 'nombre', 'the live holder of a name is never renamed')
})
