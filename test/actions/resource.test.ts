import t from 'tap'
import { testApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'

t.test('resource_create / show / update / patch / delete / reorder', async (t) => {
  const { ok, call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const d = await ok('package_create', { name: 'ds', owner_org: 'org1' })

  const r = await ok('resource_create', { package_id: 'ds', url: ' http://x.org/tabla.xlsx ', name: 'Tabla', size: '1024', extra: 'kept' })
  t.same(Object.keys(r), [
    'cache_last_updated',
    'cache_url',
    'created',
    'datastore_active',
    'description',
    'extra',
    'format',
    'hash',
    'id',
    'last_modified',
    'metadata_modified',
    'mimetype',
    'mimetype_inner',
    'name',
    'package_id',
    'position',
    'resource_type',
    'size',
    'state',
    'url',
    'url_type',
  ])
  t.equal(r.url, 'http://x.org/tabla.xlsx', 'whitespace removed')
  t.equal(r.format, 'XLSX')
  t.equal(r.mimetype, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  t.equal(r.size, 1024)
  t.equal(r.position, 0)
  t.equal(r.package_id, d.id)
  t.equal(r.extra, 'kept')
  t.same(await ok('resource_show', { id: r.id }, { token: null }), r)
  const ds = await ok('package_show', { id: d.id })
  t.ok(ds.metadata_modified > d.metadata_modified, 'resource writes bump the dataset')

  const noUrl = await ok('resource_create', { package_id: d.id, name: 'no url' })
  t.equal(noUrl.url, '', 'url is not required')
  t.equal(noUrl.position, 1)
  const schemeless = await ok('resource_create', { package_id: d.id, url: 'www.example.org/x' })
  t.equal(schemeless.url, 'http://www.example.org/x')

  const missing = await call('resource_create', { url: 'http://x' })
  t.same(missing.json().error, { __type: 'Validation Error', package_id: ['Missing value'] })
  const nf = await call('resource_create', { package_id: 'nope', url: 'http://x' })
  t.equal(nf.statusCode, 404)
  const invalid = await call('resource_create', { package_id: d.id, size: 'huge', last_modified: 'nope' })
  t.equal(invalid.statusCode, 409)
  t.same(invalid.json().error, { __type: 'Validation Error', size: ['Invalid integer'], last_modified: ['Date format incorrect'] }, 'errors of the resource itself, not nested')
  const anon = await call('resource_create', { package_id: d.id, url: 'http://x' }, { token: null })
  t.equal(anon.statusCode, 403)

  const up = await ok('resource_update', { id: r.id, url: 'http://x.org/otro.csv', name: 'Otro' })
  t.equal(up.position, 0)
  t.equal(up.name, 'Otro')
  t.equal(up.format, 'XLSX', 'resource_update does not re-guess the format')
  t.equal(up.mimetype, 'text/csv', 'mimetype follows the new url')
  t.notOk('extra' in up, 'resource_update replaces extras')
  t.equal(up.size, 1024, 'other columns kept')
  const pa = await ok('resource_patch', { id: r.id, description: 'desc' })
  t.equal(pa.description, 'desc')
  t.equal(pa.name, 'Otro')
  t.equal((await call('resource_update', { id: '00000000-0000-0000-0000-000000000000' })).statusCode, 404)

  const order = await ok('package_resource_reorder', { id: d.id, order: [schemeless.id] })
  t.same(order, { id: d.id, order: [schemeless.id, r.id, noUrl.id] })
  const shown = await ok('package_show', { id: d.id })
  t.same(
    shown.resources.map((x: any) => [x.id, x.position]),
    [
      [schemeless.id, 0],
      [r.id, 1],
      [noUrl.id, 2],
    ],
  )
  const badOrder = await call('package_resource_reorder', { id: d.id, order: ['nope'] })
  t.same(badOrder.json().error, { __type: 'Validation Error', order: 'resource_id nope can not be found' })
  const dupOrder = await call('package_resource_reorder', { id: d.id, order: [r.id, r.id] })
  t.same(dupOrder.json().error, { __type: 'Validation Error', order: 'Must supply unique resource_ids' })

  t.equal((await call('resource_delete', { id: r.id })).json().result, null)
  t.equal((await call('resource_show', { id: r.id })).statusCode, 404)
  const after = await ok('package_show', { id: d.id })
  t.same(
    after.resources.map((x: any) => x.position),
    [0, 1],
    'positions close up',
  )
  t.equal(after.num_resources, 2)
})

t.test('resource_show of a private dataset is refused to outsiders', async (t) => {
  const { ok, call, db } = await testApp(t)
  await insertGroup(db.kysely, 'org1')
  const d = await ok('package_create', { name: 'secret', owner_org: 'org1', private: true, resources: [{ url: 'http://x/a.csv' }] })
  const res = await call('resource_show', { id: d.resources[0].id }, { token: null })
  t.equal(res.statusCode, 403)
  t.notMatch(res.body, /x\/a\.csv/)
})
