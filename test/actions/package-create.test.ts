import t from 'tap'
import { testApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/

t.test('package_create with only name and owner_org returns CKAN defaults', async (t) => {
  const { ok, db } = await testApp(t)
  const orgId = await insertGroup(db.kysely, 'my-org', { title: 'My Org' })
  const d = await ok('package_create', { name: 'my-dataset', owner_org: 'my-org' })
  t.same(Object.keys(d), [
    'author',
    'author_email',
    'creator_user_id',
    'id',
    'isopen',
    'license_id',
    'license_title',
    'maintainer',
    'maintainer_email',
    'metadata_created',
    'metadata_modified',
    'name',
    'notes',
    'num_resources',
    'num_tags',
    'organization',
    'owner_org',
    'private',
    'state',
    'title',
    'type',
    'url',
    'version',
    'resources',
    'tags',
    'extras',
    'groups',
    'relationships_as_subject',
    'relationships_as_object',
  ])
  t.match(d.id, /^[0-9a-f-]{36}$/)
  t.equal(d.owner_org, orgId, 'owner_org given by name is stored as the id')
  t.equal(d.title, 'my-dataset', 'title defaults to the name')
  t.equal(d.private, false)
  t.equal(d.state, 'active')
  t.equal(d.type, 'dataset')
  t.equal(d.isopen, false)
  t.equal(d.license_id, null)
  t.equal(d.license_title, null)
  t.notOk('license_url' in d)
  t.equal(d.num_resources, 0)
  t.equal(d.num_tags, 0)
  t.match(d.metadata_created, TS)
  t.ok(d.metadata_modified > d.metadata_created, 'metadata_modified set after metadata_created')
  t.same(d.organization, {
    id: orgId,
    name: 'my-org',
    title: 'My Org',
    type: 'organization',
    description: '',
    image_url: '',
    created: d.organization.created,
    is_organization: true,
    approval_status: 'approved',
    state: 'active',
  })
  t.match(d.organization.created, TS)
  const shown = await ok('package_show', { id: 'my-dataset' }, { token: null })
  t.same(shown, d, 'package_show by name returns what package_create returned')
  t.same(await ok('package_show', { id: d.id }, { token: null }), d, 'package_show by id too')
})

t.test('full dataset: license, tags, extras, resources, groups', async (t) => {
  const { ok, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const gid = await insertGroup(db.kysely, 'grp1', { organization: false, title: 'Group One' })
  const d = await ok('package_create', {
    name: 'full',
    title: '  Presupuesto 2024 ',
    owner_org: 'org1',
    license_id: 'cc-by',
    notes: 'Notas',
    url: 'http://src',
    version: '1.0',
    author: 'A',
    author_email: ' a@b.ec ',
    maintainer: 'M',
    maintainer_email: 'm@b.ec',
    tags: [{ name: 'economía' }, { name: 'Budget 2024' }, { name: 'economía' }],
    tag_string: 'uno, dos',
    extras: [
      { key: 'z', value: 'last' },
      { key: 'a', value: 'first' },
    ],
    resources: [
      { url: 'http://x.org/data.csv', name: 'CSV' },
      { url: 'http://x.org/file', format: 'application/zip', custom: { nested: [1] } },
    ],
    groups: [{ name: 'grp1' }, { name: 'unknown-group' }],
    unknown_top_level: 'dropped',
  })
  t.equal(d.title, '  Presupuesto 2024 ', 'title kept as given (CKAN does not strip it)')
  t.equal(d.author_email, 'a@b.ec', 'email stripped')
  t.equal(d.isopen, true)
  t.equal(d.license_title, 'Creative Commons Attribution')
  t.equal(d.license_url, 'http://www.opendefinition.org/licenses/cc-by')
  t.same(
    d.tags.map((x: any) => x.name),
    ['Budget 2024', 'dos', 'economía', 'uno'],
    'tags deduplicated and sorted by name',
  )
  t.same(Object.keys(d.tags[0]), ['display_name', 'id', 'name', 'state', 'vocabulary_id'])
  t.equal(d.num_tags, 4)
  t.same(
    d.extras,
    [
      { key: 'a', value: 'first' },
      { key: 'z', value: 'last' },
    ],
    'extras sorted by key',
  )
  t.equal(d.num_resources, 2)
  t.same(
    d.resources.map((r: any) => [r.position, r.format, r.mimetype]),
    [
      [0, 'CSV', 'text/csv'],
      [1, 'ZIP', null],
    ],
  )
  t.same(d.resources[1].custom, { nested: [1] }, 'free resource keys keep their JSON type')
  t.equal(d.resources[0].package_id, d.id)
  t.same(d.groups, [{ description: '', display_name: 'Group One', id: gid, image_display_url: '', name: 'grp1', title: 'Group One' }], 'unknown groups skipped')
  t.notOk('unknown_top_level' in d)
  t.notOk(
    d.extras.some((e: any) => e.key === 'unknown_top_level'),
    'unknown keys are not turned into extras',
  )
})

t.test('validation messages, field by field', async (t) => {
  const { call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  await insertGroup(db.kysely, 'gone', { state: 'deleted' })
  await insertGroup(db.kysely, 'agroup', { organization: false })
  const err = async (body: Record<string, unknown>) => {
    const res = await call('package_create', body)
    t.equal(res.statusCode, 409, JSON.stringify(body))
    const e = res.json().error
    t.equal(e.__type, 'Validation Error')
    return e
  }
  t.same((await err({ owner_org: 'org1' })).name, ['Missing value'])
  t.same((await err({ name: '', owner_org: 'org1' })).name, ['Missing value'])
  t.same((await err({ name: 'x', owner_org: 'org1' })).name, ['Must be at least 2 characters long'])
  t.same((await err({ name: 'a'.repeat(101), owner_org: 'org1' })).name, ['Name must be a maximum of 100 characters long'])
  t.same((await err({ name: 'Bad Name', owner_org: 'org1' })).name, ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'])
  t.same((await err({ name: 'new', owner_org: 'org1' })).name, ['That name cannot be used'])
  t.same((await err({ name: 12, owner_org: 'org1' })).name, ['Names must be strings'])
  t.same((await err({ name: 'ok-name' })).owner_org, ['An organization must be provided'])
  t.same((await err({ name: 'ok-name', owner_org: 'nope' })).owner_org, ['Organization does not exist'])
  t.same((await err({ name: 'ok-name', owner_org: 'gone' })).owner_org, ['Organization does not exist'])
  t.same((await err({ name: 'ok-name', owner_org: 'agroup' })).owner_org, ['Organization does not exist'], 'a group is not an organization')
  t.same((await err({ name: 'ok-name', owner_org: 'org1', author_email: 'foo' })).author_email, ['Email foo is not a valid format'])
  t.same((await err({ name: 'ok-name', owner_org: 'org1', maintainer_email: 'a@' })).maintainer_email, ['Email a@ is not a valid format'])
  t.same((await err({ name: 'ok-name', owner_org: 'org1', version: 'v'.repeat(101) })).version, ['Version must be a maximum of 100 characters long'])
  t.same((await err({ name: 'ok-name', owner_org: 'org1', id: 'not-a-uuid' })).id, ['Invalid id provided'])
  const tags = (await err({ name: 'ok-name', owner_org: 'org1', tags: [{ name: 'ok' }, { name: 'a' }, { name: 'bad!' }, { name: 't'.repeat(101) }, {}] })).tags
  t.same(tags, [
    'Tag "a" length is less than minimum 2',
    'Tag "bad!" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")',
    `Tag "${'t'.repeat(101)}" length is more than maximum 100`,
    'Missing value',
  ])
  const ex = await err({ name: 'ok-name', owner_org: 'org1', extras: [{ key: 'ok', value: '1' }, { key: 'title', value: 'x' }, { value: 'v' }, { key: 'k' }] })
  t.same(ex.extras, [{}, { key: ['There is a schema field with the same name'] }, { key: ['Missing value'] }, { value: ['Missing value'] }])
  t.same(
    (
      await err({
        name: 'ok-name',
        owner_org: 'org1',
        extras: [
          { key: 'd', value: '1' },
          { key: 'd', value: '2' },
        ],
      })
    ).extras_validation,
    ['Duplicate key "d"'],
  )
  const res = await err({ name: 'ok-name', owner_org: 'org1', resources: [{ url: 'http://a' }, { size: 'big', created: 'yesterday', id: 'nope' }] })
  t.same(res.resources, [{}, { id: ['Invalid id provided'], size: ['Invalid integer'], created: ['Date format incorrect'] }])
  const tv = await err({ name: 'ok-name', owner_org: 'org1', tags: [{ name: 'fine', vocabulary_id: 'nope' }] })
  t.same(tv.tags, ['Tag vocabulary was not found.'])
  t.same(Object.keys(await err({ name: 'x', owner_org: 'nope', author_email: 'bad' })).sort(), ['__type', 'author_email', 'name', 'owner_org'], 'all field errors reported at once')
  // nothing was written by any of the failed calls
  const count = await db.kysely.selectFrom('package').select(db.kysely.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 0)
})

t.test('bad shapes are 4xx, never 500', async (t) => {
  const { call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const tagsAsStrings = await call('package_create', { name: 'ok-name', owner_org: 'org1', tags: ['a', 'b'] })
  t.equal(tagsAsStrings.statusCode, 400)
  t.equal(tagsAsStrings.json().error.__type, 'Integrity Error')
  t.equal(tagsAsStrings.json().error.message, 'Values in lists need to be dicts')
  const resourcesAsDict = await call('package_create', { name: 'ok-name', owner_org: 'org1', resources: { url: 'x' } })
  t.ok([400, 409].includes(resourcesAsDict.statusCode), `resources as a dict → ${resourcesAsDict.statusCode}`)
  const weird = await call('package_create', { name: { a: 1 }, owner_org: ['x'], private: { b: 2 }, extras: 'nope' })
  t.ok(weird.statusCode >= 400 && weird.statusCode < 500, `garbage → ${weird.statusCode}`)
})

t.test('authorization: anonymous and bad tokens may not write', async (t) => {
  const { call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const anon = await call('package_create', { name: 'ok-name', owner_org: 'org1' }, { token: null })
  t.equal(anon.statusCode, 403)
  t.same(anon.json().error, { __type: 'Authorization Error', message: 'Access denied: User  not authorized to create packages' })
  const bad = await call('package_create', { name: 'ok-name', owner_org: 'org1' }, { token: 'not-a-token' })
  t.equal(bad.statusCode, 403, 'an unknown token is anonymous')
})

t.test('sysadmin may supply a UUID id; it must be unused', async (t) => {
  const { ok, call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const id = '3f2b7e1c-9f3a-4c55-8a35-1b2c3d4e5f60'
  const d = await ok('package_create', { id, name: 'with-id', owner_org: 'org1' })
  t.equal(d.id, id)
  const again = await call('package_create', { id, name: 'other', owner_org: 'org1' })
  t.same(again.json().error.id, ['Dataset id already exists'])
})

t.test('name uniqueness: taken, reusable after delete, and under concurrency', async (t) => {
  const { ok, call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const first = await ok('package_create', { name: 'taken', owner_org: 'org1' })
  const dup = await call('package_create', { name: 'taken', owner_org: 'org1' })
  t.equal(dup.statusCode, 409)
  t.same(dup.json().error.name, ['That URL is already in use.'])

  await ok('package_delete', { id: 'taken' })
  const reused = await ok('package_create', { name: 'taken', owner_org: 'org1' })
  t.not(reused.id, first.id, 'a deleted dataset frees its name')
  const old = await ok('package_show', { id: first.id })
  t.equal(old.state, 'deleted')
  t.equal(old.name, first.id, 'the deleted row took its id as name')

  const results = await Promise.all(Array.from({ length: 6 }, () => call('package_create', { name: 'race', owner_org: 'org1' })))
  const codes = results.map((r) => r.statusCode).sort()
  t.same(codes, [200, 409, 409, 409, 409, 409], 'one success, the others a validation error')
  for (const r of results.filter((r) => r.statusCode === 409)) t.same(r.json().error.name, ['That URL is already in use.'])
  const rows = await db.kysely.selectFrom('package').select('id').where('name', '=', 'race').execute()
  t.equal(rows.length, 1, 'no duplicate row')
})

t.test('private datasets need an organization; form and query parameters', async (t) => {
  const { ok, call, app, db, sysadminToken } = await testApp(t, { CREATE_UNOWNED_DATASET: 'true' })
  await insertGroup(db.kysely, 'org1')
  const unowned = await call('package_create', { name: 'unowned', private: true })
  t.same(unowned.json().error.private, ["Datasets with no organization can't be private."])
  const d = await ok('package_create', { name: 'unowned', private: 'no' })
  t.equal(d.owner_org, null)
  t.equal(d.organization, null)
  t.equal(d.private, false)

  // urlencoded form: every value a string, booleans parsed as CKAN's asbool
  const form = await app.inject({
    method: 'POST',
    url: '/api/action/package_create',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: sysadminToken },
    payload: 'name=from-form&owner_org=org1&private=True&tag_string=uno,dos',
  })
  t.equal(form.statusCode, 200, form.body)
  t.equal(form.json().result.private, true)
  t.equal(form.json().result.num_tags, 2)

  const get = await app.inject({ method: 'GET', url: '/api/3/action/package_create?name=x' })
  t.equal(get.statusCode, 400)
  t.equal(get.json(), 'Bad request - JSON Error: Invalid request. Please use POST method for your request')
})

t.test('a list of valid e-mail addresses is accepted; one bad address is not', async (t) => {
  const { ok, call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const d = await ok('package_create', { name: 'contacts', owner_org: 'org1', maintainer_email: 'a@x.ec; b@y.ec' })
  t.equal(d.maintainer_email, 'a@x.ec; b@y.ec')
  const bad = await call('package_create', { name: 'contacts2', owner_org: 'org1', maintainer_email: 'a@x.ec; nope' })
  t.same(bad.json().error.maintainer_email, ['Email a@x.ec; nope is not a valid format'])
})
