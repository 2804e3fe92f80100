import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { fails, people, resourceIn, rows } from './dswrite-fixtures.js'

/** datastore_upsert (CKAN 2.11): insert, upsert and update, dry_run, and every error. */

async function table(b: TestApp, dataset: string, opts: { primaryKey?: string | string[] } = {}): Promise<string> {
  const rid = await resourceIn(b, dataset, { url_type: 'datastore' })
  await b.ok('datastore_create', {
    resource_id: rid,
    fields: [
      { id: 'code', type: 'text' },
      { id: 'year', type: 'int' },
      { id: 'amount', type: 'numeric' },
      { id: 'tags', type: 'text[]' },
      { id: 'doc', type: 'json' },
    ],
    ...(opts.primaryKey ? { primary_key: opts.primaryKey } : {}),
  })
  return rid
}

t.test('insert, upsert and update', async (t) => {
  const b = await testApp(t)
  const { editor } = await people(b)
  const rid = await table(b, 'ds', { primaryKey: ['code', 'year'] })

  const records = [
    { code: 'A', year: 2020, amount: '10.50', tags: ['x', 'y'], doc: { a: 1 } },
    { code: 'B', year: 2020, amount: 3 },
  ]
  const inserted = await b.ok('datastore_upsert', { resource_id: rid, method: 'insert', records }, { token: editor.token })
  t.same(inserted, { resource_id: rid, method: 'insert', records, calculate_record_count: false }, 'the input echoed, records included')
  t.same(await rows(b, rid), [
    { _id: 1, code: 'A', year: 2020, amount: '10.50', tags: ['x', 'y'], doc: { a: 1 } },
    { _id: 2, code: 'B', year: 2020, amount: '3', tags: null, doc: null },
  ])

  // upsert (the default): the key's row is updated, only the columns given; a new key is inserted
  const up = await b.ok(
    'datastore_upsert',
    {
      id: rid,
      records: [
        { code: 'A', year: 2020, amount: '11' },
        { code: 'C', year: 2021, amount: '', tags: [] },
      ],
    },
    { token: editor.token },
  )
  t.equal(up.resource_id, rid, '`id` is resource_id')
  t.notOk('id' in up)
  t.same(await rows(b, rid), [
    { _id: 1, code: 'A', year: 2020, amount: '11', tags: ['x', 'y'], doc: { a: 1 } },
    { _id: 2, code: 'B', year: 2020, amount: '3', tags: null, doc: null },
    { _id: 3, code: 'C', year: 2021, amount: null, tags: [], doc: null },
  ])

  // by _id, without the key
  await b.ok('datastore_upsert', { resource_id: rid, method: 'update', records: [{ _id: 2, amount: 4, doc: [1, 2] }] })
  t.same((await rows(b, rid))[1], { _id: 2, code: 'B', year: 2020, amount: '4', tags: null, doc: [1, 2] })
  // the full-text column follows the update
  const hit = await b.ok('datastore_upsert', { resource_id: rid, method: 'update', records: [{ code: 'B', year: 2020, doc: { nota: 'electricidad' } }] })
  t.ok(hit)
  const { rows: ft } = await b.db.pool.query(`SELECT "_id" FROM datastore."${rid}" WHERE "_full_text" @@ plainto_tsquery('abierto_es', 'electricidad')`)
  t.same(ft, [{ _id: 2 }], '_full_text recomputed from the new values')

  const missing = await fails(b, 'datastore_upsert', { resource_id: rid, method: 'update', records: [{ code: 'Z', year: 1999, amount: 1 }] })
  t.same(missing, { status: 409, error: { __type: 'Validation Error', key: ['key "{"code":"Z","year":1999}" not found'] } })
  const noKey = await fails(b, 'datastore_upsert', { resource_id: rid, records: [{ code: 'Z', amount: 1 }] })
  t.same(noKey.error.key, ['fields "year" are missing\n                            but needed as key'])
  const unknown = await fails(b, 'datastore_upsert', { resource_id: rid, records: [{ code: 'Z', year: 1, nope: 1, nada: 2 }] })
  t.same(unknown.error.fields, ['fields "nope, nada" do not exist'], 'upsert never adds columns')
  const bad = await fails(b, 'datastore_upsert', {
    resource_id: rid,
    records: [
      { code: 'Z', year: 1 },
      { code: 'Y', year: 'soon' },
    ],
  })
  t.same(bad.error, { __type: 'Validation Error', records: ['invalid input syntax for type integer: "soon"'], records_row: 1 })
  t.equal((await rows(b, rid)).length, 3, 'a refused batch writes nothing, not even its good records')
  const dupInsert = await fails(b, 'datastore_upsert', { resource_id: rid, method: 'insert', records: [{ code: 'A', year: 2020 }] })
  t.match(dupInsert.error.records, [/^duplicate key value violates unique constraint/])
  const many: Record<string, unknown>[] = Array.from({ length: 50 }, (_, i) => ({ code: `N${i}`, year: i }))
  many[37] = { code: 'N3', year: 3 }
  many[44] = { code: 'N4', year: 'x' }
  const dupInBatch = await fails(b, 'datastore_upsert', { resource_id: rid, method: 'insert', records: many })
  t.match(dupInBatch.error, { records: [/^duplicate key value violates unique constraint/], records_row: 37 }, 'the first record that cannot go in is named')
  const extra = await fails(b, 'datastore_upsert', { resource_id: rid, method: 'insert', records: [{ code: 'Q' }, { code: 'R', other: 1 }] })
  t.same(extra.error.records, ['row "2" has extra keys "other"'])
  const notObject = await fails(b, 'datastore_upsert', { resource_id: rid, records: [{ code: 'Q', year: 1 }, 5] })
  t.same(notObject.error.records, ['row "1" is not a json object'])
  const method = await fails(b, 'datastore_upsert', { resource_id: rid, method: 'merge', records: [] })
  t.equal(method.status, 409)
  t.ok(Array.isArray(method.error.method))
})

