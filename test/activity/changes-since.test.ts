import t from 'tap'
import { sql } from 'kysely'
import { testApp, testDatabase, type TestApp } from '../helpers/app.js'

/** changes_since and GET /api/3/changes: the public change feed harvesters and mirrors page through. */

type Dict = Record<string, any>
type Change = { seq: number; type: string; id: string; name: string; metadata_modified: string | null }

const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url')

async function page(app: TestApp, params: Dict = {}): Promise<{ cursor: string; changes: Change[] }> {
  return app.ok('changes_since', params, { token: null })
}

/** Every change after `cursor`, `limit` at a time, and the cursor the last page ended on. */
async function drain(app: TestApp, cursor: string | undefined, limit: number): Promise<{ cursor: string | undefined; changes: Change[] }> {
  const changes: Change[] = []
  for (;;) {
    const p = await page(app, { ...(cursor ? { cursor } : {}), limit })
    changes.push(...p.changes)
    if (p.changes.length === 0) return { cursor: p.cursor, changes }
    cursor = p.cursor
  }
}

t.test('each public change once, in its shape, anonymously, on both routes', async (t) => {
  const a = await testApp(t)
  await a.ok('organization_create', { name: 'org' })
  const uno = await a.ok('package_create', { name: 'uno', title: 'Uno', owner_org: 'org' })
  await a.ok('package_create', { name: 'oculto', owner_org: 'org', private: true })
  await a.ok('package_patch', { id: 'uno', title: 'Uno bis' })
  await a.ok('package_patch', { id: 'uno', private: true })
  await a.ok('package_patch', { id: 'uno', private: false })
  const last = await a.ok('package_patch', { id: 'uno', notes: 'x' })
  await a.ok('package_create', { name: 'dos', owner_org: 'org' })
  await a.ok('package_delete', { id: 'dos' })

  const first = await page(a)
  t.same(Object.keys(first).sort(), ['changes', 'cursor'])
  t.type(first.cursor, 'string')
  t.same(
    first.changes.map((c) => `${c.name} ${c.type}`),
    ['uno created', 'uno updated', 'uno hidden', 'uno created', 'uno updated', 'dos created', 'dos deleted'],
    'private datasets never appear; hidden and public again are hidden and created',
  )
  for (const c of first.changes) t.same(Object.keys(c).sort(), ['id', 'metadata_modified', 'name', 'seq', 'type'], 'a change has exactly the documented keys')
  t.same(
    first.changes.map((c) => c.seq),
    [1, 2, 3, 4, 5, 6, 7],
    'seq is a number, in commit order',
  )
  t.equal(first.changes[0].id, uno.id)
  t.equal(first.changes[4].metadata_modified, last.metadata_modified, "metadata_modified is the dataset's after the change")
  t.notMatch(first.cursor, /v1|:/, 'the cursor is opaque')

  const again = await page(a, { cursor: first.cursor })
  t.same(again, { cursor: first.cursor, changes: [] }, 'nothing new: no changes and the same cursor')

  const get = await a.app.inject({ method: 'GET', url: '/api/3/action/changes_since?limit=2' })
  t.equal(get.statusCode, 200, 'GET allowed')
  const alias = await a.app.inject({ method: 'GET', url: '/api/3/changes?cursor=&limit=2' })
  t.equal(alias.statusCode, 200)
  const body = alias.json()
  t.same(Object.keys(body).sort(), ['help', 'result', 'success'], 'the envelope of the action')
  t.match(body.help, /help_show\?name=changes_since$/)
  t.same(body.result, get.json().result, 'same page as the action (an empty cursor is the start)')
  t.same(
    body.result.changes.map((c: Change) => c.seq),
    [1, 2],
  )
  const next = await a.app.inject({ method: 'GET', url: `/api/3/changes?cursor=${body.result.cursor}&limit=100` })
  t.same(
    next.json().result.changes.map((c: Change) => c.seq),
    [3, 4, 5, 6, 7],
    'the cursor of the alias continues after its page',
  )
})

t.test('pages concatenate to the whole feed, and a page left behind resumes where it stopped', async (t) => {
  const a = await testApp(t)
  await a.ok('organization_create', { name: 'org' })
  for (let i = 0; i < 23; i++) await a.ok('package_create', { name: `d-${i}`, owner_org: 'org' })
  const whole = await page(a, { limit: 10000 })
  t.equal(whole.changes.length, 23)
  const paged = await drain(a, undefined, 5)
  t.same(paged.changes, whole.changes, 'limit 5 pages give the same changes in the same order')
  t.equal(paged.cursor, whole.cursor, 'and end on the same cursor')
  const p1 = await page(a, { limit: 5 })
  t.same(
    p1.changes.map((c) => c.name),
    ['d-0', 'd-1', 'd-2', 'd-3', 'd-4'],
  )
  t.equal((await page(a)).changes.length, 23, 'default limit 100')
  t.equal((await page(a, { limit: 50000 })).changes.length, 23, 'a limit above 10000 is clamped, not refused')
  await a.ok('package_patch', { id: 'd-3', title: 'tres' })
  const after = await page(a, { cursor: whole.cursor })
  t.same(
    after.changes.map((c) => `${c.seq} ${c.name} ${c.type}`),
    ['24 d-3 updated'],
    'a reader at the end sees only what came after',
  )
})

