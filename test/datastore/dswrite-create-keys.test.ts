import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { defaultRegistry } from '../../src/actions/registry.js'
import { columns, fails, people, resourceIn, rows, tableExists } from './dswrite-fixtures.js'

/** datastore_create (CKAN 2.11): primary_key, indexes, aliases, the resource param, the SQL reader's grants, concurrent creates. */

t.test('primary_key and indexes', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds')
  const indexes = async () => {
    const { rows } = await sql<{
      def: string
    }>`SELECT regexp_replace(indexdef, '^.* USING ', '') AS def, indexdef LIKE 'CREATE UNIQUE%' AS u FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = ${rid} AND indexdef NOT LIKE '%_full_text%' AND indexdef NOT LIKE '%(_id)' ORDER BY 1, 2`.execute(
      b.db.kysely,
    )
    return rows.map((r) => `${(r as unknown as { u: boolean }).u ? 'unique ' : ''}${r.def}`).sort()
  }
  const created = await b.ok('datastore_create', {
    resource_id: rid,
    force: true,
    fields: [
      { id: 'code', type: 'text' },
      { id: 'year', type: 'int' },
      { id: 'doc', type: 'json' },
      { id: 'v', type: 'float' },
    ],
    primary_key: 'code, year',
    indexes: [['year', 'v'], 'doc'],
  })
  t.equal(created.primary_key, 'code, year', 'echoed as sent')
  t.same(await indexes(), ['btree (((doc)::text))', 'btree (year, v)', 'unique btree (code, year)'])
  // the same key again changes nothing; indexes not given are kept
  await b.ok('datastore_create', { resource_id: rid, force: true, primary_key: ['year', 'code'] })
  t.same(await indexes(), ['btree (((doc)::text))', 'btree (year, v)', 'unique btree (code, year)'])
  // each replaces the previous
  await b.ok('datastore_create', { resource_id: rid, force: true, primary_key: 'code', indexes: 'v' })
  t.same(await indexes(), ['btree (v)', 'unique btree (code)'])
  await b.ok('datastore_create', { resource_id: rid, force: true, primary_key: '', indexes: [] })
  t.same(await indexes(), [], 'empty values remove them')

  const bad = await fails(b, 'datastore_create', { resource_id: rid, force: true, indexes: ['v', ['code', 'nope']] })
  t.same(bad, { status: 409, error: { __type: 'Validation Error', index: ["The field \"['code', 'nope']\" is not a valid column name."] } })
  const badPk = await fails(b, 'datastore_create', { resource_id: rid, force: true, primary_key: 'nope' })
  t.same(badPk.error.index, ['The field "[\'nope\']" is not a valid column name.'])

  await b.ok('datastore_create', {
    resource_id: rid,
    force: true,
    records: [
      { code: 'a', year: 1 },
      { code: 'a', year: 2 },
    ],
  })
  const dup = await fails(b, 'datastore_create', { resource_id: rid, force: true, primary_key: 'code' })
  t.equal(dup.status, 409)
  t.same(dup.error.constraints, ['Cannot insert records or create index because of uniqueness constraint'])
  t.same((dup.error.info as Record<string, unknown>).pgcode, '23505')
  t.same(await indexes(), [], 'the failed create changed nothing')
  const inserted = await fails(b, 'datastore_create', { resource_id: rid, force: true, primary_key: 'year', records: [{ code: 'b', year: 1 }] })
  t.same(inserted.error.constraints, ['Cannot insert records or create index because of uniqueness constraint'], 'records first, then the key they break')
  t.equal((await rows(b, rid)).length, 2, 'and the records it brought were not kept')
})

t.test('aliases', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds')
  const other = await resourceIn(b, 'ds2')
  await b.ok('datastore_create', { resource_id: rid, force: true, aliases: ['cantones', 'cantones_ec'], records: [{ n: 1 }] })
  const { rows: viaAlias } = await sql<{ n: number }>`SELECT n FROM datastore.cantones`.execute(b.db.kysely)
  t.same(viaAlias, [{ n: 1 }], 'an alias reads the table')
  t.ok(await tableExists(b, 'cantones_ec'))
  await b.ok('datastore_create', { resource_id: rid, force: true, aliases: 'cantones_2024' })
  t.notOk(await tableExists(b, 'cantones'), 'aliases given replace the previous ones')
  t.ok(await tableExists(b, 'cantones_2024'))

  const taken = await fails(b, 'datastore_create', { resource_id: other, force: true, aliases: 'cantones_2024', fields: [{ id: 'x', type: 'text' }] })
  t.same(taken, { status: 409, error: { __type: 'Validation Error', alias: ['The alias "cantones_2024" already exists.'] } })
  t.notOk(await tableExists(b, other), "the other resource's table was not created")
  const tableName = await fails(b, 'datastore_create', { resource_id: other, force: true, aliases: rid, fields: [{ id: 'x', type: 'text' }] })
  t.same(tableName.error.alias, [`"${rid}" already exists`], "a table's name cannot be an alias")
  for (const name of ['_x', 'con%', ' pad', 'a"b', 'x'.repeat(64)]) {
    const bad = await fails(b, 'datastore_create', { resource_id: other, force: true, aliases: [name], fields: [{ id: 'x', type: 'text' }] })
    t.same(bad.error.alias, [`"${name}" is not a valid alias name`], name)
  }
  const notList = await fails(b, 'datastore_create', { resource_id: other, force: true, aliases: { a: 1 } })
  t.same(notList.error.aliases, ['Not a list'])
})

