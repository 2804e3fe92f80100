import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { addAlias, fillTable, twoDatasets } from './read-fixtures.js'
import { addFullTextIndex, addFullTextTrigger, createTable, fillFullText, syncReaderAccess, tableRef } from '../../src/datastore/table.js'

const COLUMNS = [
  { id: 'nombre', type: 'text', info: { label: 'Nombre' } },
  { id: 'edad', type: 'int4' },
  { id: 'monto', type: 'numeric' },
  { id: 'fecha', type: 'timestamp' },
  { id: 'tags', type: '_text' },
  { id: 'extra', type: 'json' },
  { id: 'activo', type: 'bool' },
]
const ROWS = [
  { nombre: 'Cámara de Comercio', edad: 31, monto: '10.50', fecha: '2020-01-02 03:04:05.678', tags: ['a', 'b'], extra: { k: [1, 'x'] }, activo: true },
  { nombre: 'ann', edad: 40, monto: '3', fecha: null, tags: null, extra: null, activo: false },
  { nombre: 'bob, "the" builder', edad: 40, monto: null, fecha: '1999-12-31 23:59:59', tags: [], extra: [1], activo: null },
  { nombre: '', edad: null, monto: '-1.25', fecha: '2021-06-01 00:00:00', tags: ['x y'], extra: 'str', activo: true },
]