t.test('invalid params are validation errors naming the field', async (t) => {
  const a = await testApp(t)
  await a.ok('organization_create', { name: 'org' })
  await a.ok('package_create', { name: 'uno', owner_org: 'org' })
  const cases: Array<[Dict, Dict]> = [
    [{ limit: 0 }, { limit: ['Must be at least 1'] }],
    [{ limit: -3 }, { limit: ['Must be at least 1'] }],
    [{ limit: 'many' }, { limit: ['Invalid integer'] }],
    [{ limit: 2.5 }, { limit: ['Invalid integer'] }],
    [{ cursor: 'not a cursor!' }, { cursor: ['Invalid cursor'] }],
    [{ cursor: cursorOf('v2:1') }, { cursor: ['Invalid cursor'] }],
    [{ cursor: cursorOf('v1:-1') }, { cursor: ['Invalid cursor'] }],
    [{ cursor: cursorOf('v1:01') }, { cursor: ['Invalid cursor'] }],
    [{ cursor: cursorOf('v1:1') + '=' }, { cursor: ['Invalid cursor'] }],
    [{ cursor: cursorOf('v1:99999999999999999') }, { cursor: ['Invalid cursor'] }],
    [{ cursor: cursorOf('v1:5') }, { cursor: ['Cursor is past the end of this feed'] }],
    [{ cursor: 12 }, { cursor: ['Must be of type string'] }],
  ]
  for (const [params, error] of cases) {
    const res = await a.call('changes_since', params, { token: null })
    t.equal(res.statusCode, 409, JSON.stringify(params))
    t.same(res.json().error, { __type: 'Validation Error', ...error }, JSON.stringify(params))
  }
  t.equal((await page(a, { cursor: cursorOf('v1:1') })).changes.length, 0, 'a well-formed cursor at the end is fine')
  const get = await a.app.inject({ method: 'GET', url: '/api/3/changes?limit=0' })
  t.equal(get.statusCode, 409)
  t.same(get.json().error, { __type: 'Validation Error', limit: ['Must be at least 1'] }, 'the alias answers the same errors')
  const post = await a.app.inject({ method: 'POST', url: '/api/3/changes' })
  t.equal(post.statusCode, 404, 'the alias is GET only')
})

t.test('concurrent writers while a reader pages: every change seen once, no gap, final state matches', async (t) => {
  const a = await testApp(t)
  await a.ok('organization_create', { name: 'org' })
  const WRITERS = 4
  const ROUNDS = 12
  let writing = WRITERS
  const writer = async (w: number) => {
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const name = `w${w}-${i}`
        await a.ok('package_create', { name, owner_org: 'org', resources: [{ url: `http://x/${name}.csv` }] })
        await a.ok('package_patch', { id: name, title: `T ${name}` })
        if (i % 4 === 0) await a.ok('resource_create', { package_id: name, url: 'http://x/extra.csv' })
        if (i % 3 === 1) await a.ok('package_patch', { id: name, private: true })
        if (i % 3 === 2) {
          await a.ok('package_delete', { id: name })
          await a.ok('package_patch', { id: `w${w}-${i - 1}`, private: false })
        }
      }
    } finally {
      writing--
    }
  }
  const seen: Change[] = []
  let cursor: string | undefined
  let pages = 0
  const reader = async () => {
    // keeps paging while writers run, then once more after they are done
    for (let done = false; ;) {
      const p = await page(a, { ...(cursor ? { cursor } : {}), limit: 7 })
      pages++
      seen.push(...p.changes)
      cursor = p.cursor
      if (p.changes.length === 0) {
        if (done) return
        done = writing === 0
        await new Promise((r) => setImmediate(r))
      }
    }
  }
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), reader()])
  t.ok(pages > 5, `the reader paged while writing (${pages} pages)`)

  await sql`SELECT abierto_stamp_changes()`.execute(a.db.kysely)
  const { rows } = await sql<{ n: number; unstamped: number }>`SELECT count(seq)::int AS n, count(*) FILTER (WHERE seq IS NULL)::int AS unstamped FROM package_change`.execute(a.db.kysely)
  t.equal(rows[0].unstamped, 0, 'every change is numbered once writers are done')
  t.same(
    seen.map((c) => c.seq),
    Array.from({ length: rows[0].n }, (_, i) => i + 1),
    `all ${rows[0].n} changes seen once, in order, without gap or duplicate`,
  )

  // replaying the feed gives what the public sees now
  const state = new Map<string, Change>()
  for (const c of seen) {
    if (c.type === 'created' || c.type === 'updated') state.set(c.id, c)
    else state.delete(c.id)
  }
  const { rows: visible } = await sql<{ id: string; name: string; metadata_modified: string }>`
    SELECT id, name, metadata_modified FROM package WHERE state = 'active' AND NOT private AND type = 'dataset' ORDER BY id`.execute(a.db.kysely)
  t.same(
    [...state.values()].map((c) => ({ id: c.id, name: c.name, metadata_modified: c.metadata_modified })).sort((x, y) => x.id.localeCompare(y.id)),
    visible,
    'the replayed feed is the set of public datasets, with their names and metadata_modified',
  )
  t.ok(visible.length > 10 && visible.length < WRITERS * ROUNDS, 'some datasets were hidden or deleted, some stayed')
})

