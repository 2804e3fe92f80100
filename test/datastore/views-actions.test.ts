import t from 'tap'
import { testApp } from '../helpers/app.js'
import { setDatastoreActive } from '../../src/datastore/active.js'

/**
 * resource_view_* and the default views, against CKAN 2.11's behaviour: dict shapes, the
 * schemas' messages, who may read and write, and the views created on their own.
 */

async function setup(t: Parameters<typeof testApp>[0], env: Record<string, string> = {}) {
  const app = await testApp(t, env)
  await app.ok('organization_create', { name: 'org1' })
  const editor = await app.ok('user_create', { name: 'ed', email: 'ed@x.org', password: '12345678', with_apitoken: true })
  const member = await app.ok('user_create', { name: 'mem', email: 'mem@x.org', password: '12345678', with_apitoken: true })
  const outsider = await app.ok('user_create', { name: 'out', email: 'out@x.org', password: '12345678', with_apitoken: true })
  await app.ok('organization_member_create', { id: 'org1', username: 'ed', role: 'editor' })
  await app.ok('organization_member_create', { id: 'org1', username: 'mem', role: 'member' })
  const ds = await app.ok('package_create', { name: 'ds', owner_org: 'org1' })
  const res = await app.ok('resource_create', { package_id: 'ds', url: 'http://x.org/tabla.csv', format: 'CSV' })
  return { ...app, ds, res, editor: editor.token as string, member: member.token as string, outsider: outsider.token as string }
}

// one catalogue for the tests below (each works on its own resources); DEFAULT_VIEWS needs its own app
const shared = await setup(t)

t.test('resource_view_create, show, list: CKAN dicts', async (t) => {
  const { ok, call, ds, editor } = shared
  const res = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/tabla.csv', format: 'CSV' })
  t.same(await ok('resource_view_list', { id: res.id }), [], 'a CSV not in the DataStore gets no default view')

  const img = await ok('resource_view_create', { resource_id: res.id, view_type: 'image_view', title: 'Foto', image_url: 'http://x.org/a.png' }, { token: editor })
  t.match(img.id, /^[0-9a-f-]{36}$/)
  t.same(img, { id: img.id, resource_id: res.id, title: 'Foto', description: null, view_type: 'image_view', image_url: 'http://x.org/a.png', package_id: ds.id })
  t.same(Object.keys(img), ['id', 'resource_id', 'title', 'description', 'view_type', 'image_url', 'package_id'], "CKAN's key order: columns, config, package_id")

  const table = await ok('resource_view_create', {
    resource_id: res.id,
    view_type: 'datatables_view',
    title: 'Tabla',
    description: 'Todas las filas',
    filter_fields: ['provincia', 'provincia', 'año'],
    filter_values: ['Azuay', 'Loja', '2020'],
  })
  t.same(table, {
    id: table.id,
    resource_id: res.id,
    title: 'Tabla',
    description: 'Todas las filas',
    view_type: 'datatables_view',
    responsive: false,
    ellipsis_length: 100,
    date_format: 'llll',
    filterable: true,
    filter_fields: ['provincia', 'provincia', 'año'],
    filters: { provincia: ['Azuay', 'Loja'], año: ['2020'] },
    filter_values: ['Azuay', 'Loja', '2020'],
    package_id: ds.id,
  })
  const typed = await ok('resource_view_create', { resource_id: res.id, view_type: 'datatables_view', title: 'T2', responsive: 'yes', ellipsis_length: '20', filterable: 'false', show_fields: ['a'] })
  t.match(typed, { responsive: true, ellipsis_length: 20, filterable: false, show_fields: ['a'] })
  const web = await ok('resource_view_create', { resource_id: res.id, view_type: 'webpage_view', title: 'Web', page_url: '' })
  t.notOk('page_url' in web, 'an empty page_url is dropped (ignore_empty)')
  const recline = await ok('resource_view_create', { resource_id: res.id, view_type: 'recline_view', title: 'Explorer' })
  t.equal(recline.view_type, 'recline_view')

  t.same(await ok('resource_view_show', { id: table.id }, { token: null }), table)
  const list = await ok('resource_view_list', { id: res.id }, { token: null })
  t.same(
    list.map((v: { id: string }) => v.id),
    [img.id, table.id, typed.id, web.id, recline.id],
    'listed in creation order',
  )

  // a sysadmin may choose the id; nobody else may
  const chosen = '2b3f6a60-6d1e-4b1a-9d7c-0c1f3f1e2a11'
  t.equal((await ok('resource_view_create', { id: chosen, resource_id: res.id, view_type: 'image_view', title: 'X' })).id, chosen)
  const dup = await call('resource_view_create', { id: chosen, resource_id: res.id, view_type: 'image_view', title: 'X' })
  t.same(dup.json().error, { __type: 'Validation Error', id: ['ResourceView id already exists'] })
  const badId = await call('resource_view_create', { id: 'nope', resource_id: res.id, view_type: 'image_view', title: 'X' })
  t.same(badId.json().error, { __type: 'Validation Error', id: ['Invalid id provided'] })
  const notSys = await call('resource_view_create', { id: 'e7d0a2b4-7e43-4b8e-8d3c-6e2f9f9a0b01', resource_id: res.id, view_type: 'image_view', title: 'X' }, { token: editor })
  t.same(notSys.json().error, { __type: 'Validation Error', id: ['The input field id was not expected.'] })
})