t.test('datastore_search', async (t) => {
  const ta = await testApp(t)
  const { ok, call, db, app } = ta
  const ds = await twoDatasets(ta)
  await fillTable(db.kysely, ds.pub, COLUMNS, ROWS)
  await fillTable(db.kysely, ds.priv, [{ id: 'secreto', type: 'text' }], [{ secreto: 'oculto' }])

  const all = await ok('datastore_search', { resource_id: ds.pub }, { token: null })
  t.same(all.fields, [
    { id: '_id', type: 'int' },
    { id: 'nombre', type: 'text', info: { label: 'Nombre' } },
    { id: 'edad', type: 'int4' },
    { id: 'monto', type: 'numeric' },
    { id: 'fecha', type: 'timestamp' },
    { id: 'tags', type: '_text' },
    { id: 'extra', type: 'json' },
    { id: 'activo', type: 'bool' },
  ])
  t.same(all.records[0], { _id: 1, nombre: 'Cámara de Comercio', edad: 31, monto: 10.5, fecha: '2020-01-02T03:04:05', tags: ['a', 'b'], extra: { k: [1, 'x'] }, activo: true }, 'values rendered as CKAN does')
  t.same(all.records[1], { _id: 2, nombre: 'ann', edad: 40, monto: 3, fecha: null, tags: null, extra: null, activo: false })
  t.equal(all.total, 4)
  t.equal(all.total_was_estimated, false)
  t.equal(all.limit, 100)
  t.equal(all.resource_id, ds.pub)
  t.equal(all.records_format, 'objects')
  t.equal(all.include_total, true)
  t.same(all._links, { start: '/api/3/action/datastore_search', next: '/api/3/action/datastore_search?offset=100' })

  // id works as resource_id; GET with query params builds links from the query string
  const get = await app.inject({ method: 'GET', url: `/api/3/action/datastore_search?id=${ds.pub}&limit=1&offset=2&sort=edad%20desc%20nulls%20last` })
  const g = get.json().result
  t.same(
    g.records.map((r: any) => r._id),
    [1],
    'sort edad desc, then the page',
  )
  t.same(g._links, {
    start: `/api/3/action/datastore_search?id=${ds.pub}&limit=1&sort=edad+desc+nulls+last`,
    next: `/api/3/action/datastore_search?id=${ds.pub}&limit=1&offset=3&sort=edad+desc+nulls+last`,
    prev: `/api/3/action/datastore_search?id=${ds.pub}&limit=1&offset=1&sort=edad+desc+nulls+last`,
  })
  t.equal(g.offset, 2)
  t.equal(g.sort, 'edad desc nulls last')

  // filters: value, list (IN), text compared as text
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, filters: { edad: 40 } })).records.map((r: any) => r._id),
    [2, 3],
  )
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, filters: { nombre: ['ann', ''] } })).records.map((r: any) => r._id),
    [2, 4],
  )
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, filters: JSON.stringify({ edad: [31] }) })).records.map((r: any) => r._id),
    [1],
    'filters as a JSON string',
  )
  t.same((await ok('datastore_search', { resource_id: ds.pub, filters: { edad: [] } })).total, 0)
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, filters: { tags: ['a', 'b'] } })).records.map((r: any) => r._id),
    [1],
    'a list for an array column is one array value',
  )

  // full text: Spanish-aware, accents folded; rank field added, best first
  const q = await ok('datastore_search', { resource_id: ds.pub, q: 'camara' })
  t.same(
    q.records.map((r: any) => r._id),
    [1],
  )
  t.equal(typeof q.records[0].rank, 'number')
  t.same(q.fields.at(-1), { id: 'rank', type: 'float' })
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, q: { nombre: 'builder' } })).records.map((r: any) => r._id),
    [3],
  )
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, q: '{"nombre": "ann"}' })).records.map((r: any) => r._id),
    [2],
    'q as a JSON object string',
  )
  t.same((await ok('datastore_search', { resource_id: ds.pub, q: 'cámar:*', plain: false })).total, 1, 'to_tsquery syntax with plain=false')
  t.same((await ok('datastore_search', { resource_id: ds.pub, full_text: 'comercio' })).total, 1)
  t.same((await ok('datastore_search', { resource_id: ds.pub, q: 'comercio', filters: { edad: 40 } })).total, 0, 'q and filters together')
  t.same((await ok('datastore_search', { resource_id: ds.pub, q: 'camara', language: 'no_such_config' })).total, 1, 'an unknown language falls back to the default configuration')

  // fields, sort, distinct, limit clamp
  const f = await ok('datastore_search', { resource_id: ds.pub, fields: 'edad, nombre', sort: '"edad" desc nulls last, nombre', limit: 2 })
  t.same(f.fields, [
    { id: 'edad', type: 'int4' },
    { id: 'nombre', type: 'text', info: { label: 'Nombre' } },
  ])
  t.same(f.records, [
    { edad: 40, nombre: 'ann' },
    { edad: 40, nombre: 'bob, "the" builder' },
  ])
  const d = await ok('datastore_search', { resource_id: ds.pub, fields: ['edad'], distinct: true, sort: 'edad' })
  t.same(d.records, [{ edad: 31 }, { edad: 40 }, { edad: null }])
  t.equal(d.total, 3, 'distinct rows counted')
  t.equal((await ok('datastore_search', { resource_id: ds.pub, limit: 999999 })).limit, 32000, 'limit clamped to rows_max')
  const none = await ok('datastore_search', { resource_id: ds.pub, limit: 0, include_total: false })
  t.same(none.records, [])
  t.notOk('total' in none)
  t.notOk('total_was_estimated' in none)

  // records formats
  const lists = await ok('datastore_search', { resource_id: ds.pub, records_format: 'lists', fields: ['_id', 'fecha', 'tags'], limit: 2 })
  t.same(lists.records, [
    [1, '2020-01-02T03:04:05', ['a', 'b']],
    [2, null, null],
  ])
  const csv = await ok('datastore_search', { resource_id: ds.pub, records_format: 'csv' })
  t.equal(
    csv.records,
    '1,Cámara de Comercio,31,10.50,2020-01-02T03:04:05,"[""a"",""b""]","{""k"":[1,""x""]}",t\n' +
      '2,ann,40,3,,null,null,f\n' +
      '3,"bob, ""the"" builder",40,,1999-12-31T23:59:59,[],[1],\n' +
      '4,"",,-1.25,2021-06-01T00:00:00,"[""x y""]","""str""",t\n',
  )
  const tsv = await ok('datastore_search', { resource_id: ds.pub, records_format: 'tsv', fields: 'nombre,edad', sort: '_id desc', limit: 2 })
  t.equal(tsv.records, '""\t\nbob, ""the"" builder\t40\n'.replace('bob, ""the"" builder', '"bob, ""the"" builder"'))

  // estimation: only when asked and nothing narrows the search
  await sql`ANALYZE ${sql.id('datastore', ds.pub)}`.execute(db.kysely)
  const est = await ok('datastore_search', { resource_id: ds.pub, total_estimation_threshold: 2 })
  t.equal(est.total_was_estimated, true)
  t.equal(est.total, 4)
  t.equal((await ok('datastore_search', { resource_id: ds.pub, total_estimation_threshold: 2, filters: { edad: 40 } })).total_was_estimated, false)

  // aliases search the table; the answer names the table
  await addAlias(db.kysely, ds.pub, 'mi-alias')
  const viaAlias = await ok('datastore_search', { resource_id: 'mi-alias' }, { token: null })
  t.equal(viaAlias.resource_id, ds.pub)
  t.equal(viaAlias.total, 4)

  // errors, CKAN's messages
  const err = async (body: Record<string, unknown>, token?: string | null) => {
    const r = await call('datastore_search', body, { token })
    return { status: r.statusCode, error: r.json().error }
  }
  t.same(await err({}), { status: 409, error: { __type: 'Validation Error', resource_id: ['Missing value'] } })
  t.same(await err({ resource_id: 'nope' }), { status: 404, error: { __type: 'Not Found Error', message: 'Not found: Resource "nope" was not found.' } })
  t.same(await err({ resource_id: ds.pub, filters: { nope: 1 } }), { status: 409, error: { __type: 'Validation Error', filters: ['invalid value "nope"'] } })
  t.same(await err({ resource_id: ds.pub, fields: 'edad,nope' }), { status: 409, error: { __type: 'Validation Error', fields: ['invalid value "nope"'] } })
  t.same(await err({ resource_id: ds.pub, fields: '_full_text' }), { status: 409, error: { __type: 'Validation Error', fields: ['invalid value "_full_text"'] } })
  t.same(await err({ resource_id: ds.pub, sort: 'edad, nope desc' }), { status: 409, error: { __type: 'Validation Error', sort: ['invalid value "nope desc"'] } })
  t.same(await err({ resource_id: ds.pub, q: { nope: 'x' } }), { status: 409, error: { __type: 'Validation Error', q: ['invalid value "nope"'] } })
  t.same(await err({ resource_id: ds.pub, offset: -1 }), { status: 409, error: { __type: 'Validation Error', offset: ['invalid value "-1"'] } })
  t.same(await err({ resource_id: ds.pub, limit: 'x' }), { status: 409, error: { __type: 'Validation Error', limit: ['Invalid integer'] } })
  const bad = await err({ resource_id: ds.pub, filters: { edad: 'not a number' } })
  t.equal(bad.status, 409)
  t.same(bad.error.query, ['Invalid query'])
  t.notOk(JSON.stringify(bad.error).includes('SELECT'), 'the statement is not echoed')
  const badTs = await err({ resource_id: ds.pub, q: 'a & (', plain: false })
  t.same(badTs.error.query, ['Invalid query'], 'a malformed to_tsquery is a validation error')

  // private: outsiders and anonymous are refused, members read
  t.equal((await err({ resource_id: ds.priv }, null)).status, 403)
  t.equal((await err({ resource_id: ds.priv }, ds.outsiderToken)).status, 403)
  t.same((await ok('datastore_search', { resource_id: ds.priv }, { token: ds.memberToken })).records, [{ _id: 1, secreto: 'oculto' }])
  await addAlias(db.kysely, ds.priv, 'alias-privado')
  t.equal((await err({ resource_id: 'alias-privado' }, null)).status, 403, 'an alias does not open a private table')

  // _table_metadata: tables and aliases, private ones only for those who may see them
  const meta = await ok('datastore_search', { resource_id: '_table_metadata', limit: 100 }, { token: null })
  t.same(meta.fields, [
    { id: '_id', type: 'int' },
    { id: 'name', type: 'name' },
    { id: 'oid', type: 'oid' },
    { id: 'alias_of', type: 'name' },
  ])
  t.same(meta.records.map((r: any) => [r.name, r.alias_of]).sort(), [
    [ds.pub, null],
    ['mi-alias', ds.pub],
  ])
  t.equal(meta.records[0]._id.length, 16)
  t.same((await call('datastore_search', { resource_id: '_table_metadata', full_text: 'x' })).json().error, { __type: 'Validation Error', full_text: ['invalid value "x"'] })
  const metaAdmin = await ok('datastore_search', { resource_id: '_table_metadata', filters: { name: ds.priv } })
  t.same(
    metaAdmin.records.map((r: any) => r.name),
    [ds.priv],
    'a sysadmin sees private tables; filters apply',
  )

  // a dataset made private hides its table at once; a deleted resource's table is gone
  await ok('package_patch', { id: 'publico', private: true })
  t.equal((await err({ resource_id: ds.pub }, null)).status, 403)
  await ok('package_patch', { id: 'publico', private: false })
  await ok('resource_delete', { id: ds.pub })
  t.equal((await err({ resource_id: ds.pub }, null)).status, 404)
})