t.test('the resource param: a DataStore-only resource created with its table', async (t) => {
  const b = await testApp(t)
  const { editor, outsider } = await people(b)
  const ds = await b.ok('package_create', { name: 'ds', owner_org: 'org' })
  const result = await b.ok('datastore_create', { resource: { package_id: 'ds', name: 'Tabla' }, fields: [{ id: 'a', type: 'text' }], records: [{ a: 'x' }] }, { token: editor.token })
  const rid = result.resource_id as string
  t.match(rid, /^[0-9a-f-]{36}$/)
  t.same(result.resource, { package_id: 'ds', name: 'Tabla', url: '_datastore_only_resource' })
  const res = await b.ok('resource_show', { id: rid })
  t.equal(res.url_type, 'datastore')
  t.equal(res.url, `http://test.local/datastore/dump/${rid}`, 'its url is the dump')
  t.equal(res.datastore_active, true)
  t.equal(res.package_id, ds.id)
  t.same(await rows(b, rid), [{ _id: 1, a: 'x' }])
  // writable without force from now on
  await b.ok('datastore_create', { resource_id: rid, records: [{ a: 'y' }] }, { token: editor.token })

  const denied = await fails(b, 'datastore_create', { resource: { package_id: 'ds' }, fields: [{ id: 'a', type: 'text' }] }, outsider.token)
  t.same(denied, { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: User outsider not authorized to perform package_update on resource ds' } })
  const broken = await fails(b, 'datastore_create', { resource: { package_id: 'ds' }, fields: [{ id: '_bad', type: 'text' }] })
  t.equal(broken.status, 409)
  t.equal((await b.ok('package_show', { id: 'ds' })).resources.length, 1, 'a refused table leaves no resource behind')
})

t.test('the resource param with a url: the loader makes the table', async (t) => {
  const b = await testApp(t)
  await people(b)
  await b.ok('package_create', { name: 'ds', owner_org: 'org' })
  const body = { resource: { package_id: 'ds', url: 'http://example.org/tabla.csv', format: 'CSV' } }
  if (defaultRegistry().get('xloader_submit') === undefined) {
    // as CKAN without DataPusher
    t.same(await fails(b, 'datastore_create', body), { status: 409, error: { __type: 'Validation Error', resource: ['The datapusher has to be enabled.'] } })
    t.equal((await b.ok('package_show', { id: 'ds' })).resources.length, 0, 'no resource was created')
  } else {
    t.equal(await b.ok('datastore_create', body), null, 'the load is submitted, nothing is returned')
    const res = (await b.ok('package_show', { id: 'ds' })).resources
    t.equal(res.length, 1)
    t.equal(res[0].url, 'http://example.org/tabla.csv')
  }
})

t.test("the SQL reader's access follows the dataset's visibility", async (t) => {
  const b = await testApp(t)
  await people(b)
  const pub = await resourceIn(b, 'pub')
  const priv = await resourceIn(b, 'priv', { private: true })
  for (const rid of [pub, priv]) await b.ok('datastore_create', { resource_id: rid, force: true, aliases: `a_${rid.slice(0, 8)}`, fields: [{ id: 'a', type: 'text' }] })
  const can = async (name: string) => (await sql<{ ok: boolean }>`SELECT has_table_privilege('abierto_datastore_reader', ${`datastore."${name}"`}, 'SELECT') AS ok`.execute(b.db.kysely)).rows[0].ok
  t.equal(await can(pub), true)
  t.equal(await can(`a_${pub.slice(0, 8)}`), true, 'and its alias')
  t.equal(await can(priv), false, 'a private dataset is not readable')
  t.equal(await can(`a_${priv.slice(0, 8)}`), false, 'nor its alias')
})

t.test('two creates of the same table at once: one creates, the other alters', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds', { url_type: 'datastore' })
  const [one, two] = await Promise.all([
    b.call('datastore_create', { resource_id: rid, fields: [{ id: 'a', type: 'text' }], records: [{ a: 'uno' }] }),
    b.call('datastore_create', {
      resource_id: rid,
      fields: [
        { id: 'a', type: 'text' },
        { id: 'b', type: 'int' },
      ],
      records: [{ a: 'dos', b: 2 }],
    }),
  ])
  t.same([one.statusCode, two.statusCode], [200, 200], 'neither fails on the other')
  t.same((await rows(b, rid)).map((r) => r.a).sort(), ['dos', 'uno'])
  t.same(
    (await columns(b, rid)).map((c) => c[0]),
    ['_id', '_full_text', 'a', 'b'],
  )
})
