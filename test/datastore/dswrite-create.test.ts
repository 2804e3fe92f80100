import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { defaultRegistry } from '../../src/actions/registry.js'
import { columns, fails, people, resourceIn, rows, tableExists } from './dswrite-fixtures.js'

/** datastore_create (CKAN 2.11): tables, guessed types, records, keys, indexes, aliases, the flag and the resource param. */

t.test('a new table: fields, guessed types, records, the result and datastore_active', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds')
  t.equal((await b.ok('resource_show', { id: rid })).datastore_active, false, 'every resource dict says whether it has a table')

  const result = await b.ok('datastore_create', {
    resource_id: rid,
    force: true,
    fields: [{ id: 'nombre', type: 'text', info: { label: 'Nombre', notes: 'del cantón' } }, { id: 'habitantes' }, { id: 'datos', type: 'json' }],
    records: [
      { nombre: 'Cuenca', habitantes: 636996, datos: { provincia: 'Azuay' }, area: 3.5, codigo: '0101', fecha: '2022-11-30', activo: true },
      { nombre: 'Quito', habitantes: 2872351, datos: ['a', 1], area: 4, codigo: '1701', fecha: '2023-01-02 10:00:00', activo: false },
      { nombre: 'Sin datos', habitantes: '', codigo: '', fecha: '' },
    ],
  })
  t.same(
    result,
    {
      resource_id: rid,
      fields: [
        { id: 'nombre', type: 'text', info: { label: 'Nombre', notes: 'del cantón' } },
        { id: 'habitantes', type: 'int' },
        { id: 'datos', type: 'json' },
      ],
      delete_fields: false,
      calculate_record_count: false,
      method: 'insert',
    },
    'the input without records or force, guessed types filled in, the insert step reported',
  )
  t.same(
    await columns(b, rid),
    [
      ['_id', 'int4'],
      ['_full_text', 'tsvector'],
      ['nombre', 'text'],
      ['habitantes', 'int4'],
      ['datos', 'json'],
      ['area', 'float8'],
      ['codigo', 'int4'],
      ['fecha', 'timestamp'],
      ['activo', 'bool'],
    ],
    "given fields first, then the first record's other keys, typed from its values",
  )
  const stored = await rows(b, rid)
  t.same(stored[0], { _id: 1, nombre: 'Cuenca', habitantes: 636996, datos: { provincia: 'Azuay' }, area: 3.5, codigo: 101, fecha: '2022-11-30T00:00:00', activo: true })
  t.same(stored[1].datos, ['a', 1], 'json keeps arrays as given')
  t.same(stored[2], { _id: 3, nombre: 'Sin datos', habitantes: null, datos: null, area: null, codigo: null, fecha: null, activo: null }, '"" is NULL outside text columns, missing keys are NULL')

  const { rows: comment } = await sql<{ c: string }>`SELECT col_description(${`datastore."${rid}"`}::regclass, 3) AS c`.execute(b.db.kysely)
  t.same(JSON.parse(comment[0].c), { label: 'Nombre', notes: 'del cantón' }, 'info is the column comment')
  const { rows: ft } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id('datastore', rid)} WHERE "_full_text" @@ plainto_tsquery('abierto_es', 'azuay')`.execute(b.db.kysely)
  t.equal(ft[0].n, 1, '_full_text is filled from the values, json included')
  const { rows: gin } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = ${rid} AND indexdef LIKE '%gin%_full_text%'`.execute(b.db.kysely)
  t.equal(gin[0].n, 1, 'the full-text index is built')

  t.equal((await b.ok('resource_show', { id: rid })).datastore_active, true, 'the resource is datastore_active')
  const pkg = await b.ok('package_show', { id: 'ds' })
  t.equal(pkg.resources[0].datastore_active, true, 'package_show shows it too (cache cleared)')
  const found = await b.ok('package_search', { q: 'name:ds' })
  t.equal(found.results[0].resources[0].datastore_active, true, 'and the search index')

  // a second create alters: new columns from fields and the first record, records appended
  const again = await b.ok('datastore_create', { resource_id: rid, force: true, fields: [{ id: 'extra', type: 'numeric', info: { label: 'Extra' } }], records: [{ nombre: 'Loja', extra: '1.10', nuevo: 'x' }] })
  t.same(again.fields, [{ id: 'extra', type: 'numeric', info: { label: 'Extra' } }])
  t.same((await columns(b, rid)).slice(-2), [
    ['extra', 'numeric'],
    ['nuevo', 'text'],
  ])
  const all = await rows(b, rid)
  t.equal(all.length, 4)
  t.same([all[3].nombre, all[3].extra, all[3].nuevo], ['Loja', '1.10', 'x'], 'numeric keeps the digits it was sent with')
})