t.test('datastore_search q during and after a load', async (t) => {
  const ta = await testApp(t)
  const { ok, db } = ta
  const ds = await twoDatasets(ta)
  // a load: rows copied without _full_text, the trigger added after, the fill and its index later
  await createTable(db.kysely, ds.pub, [{ id: 'nombre', type: 'text' }], { fullText: false })
  await sql`INSERT INTO ${tableRef(ds.pub)} (nombre) VALUES ('Cámara de Comercio'), ('Municipio')`.execute(db.kysely)
  await addFullTextTrigger(db.kysely, ds.pub)
  await syncReaderAccess(db.kysely, ds.pub)
  const before = await ok('datastore_search', { resource_id: ds.pub, q: 'camara' }, { token: null })
  t.same(
    before.records.map((r: any) => r.nombre),
    ['Cámara de Comercio'],
    'rows not filled yet are matched on the fly',
  )
  t.equal(typeof before.records[0].rank, 'number')
  t.equal(await fillFullText(db.kysely, ds.pub), 2)
  await addFullTextIndex(db.kysely, ds.pub)
  const after = await ok('datastore_search', { resource_id: ds.pub, q: 'camara' }, { token: null })
  t.same(after.records, before.records, 'the same answer from the index')
  t.same(
    (await ok('datastore_search', { resource_id: ds.pub, q: 'municipios' })).records.map((r: any) => r._id),
    [2],
    'Spanish stemming through the index',
  )
})
