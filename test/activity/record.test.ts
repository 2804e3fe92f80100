import { Readable } from 'node:stream'
import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'
import { readLines } from '../../src/bulk/jsonl.js'
import { loadDatasets } from '../../src/bulk/load.js'
import { harvestUser } from '../../src/auth/users.js'

/** Every write path records its activity in its own transaction, as CKAN's activity plugin does. */

interface Row {
  user_id: string
  object_id: string
  activity_type: string
  data: any
  permission_labels: string[] | null
}

async function activities(b: TestApp): Promise<Row[]> {
  return (await b.db.kysely.selectFrom('activity').select(['user_id', 'object_id', 'activity_type', 'data', 'permission_labels']).orderBy('seq').execute()) as Row[]
}

async function since(b: TestApp, fn: () => Promise<unknown>): Promise<Row[]> {
  const before = (await activities(b)).length
  await fn()
  return (await activities(b)).slice(before)
}

t.test('datasets: one activity per write, with the dict after it and frozen labels', async (t) => {
  const b = await testApp(t)
  const admin = await b.db.kysely.selectFrom('user').selectAll().where('name', '=', 'admin').executeTakeFirstOrThrow()
  const org = await b.ok('organization_create', { name: 'org' })
  let created: any
  const [newPkg] = await since(b, async () => (created = await b.ok('package_create', { name: 'uno', title: 'Uno', owner_org: 'org', extras: [{ key: 'k', value: 'v' }] })))
  t.match(newPkg, { user_id: admin.id, object_id: created.id, activity_type: 'new package', permission_labels: ['public'] })
  t.same(newPkg.data.package, created, 'data.package is the dict package_create returned')
  t.equal(newPkg.data.actor, 'admin')

  const patched = await since(b, () => b.ok('package_patch', { id: 'uno', title: 'Uno bis' }))
  t.same(
    patched.map((a) => [a.activity_type, a.data.package.title]),
    [['changed package', 'Uno bis']],
  )
  t.same(
    (await since(b, () => b.ok('package_patch', { id: 'uno', title: 'Uno bis' }))).map((a) => a.activity_type),
    ['changed package'],
    'an update that changes nothing still records one, as CKAN',
  )
  const res = await since(b, () => b.ok('resource_create', { package_id: 'uno', url: 'http://x/a.csv', name: 'a' }))
  t.same(
    res.map((a) => [a.activity_type, a.data.package.resources.length]),
    [['changed package', 1]],
    'resource writes are dataset updates',
  )
  const hidden = await since(b, () => b.ok('bulk_update_private', { datasets: ['uno'], org_id: 'org' }))
  t.same(
    hidden.map((a) => [a.activity_type, a.permission_labels]),
    [['changed package', [`member-${org.id}`, `collaborator-${created.id}`]]],
    'a private dataset’s activity carries the labels of those who may read it',
  )
  const deleted = await since(b, () => b.ok('package_delete', { id: 'uno' }))
  t.same(
    deleted.map((a) => [a.activity_type, a.data.package.state]),
    [['deleted package', 'deleted']],
  )
  t.same(await since(b, () => b.ok('dataset_purge', { id: 'uno' })), [], 'a purge records nothing (CKAN keeps the old activities)')
  t.equal((await activities(b)).filter((a) => a.object_id === created.id).length, 6, 'history survives the purge')

  const refused = await since(b, () => b.call('package_create', { name: 'dos', owner_org: 'nope' }))
  t.same(refused, [], 'a refused write leaves no activity')
})

t.test('organizations, groups and users', async (t) => {
  const b = await testApp(t)
  const made = await since(b, async () => {
    await b.ok('organization_create', { name: 'org', title: 'Org' })
    await b.ok('organization_patch', { id: 'org', title: 'Org 2' })
    await b.ok('group_create', { name: 'grupo' })
    await b.ok('group_delete', { id: 'grupo' })
    await b.ok('organization_delete', { id: 'org' })
  })
  t.same(
    made.map((a) => [a.activity_type, a.data.group?.name, a.permission_labels]),
    [
      ['new organization', 'org', null],
      ['changed organization', 'org', null],
      ['new group', 'grupo', null],
      ['deleted group', 'grupo', null],
      ['deleted organization', 'org', null],
    ],
  )
  t.same(Object.keys(made[1].data.group).sort(), ['approval_status', 'created', 'description', 'id', 'image_url', 'is_organization', 'name', 'state', 'title', 'type'], "the group's row, as CKAN stores it")
  t.equal(made[1].data.group.title, 'Org 2')
  const users = await since(b, async () => {
    const u = await b.ok('user_create', { name: 'ana', email: 'ana@example.org', password: 'secreto123' })
    await b.ok('user_patch', { id: u.id, fullname: 'Ana' })
  })
  t.same(
    users.map((a) => [a.activity_type, a.user_id === a.object_id, a.data]),
    [
      ['new user', true, {}],
      ['changed user', true, {}],
    ],
  )
})

t.test('ACTIVITY_STREAMS_ENABLED=false records nothing', async (t) => {
  const b = await testApp(t, { ACTIVITY_STREAMS_ENABLED: 'false' })
  await b.ok('organization_create', { name: 'org' })
  await b.ok('package_create', { name: 'uno', owner_org: 'org' })
  await b.ok('package_patch', { id: 'uno', title: 'x' })
  t.same(await activities(b), [])
})

t.test('abierto load records a new or changed package per dataset, as the harvest user', async (t) => {
  const b = await testApp(t)
  const actor = await harvestUser(b.db.kysely)
  const run = (lines: string[]) =>
    loadDatasets(b.db.kysely, readLines(Readable.from([Buffer.from(lines.join('\n'))])), {
      createUnownedDataset: false,
      batchSize: 3,
      report: () => undefined,
      activities: { actor: { id: actor.id, name: actor.name }, siteUrl: b.config.siteUrl },
    })
  const line = (i: number, title: string) => JSON.stringify({ name: `carga-${i}`, title, organization: { name: 'org' } })
  await run([0, 1, 2, 3, 4].map((i) => line(i, `Carga ${i}`)))
  await run([line(1, 'Otra'), line(5, 'Nueva'), '{"name": "x!"}'])
  const rows = await activities(b)
  t.equal(rows.length, 7, 'one per dataset written, none for the rejected line')
  t.ok(
    rows.every((r) => r.user_id === actor.id && r.data.actor === 'harvest'),
    'as the harvest user',
  )
  t.same(
    rows.slice(5).map((r) => [r.data.package.name, r.activity_type, r.data.package.title]),
    [
      ['carga-1', 'changed package', 'Otra'],
      ['carga-5', 'new package', 'Nueva'],
    ],
  )
  const shown = await b.ok('package_show', { id: 'carga-5' })
  t.same(rows[6].data.package, shown, 'the same dict package_show gives')
})