t.test('type names: aliases, arrays, modifiers and nested', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds')
  const types = ['int', 'integer', 'bigint', 'float', 'numeric(10,2)', 'text[]', '_int4', 'timestamp', 'date', 'time', 'bool', 'nested', 'json', 'jsonb', 'Timestamp With Time Zone']
  const result = await b.ok('datastore_create', { resource_id: rid, force: true, fields: types.map((type, i) => ({ id: `c${i}`, type })) })
  t.same(
    result.fields.map((f: { type: string }) => f.type),
    types,
    'echoed as given',
  )
  t.same(
    (await columns(b, rid)).slice(2).map((c) => c[1]),
    ['int4', 'int4', 'int8', 'float8', 'numeric', '_text', '_int4', 'timestamp', 'date', 'time', 'bool', 'json', 'json', 'jsonb', 'timestamptz'],
  )
  const { rows: mod } = await sql<{ t: string }>`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = ${`datastore."${rid}"`}::regclass AND attname = 'c4'`.execute(b.db.kysely)
  t.equal(mod[0].t, 'numeric(10,2)', 'type modifiers are kept')
})

t.test('altering: info replaced, delete_fields, types of existing columns kept, aliases follow new columns', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds')
  await b.ok('datastore_create', {
    resource_id: rid,
    force: true,
    aliases: 'vista',
    fields: [
      { id: 'a', type: 'text', info: { label: 'A' } },
      { id: 'b', type: 'int' },
      { id: 'c', type: 'text' },
    ],
  })
  await b.ok('datastore_create', {
    resource_id: rid,
    force: true,
    fields: [
      { id: 'a', type: 'int', info: { label: 'Ahora' } },
      { id: 'b', info: {} },
      { id: 'd', type: 'date' },
    ],
    delete_fields: true,
  })
  t.same(await columns(b, rid), [
    ['_id', 'int4'],
    ['_full_text', 'tsvector'],
    ['a', 'text'],
    ['b', 'int4'],
    ['d', 'date'],
  ])
  const { rows: comments } = await sql<{ a: string | null; b: string | null }>`
    SELECT col_description(${`datastore."${rid}"`}::regclass, 3) AS a, col_description(${`datastore."${rid}"`}::regclass, 4) AS b`.execute(b.db.kysely)
  t.same(comments[0], { a: '{"label":"Ahora"}', b: null })
  t.same(
    await columns(b, 'vista'),
    [
      ['_id', 'int4'],
      ['_full_text', 'tsvector'],
      ['a', 'text'],
      ['b', 'int4'],
      ['d', 'date'],
    ],
    'the alias was made again over the altered table',
  )

  // dropping a column the alias shows while replacing the aliases
  await b.ok('datastore_create', { resource_id: rid, force: true, aliases: ['vista_2'], fields: [{ id: 'a' }, { id: 'b' }], delete_fields: true })
  t.notOk(await tableExists(b, 'vista'))
  t.same(
    (await columns(b, 'vista_2')).map((c) => c[0]),
    ['_id', '_full_text', 'a', 'b'],
  )
  await b.ok('datastore_create', { resource_id: rid, force: true, fields: [{ id: 'd', type: 'date' }] })
  // without delete_fields, columns not named stay
  await b.ok('datastore_create', { resource_id: rid, force: true, fields: [{ id: 'e', type: 'text' }] })
  t.same(
    (await columns(b, rid)).map((c) => c[0]),
    ['_id', '_full_text', 'a', 'b', 'd', 'e'],
  )
})

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