t.test('a mirror replaying the feed ends identical to the source', async (t) => {
  const a = await testApp(t)
  const mirror = await testDatabase(t)
  const m = mirror.kysely
  await a.ok('organization_create', { name: 'org' })
  const mirrorOrg = (await m.selectFrom('group').select('id').limit(1).executeTakeFirst())?.id ?? null
  let cursor: string | undefined

  // what a follower does: show what was created or updated, drop what was deleted or hidden
  const sync = async () => {
    const read = await drain(a, cursor, 4)
    cursor = read.cursor
    for (const c of read.changes) {
      const res = await a.call('package_show', { id: c.id }, { token: null })
      if ((c.type === 'created' || c.type === 'updated') && res.statusCode === 200) {
        const d = res.json().result
        const row = { id: d.id, name: d.name, title: d.title, type: 'dataset', state: 'active', private: false, owner_org: mirrorOrg, metadata_created: d.metadata_created, metadata_modified: d.metadata_modified }
        await m
          .insertInto('package')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet({ name: d.name, title: d.title, metadata_modified: d.metadata_modified }))
          .execute()
      } else {
        await m.deleteFrom('package').where('id', '=', c.id).execute()
      }
    }
    return read.changes.length
  }
  const publicSet = async (db: typeof m) =>
    (
      await sql<{ id: string; name: string; title: string | null; metadata_modified: string }>`
      SELECT id, name, title, metadata_modified FROM package WHERE state = 'active' AND NOT private AND type = 'dataset' ORDER BY id`.execute(db)
    ).rows
  const same = async (what: string) => {
    const source = await publicSet(a.db.kysely)
    t.same(await publicSet(m), source, `${what}: the mirror has the same public datasets, titles and metadata_modified (${source.length})`)
  }

  for (let i = 0; i < 8; i++) await a.ok('package_create', { name: `d-${i}`, title: `D ${i}`, owner_org: 'org' })
  await a.ok('package_create', { name: 'secreto', owner_org: 'org', private: true })
  t.ok((await sync()) >= 8)
  await same('after creates')

  await a.ok('package_patch', { id: 'd-0', title: 'Cero' })
  await a.ok('resource_create', { package_id: 'd-1', url: 'http://x/r.csv' })
  await a.ok('package_delete', { id: 'd-2' })
  await a.ok('package_patch', { id: 'd-3', private: true })
  await a.ok('dataset_purge', { id: 'd-4' })
  await a.ok('package_patch', { id: 'secreto', private: false, title: 'Ya no' })
  await sync()
  await same('after updates, a deletion, a privatisation, a purge and a publication')
  t.notOk(await m.selectFrom('package').select('id').where('name', 'in', ['d-2', 'd-3', 'd-4']).executeTakeFirst(), 'deleted, hidden and purged datasets left the mirror')

  // changes made between two reads of the same dataset collapse correctly
  await a.ok('package_patch', { id: 'd-3', private: false, title: 'Tres' })
  await a.ok('package_patch', { id: 'd-5', title: 'Cinco' })
  await a.ok('package_patch', { id: 'd-5', private: true })
  await a.ok('package_delete', { id: 'd-6' })
  await a.ok('dataset_purge', { id: 'd-6' })
  await a.ok('dataset_purge', { id: 'd-2' })
  await sync()
  await same('after public again, edit-then-hide, delete-then-purge, purge of a deleted one')
  t.equal(await sync(), 0, 'nothing new: the mirror reads nothing')
})
