import t from 'tap'
import { world } from './roles-fixtures.js'

/**
 * An authenticated read of a private dataset costs no more database round trips than one of a
 * public dataset: the caller's roles are memoized until the next write.
 */
t.test('roles are loaded once and reused until a write', async (t) => {
  // the search outbox worker polls through the same pool: off, so only the shows are counted
  const w = await world(t, undefined, { indexWorker: false })
  const pub = await w.dataset('public', 'cost-public')
  const priv = await w.dataset('private', 'cost-private')
  let acquired = 0
  w.db.pool.on('acquire', () => acquired++)
  const token = w.token('member')
  const measure = async (id: string, n: number) => {
    const before = acquired
    const started = process.hrtime.bigint()
    for (let i = 0; i < n; i++) {
      const res = await w.call('package_show', { id }, { token })
      if (res.statusCode !== 200) throw new Error(res.body)
    }
    return { queries: acquired - before, ms: Number(process.hrtime.bigint() - started) / 1e6 }
  }
  await measure(pub.id, 5)
  await measure(priv.id, 5)
  const b0 = await measure(priv.id, 200)
  const a0 = await measure(pub.id, 200)
  const a = await measure(pub.id, 200)
  const b = await measure(priv.id, 200)
  t.comment(`warm-up: private ${b0.ms.toFixed(1)} ms, public ${a0.ms.toFixed(1)} ms`)
  t.comment(`public: ${a.queries} checkouts, ${a.ms.toFixed(1)} ms; private: ${b.queries} checkouts, ${b.ms.toFixed(1)} ms (200 shows each)`)
  t.equal(b.queries, a.queries, 'a private show costs the same round trips as a public one')
  // a write drops the memo: the next read sees the new roles
  await w.ok('organization_member_delete', { id: 'org1', username: 'member' })
  t.equal((await w.call('package_show', { id: priv.id }, { token })).statusCode, 403)
})
