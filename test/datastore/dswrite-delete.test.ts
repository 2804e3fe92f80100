import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { fails, people, resourceIn, rows, tableExists } from './dswrite-fixtures.js'

/** datastore_delete and datastore_records_delete (CKAN 2.11), and the datastore_active flag across resource writes. */

async function filled(b: TestApp, dataset: string, opts: { url_type?: string; aliases?: string } = {}): Promise<string> {
  const rid = await resourceIn(b, dataset, { url_type: opts.url_type ?? 'datastore' })
  await b.ok('datastore_create', {
    resource_id: rid,
    force: true,
    ...(opts.aliases ? { aliases: opts.aliases } : {}),
    fields: [
      { id: 'code', type: 'text' },
      { id: 'n', type: 'int' },
      { id: 'tags', type: 'text[]' },
    ],
    records: [
      { code: '10', n: 1, tags: ['a'] },
      { code: '20', n: 2, tags: ['a', 'b'] },
      { code: '30', n: 3 },
      { code: '40', n: 4 },
    ],
  })
  return rid
}

t.test('datastore_delete with filters removes rows; without, the table', async (t) => {
  const b = await testApp(t)
  const { editor } = await people(b)
  const rid = await filled(b, 'ds', { aliases: 'alias_ds' })

  const one = await b.ok('datastore_delete', { resource_id: rid, filters: { code: 10 } }, { token: editor.token })
  t.same(one, { resource_id: rid, filters: { code: 10 }, calculate_record_count: false }, 'the input echoed')
  t.same(
    (await rows(b, rid)).map((r) => r.code),
    ['20', '30', '40'],
    'a text column matches the value as text',
  )
  await b.ok('datastore_delete', { resource_id: rid, filters: { n: [3, '4'], code: ['30', '40'] } })
  t.same(
    (await rows(b, rid)).map((r) => r.code),
    ['20'],
    'lists are IN, conditions ANDed',
  )
  await b.ok('datastore_delete', { resource_id: rid, filters: { tags: ['a', 'b'] } })
  t.same(await rows(b, rid), [], 'a list is the value of an array column')

  const unknown = await fails(b, 'datastore_delete', { resource_id: rid, filters: { nope: 1 } })
  t.same(unknown, { status: 409, error: { __type: 'Validation Error', filters: ['invalid value "nope"'] } })
  const notDict = await fails(b, 'datastore_delete', { resource_id: rid, filters: ['code'] })
  t.same(notDict.error, { __type: 'Validation Error', filters: ['filters must be either a dict or null.'] })
  const badValue = await fails(b, 'datastore_delete', { resource_id: rid, filters: { n: 'many' } })
  t.same(badValue.error, { __type: 'Validation Error', filters: ['invalid input syntax for type integer: "many"'] })

  await b.ok('datastore_create', { resource_id: rid, records: [{ code: 'x' }, { code: 'y' }] })
  await b.ok('datastore_delete', { resource_id: rid, filters: {} })
  t.ok(await tableExists(b, rid), '{} deletes every row and keeps the table')
  t.same(await rows(b, rid), [])
  t.equal((await b.ok('resource_show', { id: rid })).datastore_active, true)

  const dropped = await b.ok('datastore_delete', { resource_id: rid, filters: null }, { token: editor.token })
  t.same(dropped, { resource_id: rid, calculate_record_count: false })
  t.notOk(await tableExists(b, rid), 'no filters: the table is dropped')
  t.notOk(await tableExists(b, 'alias_ds'), 'with its aliases')
  t.equal((await b.ok('resource_show', { id: rid })).datastore_active, false, 'and the resource is no longer datastore_active')
  t.equal((await b.ok('package_show', { id: 'ds' })).resources[0].datastore_active, false)
  const again = await fails(b, 'datastore_delete', { resource_id: rid })
  t.same(again, { status: 404, error: { __type: 'Not Found Error', message: `Not found: Resource "${rid}" was not found.` } })
})

t.test('datastore_records_delete never drops the table', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await filled(b, 'ds')
  t.same(await fails(b, 'datastore_records_delete', { resource_id: rid }), { status: 409, error: { __type: 'Validation Error', filters: ['Missing value'] } })
  t.same((await fails(b, 'datastore_records_delete', { resource_id: rid, filters: 'code' })).error.filters, ['Must be a dict'])
  const res = await b.ok('datastore_records_delete', { resource_id: rid, filters: { n: 2 } })
  t.same(res, { resource_id: rid, filters: { n: 2 }, calculate_record_count: false })
  t.same(
    (await rows(b, rid)).map((r) => r.n),
    [1, 3, 4],
  )
  await b.ok('datastore_records_delete', { id: rid, filters: {} })
  t.ok(await tableExists(b, rid))
  t.same(await rows(b, rid), [])
  t.equal((await b.ok('resource_show', { id: rid })).datastore_active, true)
})

t.test('who may delete, and read-only tables', async (t) => {
  const b = await testApp(t)
  const { editor, member, outsider } = await people(b)
  const loaded = await filled(b, 'ds', { url_type: 'upload' })
  const readOnly = await fails(b, 'datastore_delete', { resource_id: loaded }, editor.token)
  t.match(readOnly.error['read-only'], [/^Cannot edit read-only resource/])
  for (const [who, token] of [
    ['member', member.token],
    ['outsider', outsider.token],
    ['anonymous', null],
  ] as const) {
    const res = await fails(b, 'datastore_delete', { resource_id: loaded, force: true }, token)
    t.equal(res.status, 403, who)
    t.equal((await fails(b, 'datastore_records_delete', { resource_id: loaded, force: true, filters: {} }, token)).status, 403, who)
  }
  t.equal((await rows(b, loaded)).length, 4, 'nothing deleted by the refused calls')
  await b.ok('datastore_delete', { resource_id: loaded, force: true }, { token: editor.token })
  t.notOk(await tableExists(b, loaded))
  t.same(await fails(b, 'datastore_delete', {}), { status: 409, error: { __type: 'Validation Error', resource_id: ['Missing value'] } })
})

t.test('datastore_active: kept by package_update and resource_update, gone with the resource', async (t) => {
  const b = await testApp(t)
  await people(b)
  const rid = await filled(b, 'ds')
  const pkg = await b.ok('package_show', { id: 'ds' })
  const sent = pkg.resources.map(({ datastore_active: _d, ...r }: Record<string, unknown>) => ({ ...r, name: 'renamed' }))
  const updated = await b.ok('package_update', { ...pkg, resources: sent })
  t.equal(updated.resources[0].datastore_active, true, 'package_update without the key keeps it')
  t.equal(updated.resources[0].name, 'renamed')
  const res = await b.ok('resource_update', { id: rid, url: 'http://example.org/otro.csv', url_type: 'datastore' })
  t.equal(res.datastore_active, true, 'resource_update without the key keeps it')
  const patched = await b.ok('resource_patch', { id: rid, description: 'x' })
  t.equal(patched.datastore_active, true)
  t.equal(res.url, `http://test.local/datastore/dump/${rid}`, 'a datastore resource links to its dump')

  const other = await resourceIn(b, 'plain')
  t.equal((await b.ok('resource_show', { id: other })).datastore_active, false, 'false on every resource without a table')
  t.equal((await b.ok('resource_show', { id: other })).url, 'http://example.org/data.csv')

  await b.ok('resource_delete', { id: rid })
  t.notOk(await tableExists(b, rid), 'deleting the resource drops its table')
})