t.test('a table without a key: upsert needs _id', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await table(b, 'ds')
  await b.ok('datastore_upsert', { resource_id: rid, method: 'insert', records: [{ code: 'A' }] })
  const res = await fails(b, 'datastore_upsert', { resource_id: rid, records: [{ code: 'A', year: 1 }] })
  t.same(res, { status: 409, error: { __type: 'Validation Error', table: ['unique key must be passed for update/upsert'] } })
  await b.ok('datastore_upsert', {
    resource_id: rid,
    records: [
      { _id: 1, year: 5 },
      { _id: 99, code: 'N' },
    ],
  })
  t.same(
    (await rows(b, rid)).map((r) => [r._id, r.code, r.year]),
    [
      [1, 'A', 5],
      [2, 'N', null],
    ],
    'an unknown _id inserts a new row with its own _id',
  )
})

t.test('dry_run checks and keeps nothing', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await table(b, 'ds', { primaryKey: 'code' })
  const dry = await b.ok('datastore_upsert', { resource_id: rid, method: 'insert', dry_run: true, records: [{ code: 'A' }, { code: 'B' }] })
  t.equal(dry.dry_run, true)
  t.same(await rows(b, rid), [], 'nothing kept')
  const refused = await fails(b, 'datastore_upsert', { resource_id: rid, method: 'insert', dry_run: true, records: [{ code: 'A' }, { code: 'A' }] })
  t.match(refused.error.records, [/duplicate key/], 'errors are still found')
  await b.ok('datastore_upsert', { resource_id: rid, method: 'insert', records: [{ code: 'A' }] })
  t.equal((await rows(b, rid)).length, 1, 'later writes are kept')
})

t.test('missing tables, read-only tables and who may write', async (t) => {
  const b = await testApp(t)
  const { editor, member, outsider } = await people(b)
  const loaded = await resourceIn(b, 'ds')
  const noTable = await fails(b, 'datastore_upsert', { resource_id: loaded, force: true, records: [{ a: 1 }] })
  t.same(noTable, { status: 404, error: { __type: 'Not Found Error', message: `Not found: Resource "${loaded}" was not found.` } })
  await b.ok('datastore_create', { resource_id: loaded, force: true, fields: [{ id: 'a', type: 'int' }] })
  const readOnly = await fails(b, 'datastore_upsert', { resource_id: loaded, method: 'insert', records: [{ a: 1 }] })
  t.match(readOnly.error['read-only'], [/^Cannot edit read-only resource/])
  await b.ok('datastore_upsert', { resource_id: loaded, method: 'insert', force: true, records: [{ a: 1 }] }, { token: editor.token })
  t.equal((await rows(b, loaded)).length, 1)

  t.equal((await fails(b, 'datastore_upsert', { resource_id: loaded, force: true, method: 'insert', records: [{ a: 2 }] }, member.token)).status, 403)
  const anon = await fails(b, 'datastore_upsert', { resource_id: loaded, force: true, method: 'insert', records: [{ a: 2 }] }, null)
  t.same(anon, { status: 403, error: { __type: 'Authorization Error', message: `Access denied: User  not authorized to perform resource_update on resource ${loaded}` } })
  t.equal((await fails(b, 'datastore_upsert', { resource_id: loaded, force: true, method: 'insert', records: [{ a: 2 }] }, outsider.token)).status, 403)
  t.same(await fails(b, 'datastore_upsert', { records: [] }), { status: 409, error: { __type: 'Validation Error', resource_id: ['Missing value'] } })
  t.same((await fails(b, 'datastore_upsert', { resource_id: 'nope', records: [] })).status, 404)
  t.equal((await rows(b, loaded)).length, 1, 'nothing written by the refused calls')
})

