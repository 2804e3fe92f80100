import t from 'tap'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { testApp } from '../helpers/app.js'
import { PostgresSearchIndex } from '../../src/search/postgres.js'
import { SearchBackendError, type SearchIndex, type SearchRequest } from '../../src/search/port.js'
import type { IndexDocument } from '../../src/search/document.js'

/** The real Postgres backend behind a switch that makes every call fail, as a crashed Meilisearch would. */
class SwitchableIndex implements SearchIndex {
  readonly backend = 'postgres' as const
  down = false
  inner!: SearchIndex
  private check() {
    if (this.down) throw new SearchBackendError('connect ECONNREFUSED 127.0.0.1:7700')
  }
  async prepare() {}
  async close() {}
  inTransaction(db: Kysely<Database>): SearchIndex {
    const bound = new SwitchableIndex()
    bound.inner = this.inner.inTransaction!(db)
    Object.defineProperty(bound, 'down', { get: () => this.down })
    return bound
  }
  async search(req: SearchRequest) {
    this.check()
    return this.inner.search(req)
  }
  async upsert(docs: IndexDocument[]) {
    this.check()
    return this.inner.upsert(docs)
  }
  async remove(ids: string[]) {
    this.check()
    return this.inner.remove(ids)
  }
  async clear() {
    this.check()
    return this.inner.clear()
  }
  async count() {
    this.check()
    return this.inner.count()
  }
}

