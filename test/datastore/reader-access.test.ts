import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { createTable, READER_ROLE, syncReaderAccess, tableExists } from '../../src/datastore/table.js'

/**
 * The SQL reader's grants follow the dataset's visibility through triggers, whatever path changes
 * it, and a resource's table goes with the resource.
 */
t.test('the reader role reads exactly the tables of public, active resources', async (t) => {
  const { ok, db } = await testApp(t)
  const k = db.kysely
  await ok('organization_create', { name: 'org' })
  const pkg = await ok('package_create', { name: 'ds', owner_org: 'org', resources: [{ url: 'http://x/a.csv' }, { url: 'http://x/b.csv' }] })
  const [a, b] = pkg.resources.map((r: { id: string }) => r.id)
  const canRead = async (rel: string) => {
    const { rows } = await sql<{ ok: boolean }>`SELECT has_table_privilege(${READER_ROLE}, ${`datastore."${rel}"`}, 'SELECT') AS ok`.execute(k)
    return rows[0].ok
  }
  for (const id of [a, b]) {
    await createTable(k, id, [{ id: 'name', type: 'text' }])
    t.notOk(await canRead(id), 'a new table is not readable before its access is synced')
    await syncReaderAccess(k, id)
    t.ok(await canRead(id), 'public dataset: readable')
  }
  await sql`CREATE VIEW datastore.alias_a AS SELECT * FROM datastore.${sql.id(a)}`.execute(k)
  await syncReaderAccess(k, a)
  t.ok(await canRead('alias_a'), 'an alias of a public table is readable')

  await ok('package_patch', { id: 'ds', private: true })
  t.notOk(await canRead(a), 'made private: the table is no longer readable')
  t.notOk(await canRead('alias_a'), 'made private: nor its alias')
  t.notOk(await canRead(b))
  await ok('package_patch', { id: 'ds', private: false })
  t.ok(await canRead(a), 'public again: readable again')
  t.ok(await canRead('alias_a'))

  await ok('package_delete', { id: 'ds' })
  t.notOk(await canRead(a), 'deleted dataset: not readable')
  t.ok(await tableExists(k, a), 'deleting the dataset keeps its tables (CKAN does too)')
  await sql`UPDATE package SET state = 'active' WHERE name = 'ds'`.execute(k)
  t.ok(await canRead(a), 'restored by any path: readable again')

  await ok('resource_delete', { id: a })
  t.notOk(await tableExists(k, a), 'resource_delete drops its table')
  t.notOk(await tableExists(k, 'alias_a'), 'and the aliases reading it')
  t.ok(await tableExists(k, b), "the other resource's table stays")
  await ok('dataset_purge', { id: 'ds' })
  t.notOk(await tableExists(k, b), 'purging the dataset drops the tables of its resources')
})

t.test('a draft dataset is not readable by the SQL reader', async (t) => {
  const { ok, db } = await testApp(t)
  const k = db.kysely
  await ok('organization_create', { name: 'org' })
  const pkg = await ok('package_create', { name: 'draft-ds', owner_org: 'org', state: 'draft', resources: [{ url: 'http://x/a.csv' }] })
  const id = pkg.resources[0].id
  await createTable(k, id, [{ id: 'n', type: 'int4' }])
  await syncReaderAccess(k, id)
  const { rows } = await sql<{ ok: boolean }>`SELECT has_table_privilege(${READER_ROLE}, ${`datastore."${id}"`}, 'SELECT') AS ok`.execute(k)
  t.equal(rows[0].ok, false)
})