t.test('errors of fields and records, with CKAN messages; nothing is created', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds')
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['unknown type', { fields: [{ id: 'a', type: 'integr' }] }, { fields: ['"integr" is not a valid field type'] }],
    ['malformed type', { fields: [{ id: 'a', type: 'int); DROP TABLE resource; --' }] }, { fields: ['"int); DROP TABLE resource; --" is not a valid field type'] }],
    ['pseudo-type', { fields: [{ id: 'a', type: 'void' }] }, { fields: ['"void" is not a valid field type'] }],
    ["a catalog's row type", { fields: [{ id: 'a', type: 'pg_authid' }] }, { fields: ['"pg_authid" is not a valid field type'] }],
    ['an array of row types', { fields: [{ id: 'a', type: 'pg_class[]' }] }, { fields: ['"pg_class[]" is not a valid field type'] }],
    ["another schema's type", { fields: [{ id: 'a', type: 'information_schema.sql_identifier' }] }, { fields: ['"information_schema.sql_identifier" is not a valid field type'] }],
    ['triggers', { fields: [{ id: 'a', type: 'text' }], triggers: [{ function: 'abierto_datastore_full_text' }] }, { triggers: ['function abierto_datastore_full_text() does not exist'] }],
    ['leading underscore', { fields: [{ id: '_id', type: 'int' }] }, { fields: ['"_id" is not a valid field name'] }],
    ['double quote', { fields: [{ id: 'a"b', type: 'int' }] }, { fields: ['"a"b" is not a valid field name'] }],
    ['padded', { fields: [{ id: ' a', type: 'int' }] }, { fields: ['" a" is not a valid field name'] }],
    [
      'too long',
      {
        fields: [
          { id: 'x'.repeat(64), type: 'int' },
          { id: 'ñ'.repeat(32), type: 'int' },
        ],
      },
      { fields: [`Column heading "${'x'.repeat(64)}" exceeds limit of 63 characters.`, `Column heading "${'ñ'.repeat(32)}" exceeds limit of 63 characters.`] },
    ],
    ['not guessable', { fields: [{ id: 'a' }], records: [{ b: 1 }] }, { fields: ['"a" type not guessable'] }],
    ['not guessable without records', { fields: [{ id: 'a' }] }, { fields: ['"a" type not guessable'] }],
    [
      'duplicates',
      {
        fields: [
          { id: 'a', type: 'int' },
          { id: 'a', type: 'text' },
        ],
      },
      { field: ['Duplicate column names are not supported'] },
    ],
    ['first row', { fields: [{ id: 'a', type: 'int' }], records: [[1]] }, { records: ['The first row is not a json object'] }],
    ['later row', { fields: [{ id: 'a', type: 'int' }], records: [{ a: 1 }, { a: 2 }, 'x'] }, { records: ['row "2" is not a json object'] }],
    ['extra keys', { fields: [{ id: 'a', type: 'int' }], records: [{ a: 1 }, { a: 2, b: 1, c: 2 }] }, { records: ['row "2" has extra keys "b, c"'] }],
    ['bad value', { fields: [{ id: 'a', type: 'numeric' }], records: [{ a: 1 }, { a: '   ' }, { a: 3 }, { a: 'x' }] }, { records: ['invalid input syntax for type numeric: "   "'], records_row: 1 }],
    ['record key as a column', { records: [{ _id: 1 }] }, { fields: ['"_id" is not a valid field name'] }],
  ]
  for (const [what, body, error] of cases) {
    const res = await fails(b, 'datastore_create', { resource_id: rid, force: true, ...body })
    t.same(res, { status: 409, error: { __type: 'Validation Error', ...error } }, what)
  }
  t.notOk(await tableExists(b, rid), 'no table was left behind')
  t.equal((await b.ok('resource_show', { id: rid })).datastore_active, false)
  t.equal((await sql<{ n: number }>`SELECT count(*)::int AS n FROM resource`.execute(b.db.kysely)).rows[0].n, 1, 'the type probe injected nothing')

  t.same(await fails(b, 'datastore_create', { fields: [{ id: 'a', type: 'int' }] }), { status: 409, error: { __type: 'Validation Error', resource_id: ['resource_id or resource required'] } })
  t.same(await fails(b, 'datastore_create', { resource_id: rid, resource: { package_id: 'ds' } }), { status: 409, error: { __type: 'Validation Error', resource: ['resource cannot be used with resource_id'] } })
  t.same(await fails(b, 'datastore_create', { resource_id: 'nope' }), { status: 409, error: { __type: 'Validation Error', resource_id: ['Not found: Resource'] } })
})

t.test('read-only tables, force, and who may create', async (t) => {
  const b = await testApp(t)
  const { editor, member, outsider } = await people(b)
  const rid = await resourceIn(b, 'ds')
  const readOnly = await fails(b, 'datastore_create', { resource_id: rid, fields: [{ id: 'a', type: 'text' }] })
  t.same(readOnly, {
    status: 409,
    error: {
      __type: 'Validation Error',
      'read-only': ['Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.'],
    },
  })
  t.same(await fails(b, 'datastore_create', { resource_id: rid, fields: [{ id: 'a', type: 'text' }] }, null), {
    status: 403,
    error: { __type: 'Authorization Error', message: `Access denied: User  not authorized to perform resource_update on resource ${rid}` },
  })
  const denied = await fails(b, 'datastore_create', { resource_id: rid, force: true, fields: [{ id: 'a', type: 'text' }] }, member.token)
  t.equal(denied.status, 403, 'a member may not write')
  t.equal((await fails(b, 'datastore_create', { resource_id: rid, force: true }, outsider.token)).status, 403)
  await b.ok('datastore_create', { resource_id: rid, force: true, fields: [{ id: 'a', type: 'text' }] }, { token: editor.token })
  t.ok(await tableExists(b, rid), "an editor of the dataset's organization may")

  const writable = await resourceIn(b, 'ds2', { url_type: 'datastore' })
  await b.ok('datastore_create', { resource_id: writable, fields: [{ id: 'a', type: 'text' }] }, { token: editor.token })
  t.ok(await tableExists(b, writable), 'a datastore resource needs no force')
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
