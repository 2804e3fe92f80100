import t from 'tap'
import { testApp } from '../helpers/app.js'
import { fails, people } from './dswrite-fixtures.js'

/** What datastore_create / _upsert / _delete write, as datastore_search and datastore_info read it back. */

t.test('written through the API, read through the API', async (t) => {
  const b = await testApp(t)
  const { outsider, member } = await people(b)
  await b.ok('package_create', { name: 'ds', owner_org: 'org' })
  const created = await b.ok('datastore_create', {
    resource: { package_id: 'ds', name: 'Cantones' },
    aliases: 'cantones',
    primary_key: 'codigo',
    fields: [{ id: 'codigo', type: 'text', info: { label: 'Código' } }, { id: 'nombre', type: 'text' }, { id: 'habitantes' }, { id: 'datos', type: 'json' }],
    records: [
      { codigo: '0101', nombre: 'Cuenca', habitantes: 636996, datos: { provincia: 'Azuay' } },
      { codigo: '1701', nombre: 'Quito', habitantes: 2872351, datos: null },
    ],
  })
  const rid = created.resource_id as string
  await b.ok('datastore_upsert', {
    resource_id: rid,
    records: [
      { codigo: '0101', habitantes: 640000 },
      { codigo: '0901', nombre: 'Guayaquil', habitantes: 2650288 },
    ],
  })
  await b.ok('datastore_records_delete', { resource_id: rid, filters: { codigo: '1701' } })

  const found = await b.ok('datastore_search', { resource_id: rid }, { token: null })
  t.same(found.fields, [
    { id: '_id', type: 'int' },
    { id: 'codigo', type: 'text', info: { label: 'Código' } },
    { id: 'nombre', type: 'text' },
    { id: 'habitantes', type: 'int4' },
    { id: 'datos', type: 'json' },
  ])
  t.same(found.records, [
    { _id: 1, codigo: '0101', nombre: 'Cuenca', habitantes: 640000, datos: { provincia: 'Azuay' } },
    { _id: 3, codigo: '0901', nombre: 'Guayaquil', habitantes: 2650288, datos: null },
  ])
  t.equal(found.total, 2)
  const byAlias = await b.ok('datastore_search', { resource_id: 'cantones', q: 'azuay' }, { token: null })
  t.same(
    byAlias.records.map((r: Record<string, unknown>) => r.nombre),
    ['Cuenca'],
    'the alias reads the table; q finds json values',
  )
  const info = await b.ok('datastore_info', { id: rid })
  t.same(info.meta.aliases, ['cantones'])
  t.equal(info.meta.count, 2)

  // made private: outsiders lose the rows on every path, members keep them
  await b.ok('package_patch', { id: 'ds', private: true })
  t.equal((await fails(b, 'datastore_search', { resource_id: rid }, outsider.token)).status, 403)
  t.equal((await fails(b, 'datastore_search', { resource_id: rid }, null)).status, 403)
  t.equal((await b.ok('datastore_search', { resource_id: rid }, { token: member.token })).total, 2)

  await b.ok('datastore_delete', { resource_id: rid })
  t.equal((await fails(b, 'datastore_search', { resource_id: rid })).status, 404, 'a dropped table is not found')
  t.equal((await fails(b, 'datastore_search', { resource_id: 'cantones' })).status, 404, 'nor its alias')
})
