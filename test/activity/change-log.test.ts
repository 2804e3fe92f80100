import t from 'tap'
import { sql, type Kysely } from 'kysely'
import { testApp } from '../helpers/app.js'
import type { Database } from '../../src/db/schema.js'

/** The change log the feed reads: written by triggers, one row per dataset per transaction that changed what the public sees. */

async function changes(db: Kysely<Database>): Promise<Array<{ name: string; change: string; seq: number }>> {
  await sql`SELECT abierto_stamp_changes()`.execute(db)
  const { rows } = await sql<{ name: string; change: string; seq: number }>`SELECT name, change, seq::int AS seq FROM package_change WHERE seq IS NOT NULL ORDER BY seq`.execute(db)
  return rows
}

t.test('each public-visibility transition is one change, in commit order', async (t) => {
  const b = await testApp(t)
  await b.ok('organization_create', { name: 'org' })
  await b.ok('package_create', { name: 'uno', owner_org: 'org', resources: [{ url: 'http://x/a.csv' }] })
  await b.ok('package_create', { name: 'secreto', owner_org: 'org', private: true })
  await b.ok('package_patch', { id: 'uno', title: 'Uno' })
  await b.ok('resource_create', { package_id: 'uno', url: 'http://x/b.csv' })
  await b.ok('package_patch', { id: 'secreto', title: 'still private' })
  await b.ok('package_patch', { id: 'uno', private: true })
  await b.ok('package_patch', { id: 'uno', private: false })
  await b.ok('package_delete', { id: 'uno' })
  await b.ok('dataset_purge', { id: 'uno' })
  await b.ok('package_patch', { id: 'secreto', private: false })
  const got = await changes(b.db.kysely)
  t.same(
    got.map((c) => `${c.name} ${c.change}`),
    ['uno created', 'uno updated', 'uno updated', 'uno hidden', 'uno created', 'uno deleted', 'secreto created'],
    'private edits and the purge of a deleted dataset are not public changes',
  )
  t.same(
    got.map((c) => c.seq),
    got.map((_, i) => i + 1),
    'numbered without gaps',
  )
})

t.test('one transaction writing a dataset several times is one change', async (t) => {
  const b = await testApp(t)
  await b.ok('organization_create', { name: 'org' })
  const db = b.db.kysely
  const org = await db.selectFrom('group').select('id').where('name', '=', 'org').executeTakeFirstOrThrow()
  const row = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    name: id,
    type: 'dataset',
    state: 'active',
    private: false,
    owner_org: org.id,
    metadata_created: '2024-01-01T00:00:00',
    metadata_modified: '2024-01-01T00:00:00',
    ...extra,
  })
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('package').values(row('a')).execute()
    await tx.updateTable('package').set({ title: 'A' }).where('id', '=', 'a').execute()
  })
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('package').set({ private: true }).where('id', '=', 'a').execute()
    await tx.updateTable('package').set({ private: false, title: 'A2' }).where('id', '=', 'a').execute()
  })
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('package')
      .values(row('b', { private: true }))
      .execute()
    await tx.updateTable('package').set({ private: false }).where('id', '=', 'b').execute()
  })
  await db.updateTable('package').set({ title: 'A2' }).where('id', '=', 'a').execute()
  t.same(
    (await changes(db)).map((c) => `${c.name} ${c.change}`),
    ['a created', 'a updated', 'b created'],
    'created then edited is created; hidden and shown again is updated; a rewrite with the same values is nothing',
  )
})

t.test('a transaction that commits late is numbered after what others committed meanwhile, and holds nothing back', async (t) => {
  const b = await testApp(t)
  await b.ok('organization_create', { name: 'org' })
  const early = await b.db.pool.connect()
  t.teardown(() => early.release())
  // an open transaction with the older id: what it writes must come after what others commit meanwhile, never below it
  await early.query('BEGIN')
  await early.query('SELECT pg_current_xact_id()')
  await b.ok('package_create', { name: 'tarde', owner_org: 'org' })
  t.same(
    (await changes(b.db.kysely)).map((c) => `${c.seq} ${c.name}`),
    ['1 tarde'],
    'an open older transaction does not hold back what has committed',
  )
  const org = await b.db.kysely.selectFrom('group').select('id').where('name', '=', 'org').executeTakeFirstOrThrow()
  await early.query(`INSERT INTO package (id, name, type, state, private, owner_org, metadata_created, metadata_modified) VALUES ('temprano', 'temprano', 'dataset', 'active', false, $1, now(), now())`, [org.id])
  t.same(
    (await changes(b.db.kysely)).map((c) => `${c.seq} ${c.name}`),
    ['1 tarde'],
    'uncommitted: not numbered',
  )
  await early.query('COMMIT')
  t.same(
    (await changes(b.db.kysely)).map((c) => `${c.seq} ${c.name}`),
    ['1 tarde', '2 temprano'],
    'numbered after the reader’s position once committed: a reader past 1 still gets it',
  )
})
