import t from 'tap'
import pg from 'pg'
import { testApp } from '../helpers/app.js'

/**
 * Writes of datasets that share tags must not wait on each other: the soak benchmark found
 * concurrent package_create / resource_create answering 500 "deadlock detected" while each write
 * locked the shared tag rows it reused.
 */
t.test('saving a dataset takes no lock on an existing tag', async (t) => {
  const s = await testApp(t)
  await s.ok('organization_create', { name: 'org' })
  await s.ok('package_create', { name: 'primero', owner_org: 'org', tags: [{ name: 'salud' }, { name: 'agua' }] })

  // another transaction holds both tag rows locked as its own upsert of them would, until it commits
  const other = new pg.Client({ connectionString: s.db.url })
  await other.connect()
  t.teardown(() => other.end())
  await other.query('BEGIN')
  const locked = await other.query(`SELECT id FROM tag WHERE name IN ('salud', 'agua') FOR NO KEY UPDATE`)
  t.equal(locked.rowCount, 2)

  const writing = s.call('package_create', { name: 'segundo', owner_org: 'org', tags: [{ name: 'agua' }, { name: 'salud' }, { name: 'nuevo' }] })
  // either the write finishes, or a backend of the app's database waits for a lock
  const blocked = (async () => {
    for (;;) {
      const { rows } = await other.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`)
      if (rows[0].n > 0) return 'blocked'
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  const first = await Promise.race([writing.then(() => 'done'), blocked])
  await other.query('ROLLBACK')
  t.equal(first, 'done', 'package_create completed while the tags were locked elsewhere')
  const res = await writing
  t.equal(res.statusCode, 200)
  t.same(
    res.json().result.tags.map((x: { name: string }) => x.name),
    ['agua', 'nuevo', 'salud'],
  )
  const again = await s.ok('package_show', { id: 'primero' })
  t.equal(again.tags.find((x: { name: string }) => x.name === 'salud').id, res.json().result.tags.find((x: { name: string }) => x.name === 'salud').id, 'the existing tag row is reused')
})

t.test('many concurrent writes over the same tags in every order all succeed', async (t) => {
  const s = await testApp(t)
  await s.ok('organization_create', { name: 'org' })
  const names = ['uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis']
  const results = await Promise.all(
    Array.from({ length: 24 }, (_, i) => {
      const tags = (i % 2 ? names : [...names].reverse()).map((name) => ({ name: `${name}-${i % 3}` }))
      return s.call('package_create', { name: `ds-${i}`, owner_org: 'org', tags })
    }),
  )
  t.same(
    results.map((r) => r.statusCode),
    results.map(() => 200),
    'no write failed',
  )
  t.equal((await s.ok('tag_list')).length, 18, 'each tag created once')
})