async function setup(t: Parameters<typeof testApp>[0]) {
  const index = new SwitchableIndex()
  const base = await testApp(t, {}, { search: index, indexWorker: false })
  index.inner = new PostgresSearchIndex(base.db.kysely)
  const app = base.app
  const call = (name: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/3/action/${name}`, headers: { 'content-type': 'application/json', authorization: base.sysadminToken }, payload: JSON.stringify(body) })
  const health = async () => (await app.inject({ method: 'GET', url: '/health' })).json().search
  const makeDue = () => sql`UPDATE search_outbox SET next_attempt_at = now() - interval '1 second', enqueued_at = now() - interval '1 minute'`.execute(base.db.kysely)
  await base.ok('organization_create', { name: 'org' })
  return { ...base, app, index, call: (name: string, body: Record<string, unknown>) => call(name, name === 'package_create' ? { owner_org: 'org', ...body } : body), health, makeDue }
}

t.test('a search outage never fails a write and never loses it', async (t) => {
  const s = await setup(t)
  await s.call('package_create', { name: 'antes', title: 'Antes del corte' })
  t.same(await s.health(), { backend: 'postgres', pending: 0, failing: 0, oldest_seconds: 0, last_error: null }, 'nothing pending')

  s.index.down = true
  const created = await s.call('package_create', { name: 'durante', title: 'Creado durante el corte' })
  t.equal(created.statusCode, 200, `package_create succeeds while the index is down ${created.statusCode === 200 ? '' : created.body}`)
  const updated = await s.call('package_patch', { id: 'antes', title: 'Cambiado durante el corte' })
  t.equal(updated.statusCode, 200, 'package_patch succeeds while the index is down')
  const deleted = await s.call('package_create', { name: 'efimero', title: 'Efímero' })
  t.equal(deleted.statusCode, 200)
  t.equal((await s.call('dataset_purge', { id: 'efimero' })).statusCode, 200, 'purge succeeds while the index is down')
  const h = await s.health()
  t.equal(h.pending, 3, 'three datasets wait in the outbox')
  t.equal(h.failing, 3, 'all three failed once')
  t.match(h.last_error, /ECONNREFUSED/, 'the backend error is reported')
  const failed = await s.call('package_search', { q: 'corte' })
  t.equal(failed.statusCode, 500, 'search itself reports the outage')
  t.same(failed.json().error, { __type: 'Search Connection Error', message: 'Unable to connect to the search server' })

  // retried with backoff while still down: nothing is dropped
  await s.makeDue()
  await t.rejects(s.app.indexer.applyDue(), 'worker pass fails while down')
  t.equal((await s.health()).pending, 3, 'still queued after a failed retry')
  const attempts = await sql<{ attempts: number; delay: number }>`SELECT attempts, extract(epoch FROM next_attempt_at - now())::float8 AS delay FROM search_outbox ORDER BY attempts LIMIT 1`.execute(s.db.kysely)
  t.ok(attempts.rows[0].attempts >= 2 && attempts.rows[0].delay > 1, 'backoff grows with attempts')

  s.index.down = false
  await s.makeDue()
  t.equal(await s.app.indexer.applyDue(), 3, 'the worker catches up when the backend is back')
  t.equal((await s.health()).pending, 0, 'outbox empty')
  const names = (await (await s.call('package_search', { q: 'corte', rows: 10 })).json()).result.results.map((r: any) => r.name).sort()
  t.same(names, ['antes', 'durante'], 'the index has both changes')
  const efimero = (await s.call('package_search', { q: 'name:efimero', include_deleted: true })).json().result
  t.equal(efimero.count, 0, 'the purge reached the index too')
})

t.test('changes made outside the actions (bulk SQL) are queued by triggers', async (t) => {
  const s = await setup(t)
  await s.call('package_create', { name: 'uno', title: 'Uno' })
  t.equal((await (await s.call('package_search', { q: 'bloque' })).json()).result.count, 0, 'nothing yet (and this answer is cached)')
  await sql`UPDATE package SET title = 'Título cargado en bloque' WHERE name = 'uno'`.execute(s.db.kysely)
  t.equal((await s.health()).pending, 1, 'the raw UPDATE enqueued the dataset')
  await s.makeDue()
  await s.app.indexer.applyDue()
  t.equal((await (await s.call('package_search', { q: 'bloque' })).json()).result.count, 1, 'the worker applied it, and dropped cached answers')
})

t.test('concurrent updates of one dataset: the index ends with the last committed version', async (t) => {
  const s = await setup(t)
  await s.call('package_create', { name: 'carrera', title: 'v0' })
  await Promise.all(Array.from({ length: 12 }, (_, i) => s.call('package_patch', { id: 'carrera', notes: `nota ${i}` })))
  await s.call('package_patch', { id: 'carrera', title: 'final' })
  await Promise.all(Array.from({ length: 8 }, (_, i) => s.call('package_patch', { id: 'carrera', notes: `otra ${i}` })))
  const shown = (await s.call('package_show', { id: 'carrera' })).json().result
  const found = (await s.call('package_search', { q: 'name:carrera' })).json().result.results[0]
  t.same(found, shown, 'search result equals package_show after the race')
  t.equal((await s.health()).pending, 0, 'nothing left behind')
})

t.test('reindex rebuilds the index from the database', async (t) => {
  const s = await setup(t)
  for (let i = 0; i < 7; i++) await s.call('package_create', { name: `d${i}`, title: `Dataset ${i}`, private: false })
  await sql`TRUNCATE search_document`.execute(s.db.kysely)
  t.equal((await s.call('package_search', {})).json().result.count, 0, 'index emptied')
  const progress: number[] = []
  const n = await s.app.indexer.reindexAll({ batch: 3, onProgress: (done) => void progress.push(done) })
  t.equal(n, 7)
  t.same(progress, [3, 6, 7], 'progress reported per batch')
  t.equal((await s.call('package_search', {})).json().result.count, 7, 'all back')
  t.equal(await s.index.count(), 7)

  // a write while the rebuild runs, to a dataset the rebuild has already copied, survives the swap
  const first = (await sql<{ id: string; name: string }>`SELECT id, name FROM package ORDER BY id LIMIT 1`.execute(s.db.kysely)).rows[0]
  await s.app.indexer.reindexAll({
    batch: 3,
    onProgress: async (done) => {
      if (done === 3) t.equal((await s.call('package_patch', { id: first.id, title: 'Cambiado durante la reconstrucción' })).statusCode, 200)
    },
  })
  const found = (await s.call('package_search', { q: 'reconstruccion' })).json().result
  t.same(
    found.results.map((r: any) => r.name),
    [first.name],
    'the concurrent change is in the rebuilt index',
  )
  t.equal((await s.call('package_search', {})).json().result.count, 7, 'and nothing was lost or duplicated')
  t.equal((await s.health()).pending, 0)
})

t.test('a dataset saved unchanged is queued for the index, as CKAN re-indexes on every update', async (t) => {
  const s = await setup(t)
  await s.call('package_create', { name: 'quieto', title: 'Quieto', notes: 'Presupuesto municipal' })
  const queued = sql<{ n: number }>`SELECT count(*)::int AS n FROM search_outbox o JOIN package p ON p.id = o.package_id WHERE p.name = 'quieto'`
  // the request flushes its own change; hold the flush back to see the queue
  s.index.down = true
  t.equal((await s.call('package_patch', { id: 'quieto' })).statusCode, 200)
  t.equal((await queued.execute(s.db.kysely)).rows[0].n, 1, 'package_patch {id} queued the dataset')
  s.index.down = false
  await s.makeDue()
  await s.app.indexer.applyDue()
  t.equal((await queued.execute(s.db.kysely)).rows[0].n, 0, 'and the indexer took it')
  t.equal((await (await s.call('package_search', { q: 'municipal' })).json()).result.count, 1, 'the document is still found')
})
