import t from 'tap'
import { ROLES, STATES, world, type Role } from '../auth/roles-fixtures.js'

// package_search must agree with package_show for every role: what show refuses never appears in
// results, counts or facets, whatever include_* flags the caller sends.
t.test('package_search shows each role exactly what package_show lets it read', async (t) => {
  const w = await world(t)
  const names: string[] = []
  for (const state of STATES) {
    const d = await w.dataset(state, `ds-${state}`, { tags: [{ name: `tag-${state}` }, { name: 'comun' }] })
    names.push(d.name)
  }

  const search = async (role: Role, params: Record<string, unknown>) => {
    const res = await w.call('package_search', { rows: 1000, 'facet.field': '["organization","tags"]', ...params }, { token: w.token(role) })
    t.equal(res.statusCode, 200, `${role} search ${JSON.stringify(params)}`)
    return res.json().result
  }

  for (const role of ROLES) {
    const readable: string[] = []
    for (const name of names) {
      const res = await w.call('package_show', { id: name }, { token: w.token(role) })
      if (res.statusCode === 200) readable.push(name)
    }
    const everything = await search(role, { include_private: true, include_drafts: true, include_deleted: true })
    const got = everything.results.map((r: { name: string }) => r.name).sort()
    t.same(got, [...readable].sort(), `${role}: search with every include_* flag = what show allows`)
    t.equal(everything.count, readable.length, `${role}: count`)
    t.equal(everything.facets.organization?.org1 ?? 0, readable.length, `${role}: organization facet counts only readable datasets`)
    t.equal(everything.facets.tags?.comun ?? 0, readable.length, `${role}: tag facet counts only readable datasets`)
    for (const state of STATES) {
      const visible = readable.includes(`ds-${state}`)
      t.equal(everything.facets.tags?.[`tag-${state}`] ?? 0, visible ? 1 : 0, `${role}: facet for the ${state} dataset`)
    }

    const plain = await search(role, {})
    t.same(
      plain.results.map((r: { name: string }) => r.name),
      ['ds-public'],
      `${role}: default search is public and active only`,
    )
    const priv = await search(role, { include_private: true })
    t.same(priv.results.map((r: { name: string }) => r.name).sort(), readable.filter((n) => n === 'ds-public' || n === 'ds-private').sort(), `${role}: include_private adds readable private datasets only`)
    const drafts = await search(role, { include_drafts: true })
    t.same(drafts.results.map((r: { name: string }) => r.name).sort(), readable.filter((n) => n === 'ds-public' || n === 'ds-draft').sort(), `${role}: include_drafts adds readable drafts only`)
  }

  // CKAN: a client `+state` filter replaces the state clause, still under the caller's labels
  const anonDraft = await search('anonymous', { fq: '+state:draft' })
  t.equal(anonDraft.count, 0, 'anonymous +state:draft sees nothing')
  const editorDraft = await search('editor', { fq: '+state:draft' })
  t.same(
    editorDraft.results.map((r: { name: string }) => r.name),
    ['ds-draft'],
    'an editor filtering +state:draft sees the draft',
  )
})

t.test('membership changes reach search at once (no reindex needed)', async (t) => {
  const w = await world(t)
  await w.dataset('private', 'secreto')
  const asRegistered = () => w.ok('package_search', { q: 'name:secreto', include_private: true }, { token: w.token('registered') })
  t.equal((await asRegistered()).count, 0, 'not a member: hidden')
  await w.ok('organization_member_create', { id: 'org1', username: 'registered', role: 'member' })
  t.equal((await asRegistered()).count, 1, 'made a member: visible')
  await w.ok('organization_member_delete', { id: 'org1', username: 'registered' })
  t.equal((await asRegistered()).count, 0, 'removed: hidden again')
})