t.test('column names with dots, percent signs, spaces and accents', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await resourceIn(b, 'ds', { url_type: 'datastore' })
  await b.ok('datastore_create', {
    resource_id: rid,
    primary_key: 'cod.prov',
    fields: [
      { id: 'cod.prov', type: 'text' },
      { id: 'boo%k', type: 'text' },
      { id: 'Año fiscal', type: 'int' },
    ],
  })
  await b.ok('datastore_upsert', { resource_id: rid, method: 'insert', records: [{ 'cod.prov': '01', 'boo%k': 'a', 'Año fiscal': 2020 }] })
  await b.ok('datastore_upsert', {
    resource_id: rid,
    records: [
      { 'cod.prov': '01', 'boo%k': 'b' },
      { 'cod.prov': '02', 'Año fiscal': 2021 },
    ],
  })
  t.same(await rows(b, rid), [
    { _id: 1, 'cod.prov': '01', 'boo%k': 'b', 'Año fiscal': 2020 },
    { _id: 2, 'cod.prov': '02', 'boo%k': null, 'Año fiscal': 2021 },
  ])
  await b.ok('datastore_records_delete', { resource_id: rid, filters: { 'cod.prov': '01', 'Año fiscal': 2020 } })
  t.same(
    (await rows(b, rid)).map((r) => r['cod.prov']),
    ['02'],
  )
})

t.test('many records in one request: the same rows as one at a time', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await table(b, 'ds', { primaryKey: 'code' })
  await b.ok('datastore_upsert', {
    resource_id: rid,
    method: 'insert',
    records: [
      { code: 'A', year: 1 },
      { code: 'B', year: 2 },
    ],
  })
  // shapes differ (some set year, some amount); new and existing keys mixed
  await b.ok('datastore_upsert', {
    resource_id: rid,
    records: [{ code: 'A', year: 10 }, { code: 'C', amount: 3 }, { code: 'B', amount: 5 }, { code: 'D', year: 4 }, { code: 'E' }],
  })
  t.same(
    (await rows(b, rid)).map((r) => [r._id, r.code, r.year, r.amount]),
    [
      [1, 'A', 10, null],
      [2, 'B', 2, '5'],
      [3, 'C', null, '3'],
      [4, 'D', 4, null],
      [5, 'E', null, null],
    ],
    'only the columns a record names change; new keys are inserted in request order',
  )
  // the same key twice: the later record wins, as when written one by one
  await b.ok('datastore_upsert', {
    resource_id: rid,
    records: [
      { code: 'F', year: 1 },
      { code: 'F', year: 2 },
      { code: 'A', year: 7 },
      { code: 'A', year: 8 },
    ],
  })
  const after = await rows(b, rid)
  t.same(
    after.filter((r) => r.code === 'F' || r.code === 'A').map((r) => [r.code, r.year]),
    [
      ['A', 8],
      ['F', 2],
    ],
  )
  // update names the first record whose key is not there
  const missing = await fails(b, 'datastore_upsert', {
    resource_id: rid,
    method: 'update',
    records: [
      { code: 'A', year: 1 },
      { code: 'X', year: 1 },
      { code: 'Y', year: 1 },
    ],
  })
  t.same(missing.error.key, ['key "{"code":"X"}" not found'])
  t.equal((await rows(b, rid)).find((r) => r.code === 'A')?.year, 8, 'and nothing of it is kept')
  // by _id, many at once
  await b.ok('datastore_upsert', {
    resource_id: rid,
    method: 'update',
    records: [
      { _id: 1, amount: 1 },
      { _id: 2, amount: 2 },
    ],
  })
  t.same(
    (await rows(b, rid)).slice(0, 2).map((r) => r.amount),
    ['1', '2'],
  )
  // a refused value in a batch is named by its row
  const bad = await fails(b, 'datastore_upsert', {
    resource_id: rid,
    records: [
      { code: 'G', year: 1 },
      { code: 'H', year: 2 },
      { code: 'I', year: 'x' },
      { code: 'J', year: 3 },
    ],
  })
  t.same(bad.error, { __type: 'Validation Error', records: ['invalid input syntax for type integer: "x"'], records_row: 2 })
  t.notOk(
    (await rows(b, rid)).some((r) => r.code === 'G'),
    'nothing of the refused request is kept',
  )
})