t.test('resource_view_create: errors in CKAN order, then auth', async (t) => {
  const { call, ds, res, outsider } = shared
  const err = async (body: Record<string, unknown>, token?: string | null) => {
    const r = await call('resource_view_create', body, { token })
    return { status: r.statusCode, error: r.json().error }
  }
  t.same(await err({ view_type: 'image_view', title: 'x' }), { status: 409, error: { __type: 'Validation Error', resource_id: ['Missing value'] } })
  t.same(await err({ resource_id: res.id, title: 'x' }), { status: 409, error: { __type: 'Validation Error', view_type: ['Missing value'] } })
  t.same(await err({ resource_id: res.id, view_type: 'map_view', title: 'x' }), { status: 409, error: { __type: 'Validation Error', view_type: 'No plugin found for view_type map_view' } })
  t.same(await err({ resource_id: 'nope', view_type: 'image_view', title: 'x' }), { status: 409, error: { __type: 'Validation Error', resource_id: ['Not found: Resource'] } })
  t.same(await err({ resource_id: res.id, view_type: 'image_view' }), { status: 409, error: { __type: 'Validation Error', title: ['Missing value'] } })
  t.same(await err({ resource_id: res.id, view_type: 'image_view', title: 'x', config: '{"a":1}' }), { status: 409, error: { __type: 'Validation Error', __extras: ['The input field __extras was not expected.'] } })
  t.same(
    await err({ resource_id: res.id, view_type: 'image_view', title: 'x', package_id: ds.id }),
    { status: 409, error: { __type: 'Validation Error', __extras: ['The input field __extras was not expected.'] } },
    'package_id is not an input of create',
  )
  t.same(await err({ resource_id: res.id, view_type: 'datatables_view', title: 'x', ellipsis_length: 'many' }), { status: 409, error: { __type: 'Validation Error', ellipsis_length: ['Invalid integer'] } })
  t.same(await err({ resource_id: res.id, view_type: 'datatables_view', title: 'x', ellipsis_length: -1 }), { status: 409, error: { __type: 'Validation Error', ellipsis_length: ['Must be a natural number'] } })
  const same = '"filter_fields" and "filter_values" should have the same length'
  t.same(await err({ resource_id: res.id, view_type: 'datatables_view', title: 'x', filter_fields: ['a', 'b'], filter_values: 'x' }), { status: 409, error: { __type: 'Validation Error', filter_fields: [same], filter_values: [same] } })
  t.same(await err({ resource_id: res.id, view_type: 'datatables_view', title: 'x', filter_fields: 'a' }), {
    status: 409,
    error: { __type: 'Validation Error', filter_fields: [same], filter_values: [same, '"filter_values" is required when "filter_fields" is filled'] },
  })
  t.same(
    await err({ resource_id: res.id, view_type: 'image_view', title: 'x', filter_fields: 'a', filter_values: 'b' }),
    { status: 409, error: { __type: 'Validation Error', __extras: ['The input field __extras was not expected.'] } },
    'only filterable types take filters',
  )

  // the resource_create rule on the dataset; unlike CKAN, a caller without it is refused before its input is judged
  t.same(await err({ resource_id: res.id, view_type: 'image_view' }, null), { status: 403, error: { __type: 'Authorization Error', message: `Access denied: User  not authorized to create resources on dataset ${ds.id}` } })
  t.same(await err({ resource_id: res.id, view_type: 'image_view', title: 'x' }, null), { status: 403, error: { __type: 'Authorization Error', message: `Access denied: User  not authorized to create resources on dataset ${ds.id}` } })
  t.same(await err({ resource_id: res.id, view_type: 'image_view', title: 'x' }, outsider), {
    status: 403,
    error: { __type: 'Authorization Error', message: `Access denied: User out not authorized to create resources on dataset ${ds.id}` },
  })
})

