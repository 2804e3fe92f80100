import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { addAlias, fillTable, twoDatasets } from './read-fixtures.js'
import { tableRef } from '../../src/datastore/table.js'

t.test('datastore_info', async (t) => {
  const ta = await testApp(t)
  const { ok, call, db } = ta
  const ds = await twoDatasets(ta)
  await fillTable(
    db.kysely,
    ds.pub,
    [
      { id: 'nombre', type: 'text', info: { label: 'Nombre', notes: 'n' } },
      { id: 'edad', type: 'int4' },
      { id: 'tags', type: 'text[]' },
    ],
    [{ nombre: 'a', edad: 1 }, { nombre: 'b' }],
  )
  await sql`CREATE UNIQUE INDEX nombre_idx ON ${tableRef(ds.pub)} (nombre)`.execute(db.kysely)
  await addAlias(db.kysely, ds.pub, 'info-alias')
  await fillTable(db.kysely, ds.priv, [{ id: 'x', type: 'text' }], [])

  const info = await ok('datastore_info', { id: 'info-alias' }, { token: null })
  t.same(Object.keys(info.meta), ['id', 'count', 'table_type', 'size', 'db_size', 'idx_size', 'aliases'])
  t.equal(info.meta.id, ds.pub, 'the alias dereferenced')
  t.equal(info.meta.count, 2)
  t.equal(info.meta.table_type, 'BASE TABLE')
  t.ok(info.meta.size > 0 && info.meta.db_size > info.meta.size && info.meta.idx_size > 0)
  t.same(info.meta.aliases, ['info-alias'])
  t.same(info.fields, [
    { id: 'nombre', type: 'text', info: { label: 'Nombre', notes: 'n' }, schema: { native_type: 'text', notnull: false, index_name: 'nombre_idx', is_index: true, uniquekey: false } },
    { id: 'edad', type: 'int4', schema: { native_type: 'integer', notnull: false, index_name: null, is_index: false, uniquekey: false } },
    { id: 'tags', type: '_text', schema: { native_type: 'text[]', notnull: false, index_name: null, is_index: false, uniquekey: false } },
  ])
  t.same((await ok('datastore_info', { resource_id: ds.pub })).meta.id, ds.pub)

  const err = async (body: Record<string, unknown>, token?: string | null) => {
    const r = await call('datastore_info', body, { token })
    return { status: r.statusCode, error: r.json().error }
  }
  t.same(await err({}), { status: 409, error: { __type: 'Validation Error', resource_id: ['Missing value'] } })
  t.same(await err({ id: 'nope' }), { status: 404, error: { __type: 'Not Found Error', message: 'Not found: Resource/Alias "nope" was not found.' } })
  t.equal((await err({ id: ds.priv }, null)).status, 403)
  t.equal((await err({ id: ds.priv }, ds.outsiderToken)).status, 403)
  t.equal((await ok('datastore_info', { id: ds.priv }, { token: ds.memberToken })).meta.count, 0)

  await ok('package_delete', { id: 'publico' })
  t.equal((await err({ id: ds.pub }, null)).status, 403, 'a deleted dataset is closed too')
  t.equal((await ta.app.inject({ method: 'GET', url: `/datastore/dump/${ds.pub}` })).statusCode, 404)
})