t.test('private datasets: views are read like the resource', async (t) => {
  const { ok, call, member, outsider, editor } = shared
  const priv = await ok('package_create', { name: 'priv', owner_org: 'org1', private: true, resources: [{ url: 'http://x.org/foto.png', format: 'PNG' }] })
  const rid = priv.resources[0].id
  const [view] = await ok('resource_view_list', { id: rid })
  t.equal(view.view_type, 'image_view', 'package_create made the default view')
  for (const [who, token] of [
    ['anonymous', null],
    ['outsider', outsider],
  ] as const) {
    const show = await call('resource_view_show', { id: view.id }, { token })
    t.equal(show.statusCode, 403, `${who}: show`)
    t.equal(show.json().error.message, `Access denied: User ${who === 'outsider' ? 'out' : ''} not authorized to read resource ${rid}`)
    t.equal((await call('resource_view_list', { id: rid }, { token })).statusCode, 403, `${who}: list`)
    t.equal((await call('resource_view_update', { id: view.id, title: 'x' }, { token })).statusCode, 403, `${who}: update`)
    t.equal((await call('resource_view_delete', { id: view.id }, { token })).statusCode, 403, `${who}: delete`)
    t.equal((await call('resource_view_reorder', { id: rid, order: [view.id] }, { token })).statusCode, 403, `${who}: reorder`)
  }
  t.same(await ok('resource_view_show', { id: view.id }, { token: member }), view, 'a member of the organization reads it')
  t.equal((await call('resource_view_update', { id: view.id, title: 'x' }, { token: member })).statusCode, 403, 'a member may not edit it')
  t.equal((await ok('resource_view_update', { id: view.id, title: 'Imagen' }, { token: editor })).title, 'Imagen', 'an editor may')

  const missing = await call('resource_view_show', { id: 'nope' })
  t.same([missing.statusCode, missing.json().error.message], [404, 'Not found: Resource view not found, cannot check auth.'])
  const noRes = await call('resource_view_list', { id: 'nope' })
  t.same([noRes.statusCode, noRes.json().error.message], [404, 'Not found'])
  t.same((await call('resource_view_show', {})).json().error, { __type: 'Validation Error', id: ['Missing value'] })

  // the activities of a private dataset's views are hidden like the dataset's own
  const activityIds = async (token: string | null) => ((await ok('user_activity_list', { id: 'ed' }, { token })) as Array<{ activity_type: string; object_id: string }>).filter((a) => a.object_id === priv.id).map((a) => a.activity_type)
  t.same(await activityIds(member), ['changed resource view'], "a member sees the editor's change to the private view")
  t.same(await activityIds(outsider), [], 'an outsider does not')
  t.same(await activityIds(null), [], 'nor does an anonymous visitor')

  // a deleted dataset's views go with it for outsiders
  await ok('package_delete', { id: 'priv' })
  t.equal((await call('resource_view_list', { id: rid }, { token: outsider })).statusCode, 403)
})

t.test('resource_view_update replaces the config, keeps the rest', async (t) => {
  const { ok, call, ds, outsider } = shared
  const res = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/tabla.csv', format: 'CSV' })
  const v = await ok('resource_view_create', { resource_id: res.id, view_type: 'image_view', title: 'Foto', description: 'd', image_url: 'http://x.org/a.png' })
  const up = await ok('resource_view_update', { id: v.id, title: 'Otra', view_type: 'datatables_view', package_id: 'ignored' })
  t.same(up, { id: v.id, resource_id: res.id, title: 'Otra', description: 'd', view_type: 'image_view', package_id: ds.id }, 'image_url dropped as CKAN does, view_type and package_id ignored')
  const up2 = await ok('resource_view_update', { id: v.id, image_url: 'http://x.org/b.png' })
  t.equal(up2.title, 'Otra', 'title kept when not given')
  t.equal(up2.image_url, 'http://x.org/b.png')

  const t1 = await ok('resource_view_create', { resource_id: res.id, view_type: 'datatables_view', title: 'T', responsive: true, ellipsis_length: 5 })
  const t2 = await ok('resource_view_update', { id: t1.id, ellipsis_length: 7 })
  t.match(t2, { responsive: false, ellipsis_length: 7, date_format: 'llll', filterable: true }, 'omitted keys fall back to their defaults')

  const other = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/otro.csv' })
  const moved = await ok('resource_view_update', { id: v.id, resource_id: other.id })
  t.equal(moved.resource_id, other.id, 'a view may move to another resource')
  t.same(
    (await ok('resource_view_list', { id: other.id })).map((x: { id: string }) => x.id),
    [v.id],
  )

  const err = async (body: Record<string, unknown>, token?: string | null) => {
    const r = await call('resource_view_update', body, { token })
    return [r.statusCode, r.json().error]
  }
  t.same(await err({ id: 'nope', title: 'x' }), [404, { __type: 'Not Found Error', message: 'Not found' }])
  t.same(await err({ id: v.id, resource_id: 'nope' }), [409, { __type: 'Validation Error', resource_id: ['Not found: Resource'] }])
  t.same(await err({ id: v.id, bogus: 1 }), [409, { __type: 'Validation Error', __extras: ['The input field __extras was not expected.'] }])
  t.same(await err({ id: v.id, title: 'x' }, outsider), [403, { __type: 'Authorization Error', message: `Access denied: User out not authorized to edit resource ${other.id}` }])

  // moving a view onto a resource of a dataset the caller may not edit
  await ok('organization_create', { name: 'org2' })
  const foreign = await ok('package_create', { name: 'foreign', owner_org: 'org2', resources: [{ url: 'http://x.org/f.csv' }] })
  const ed = await ok('user_create', { name: 'ed2', email: 'ed2@x.org', password: '12345678', with_apitoken: true })
  await ok('organization_member_create', { id: 'org1', username: 'ed2', role: 'editor' })
  t.same(await err({ id: v.id, resource_id: foreign.resources[0].id }, ed.token), [403, { __type: 'Authorization Error', message: `Access denied: User ed2 not authorized to edit resource ${foreign.resources[0].id}` }])
})

t.test('resource_view_reorder, _delete, _clear', async (t) => {
  const { ok, call, editor } = shared
  const res = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/tabla.csv', format: 'CSV' })
  const a = await ok('resource_view_create', { resource_id: res.id, view_type: 'image_view', title: 'A' })
  const b = await ok('resource_view_create', { resource_id: res.id, view_type: 'webpage_view', title: 'B' })
  const c = await ok('resource_view_create', { resource_id: res.id, view_type: 'recline_view', title: 'C' })
  t.same(await ok('resource_view_reorder', { id: res.id, order: [c.id] }, { token: editor }), { id: res.id, order: [c.id, a.id, b.id] })
  t.same(
    (await ok('resource_view_list', { id: res.id })).map((v: { title: string }) => v.title),
    ['C', 'A', 'B'],
  )
  const err = async (body: Record<string, unknown>, token?: string | null) => {
    const r = await call('resource_view_reorder', body, { token })
    return [r.statusCode, r.json().error]
  }
  t.same(await err({ id: res.id }), [409, { __type: 'Validation Error', order: ['Missing value'] }])
  t.same(await err({ id: res.id, order: 'x' }), [409, { __type: 'Validation Error', order: 'Must supply order as a list' }])
  t.same(await err({ id: res.id, order: [a.id, a.id] }), [409, { __type: 'Validation Error', order: 'No duplicates allowed in order' }])
  t.same(await err({ id: 'nope', order: [] }), [404, { __type: 'Not Found Error', message: 'Not found: Resource was not found.' }])
  t.same(await err({ id: res.id, order: ['zzz'] }), [409, { __type: 'Validation Error', order: 'View zzz does not exist' }])
  t.same(await err({ id: res.id, order: [] }, null), [403, { __type: 'Authorization Error', message: `Access denied: User  not authorized to edit resource ${res.id}` }])

  t.same((await call('resource_view_delete', { id: b.id }, { token: null })).json().error, { __type: 'Authorization Error', message: `Access denied: User  not authorized to delete resource ${res.id}` })
  t.same(await ok('resource_view_delete', { id: b.id }, { token: editor }), { resource_id: res.id })
  t.equal((await call('resource_view_show', { id: b.id })).statusCode, 404)
  t.same((await call('resource_view_delete', { id: b.id })).json().error, { __type: 'Not Found Error', message: 'Not found' })

  const acts = await ok('package_activity_list', { id: 'ds' })
  t.same(
    acts.slice(0, 5).map((x: { activity_type: string }) => x.activity_type),
    ['deleted resource view', 'new resource view', 'new resource view', 'new resource view', 'changed package'],
    "CKAN's resource view activities on the dataset",
  )
  t.same(acts[0].data, { id: b.id, resource_id: res.id, package_id: res.package_id })

  t.same((await call('resource_view_clear', {}, { token: editor })).json().error, { __type: 'Authorization Error', message: 'Access denied' }, 'sysadmins only')
  t.equal(await ok('resource_view_clear', { view_types: ['image_view'] }), null)
  t.same(
    (await ok('resource_view_list', { id: res.id })).map((v: { title: string }) => v.title),
    ['C'],
  )
  await ok('resource_view_clear', {})
  t.same(await ok('resource_view_list', { id: res.id }), [])
})

t.test('default views: on create, on format change, and once in the DataStore', async (t) => {
  const { ok, call, db, editor, outsider } = shared
  await ok('package_create', { name: 'ds3', owner_org: 'org1' })
  const img = await ok('resource_create', { package_id: 'ds3', url: 'http://x.org/mapa.JPG' })
  const [view] = await ok('resource_view_list', { id: img.id })
  t.same(view, { id: view.id, resource_id: img.id, title: 'Image', description: '', view_type: 'image_view', package_id: img.package_id })

  const csv = await ok('resource_create', { package_id: 'ds3', url: 'http://x.org/datos.csv' })
  t.same(await ok('resource_view_list', { id: csv.id }), [])
  await ok('resource_patch', { id: csv.id, name: 'renamed' })
  t.same(await ok('resource_view_list', { id: csv.id }), [], 'same format: nothing new')
  await ok('resource_patch', { id: csv.id, format: 'gif' })
  t.same(
    (await ok('resource_view_list', { id: csv.id })).map((v: { view_type: string }) => v.view_type),
    ['image_view'],
    'a new format gets its default view',
  )

  // the loader's call once the rows are in
  const tab = await ok('resource_create', { package_id: 'ds3', url: 'http://x.org/filas.csv' })
  t.same(await ok('resource_create_default_resource_views', { resource: tab }), [], 'not in the DataStore yet')
  t.same(await ok('resource_create_default_resource_views', { resource: tab, create_datastore_views: true }), [], 'datastore_active false: no table view')
  await setDatastoreActive(db.kysely, tab.id, true)
  const shown = await ok('resource_show', { id: tab.id })
  const made = await ok('resource_create_default_resource_views', { resource: shown, create_datastore_views: true }, { token: editor })
  t.same(made, [{ id: made[0].id, resource_id: tab.id, title: 'Table', description: '', view_type: 'datatables_view', responsive: false, ellipsis_length: 100, date_format: 'llll', filterable: true, package_id: tab.package_id }])
  t.same(await ok('resource_create_default_resource_views', { resource: shown, create_datastore_views: true }), [], 'never twice')

  const denied = await call('resource_create_default_resource_views', { resource: shown }, { token: outsider })
  t.same(denied.json().error, { __type: 'Authorization Error', message: `Access denied: User out not authorized to create resources on dataset ${tab.package_id}` })
  t.same((await call('resource_create_default_resource_views', {})).json().error, { __type: 'Validation Error', resource: ['Missing value'] })
  t.equal((await call('resource_create_default_resource_views', { resource: { id: 'nope' } })).statusCode, 404)

  // the whole dataset
  await ok('resource_view_clear', {})
  const pkg = await ok('package_show', { id: 'ds3' })
  const all = await ok('package_create_default_resource_views', { package: pkg }, { token: editor })
  t.same(
    all.map((v: { resource_id: string; view_type: string }) => [v.resource_id, v.view_type]),
    [
      [img.id, 'image_view'],
      [csv.id, 'image_view'],
    ],
  )
  const ds2 = await ok('package_create_default_resource_views', { package: pkg, create_datastore_views: 'true' })
  t.same(
    ds2.map((v: { resource_id: string; view_type: string }) => [v.resource_id, v.view_type]),
    [[tab.id, 'datatables_view']],
  )
  t.same((await call('package_create_default_resource_views', { package: pkg }, { token: outsider })).json().error, { __type: 'Authorization Error', message: `Access denied: User out not authorized to edit package ${pkg.id}` })
  t.same((await call('package_create_default_resource_views', { package: { name: 'ds' } })).json().error, { __type: 'Validation Error', message: 'Missing id, can not get Package object' })
})

t.test('DEFAULT_VIEWS chooses the default types', async (t) => {
  const { ok } = await setup(t, { DEFAULT_VIEWS: 'webpage_view recline_view' })
  const page = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/informe.html' })
  t.same(
    (await ok('resource_view_list', { id: page.id })).map((v: { view_type: string; title: string }) => [v.view_type, v.title]),
    [['webpage_view', 'Website']],
  )
  const img = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/foto.png' })
  t.same(await ok('resource_view_list', { id: img.id }), [], 'image_view is not among them')
  const sheet = await ok('resource_create', { package_id: 'ds', url: 'http://x.org/libro.ods' })
  t.same(
    (await ok('resource_view_list', { id: sheet.id })).map((v: { view_type: string }) => v.view_type),
    ['recline_view'],
    'recline_view needs no DataStore for spreadsheets',
  )
})
