import t from 'tap'
import { world, type Role } from './roles-fixtures.js'

/**
 * Private, draft and deleted datasets must not surface anywhere for callers who may not read
 * them: no id, name, title, tag or resource URL in any read action's answer, and no count.
 */

t.test('hidden datasets never leak to anonymous callers or outsiders', async (t) => {
  const w = await world(t)
  await w.ok('package_create', { name: 'open-data', title: 'Open Data', owner_org: 'org1', tags: [{ name: 'common' }], groups: [{ name: 'group1' }], resources: [{ url: 'http://example.org/open.csv' }] })
  const hidden = [
    await w.dataset('private', 'hidden-private', { tags: [{ name: 'common' }, { name: 'privatesecret' }], groups: [{ name: 'group1' }] }),
    await w.dataset('draft', 'hidden-draft', { tags: [{ name: 'common' }, { name: 'draftsecret' }], groups: [{ name: 'group1' }] }),
    await w.dataset('deleted', 'hidden-deleted', { tags: [{ name: 'deletedsecret' }] }),
  ]
  // the group memberships of the hidden datasets (package_delete would have ended them; a direct state change keeps them)
  const secrets = hidden.flatMap((d) => [d.id, d.name, `Title of ${d.name}`, `http://example.org/${d.name}.csv`, d.resourceId])
  secrets.push('privatesecret', 'draftsecret', 'deletedsecret')

  const reads: [string, Record<string, unknown>][] = [
    ['package_list', {}],
    ['package_list', { include_private: true, include_drafts: true }],
    ['current_package_list_with_resources', {}],
    ['organization_show', { id: 'org1', include_datasets: true }],
    ['organization_show', { id: 'org1', include_datasets: true, include_users: true }],
    ['group_show', { id: 'group1', include_datasets: true }],
    ['organization_list', { all_fields: true }],
    ['organization_list', { sort: 'package_count' }],
    ['group_list', { all_fields: true }],
    ['tag_list', {}],
    ['tag_list', { all_fields: true }],
    ['tag_list', { query: 'secret' }],
    ['tag_show', { id: 'common', include_datasets: true }],
    ['member_list', { id: 'org1' }],
    ['member_list', { id: 'group1' }],
    ['member_list', { id: 'group1', object_type: 'package' }],
    ['organization_list_for_user', { include_dataset_count: true }],
    ['group_list_authz', {}],
  ]
  // user actions come from another part of the issue: checked once registered (400 = unknown action)
  for (const [name, body] of [
    ['user_show', { id: 'admin', include_datasets: true }],
    ['user_list', {}],
  ] as [string, Record<string, unknown>][]) {
    const probe = await w.call(name, body)
    t.comment(`${name}: ${probe.statusCode}`)
    if (probe.statusCode !== 400) reads.push([name, body])
  }
  const outsiders: Role[] = ['anonymous', 'registered', 'other_admin']
  for (const role of outsiders) {
    const token = w.token(role)
    for (const [name, body] of reads) {
      const res = await w.call(name, body, { token })
      t.equal(res.statusCode, 200, `${name} ${JSON.stringify(body)} as ${role}: ${res.statusCode}`)
      const leaked = secrets.filter((s) => res.body.includes(s))
      t.same(leaked, [], `${name} ${JSON.stringify(body)} as ${role} leaks nothing`)
    }
    // counts
    t.equal((await w.ok('organization_show', { id: 'org1' }, { token })).package_count, 1, `org1 counts 1 for ${role}`)
    t.equal((await w.ok('group_show', { id: 'group1' }, { token })).package_count, 1, `group1 counts 1 for ${role}`)
    const orgs = await w.ok('organization_list', { all_fields: true }, { token })
    t.equal(orgs.find((o: { name: string }) => o.name === 'org1').package_count, 1)
    const groups = await w.ok('group_list', { all_fields: true }, { token })
    t.equal(groups.find((g: { name: string }) => g.name === 'group1').package_count, 1)
    t.equal((await w.call('tag_show', { id: 'privatesecret' }, { token })).statusCode, 404, `a tag only hidden datasets carry does not exist for ${role}`)
    t.equal((await w.call('tag_show', { id: 'draftsecret' }, { token })).statusCode, 404)
    // direct reads are refused, without the title, tags or resources
    for (const d of hidden) {
      for (const ref of [d.id, d.name]) {
        const show = await w.call('package_show', { id: ref }, { token })
        t.equal(show.statusCode, 403, `package_show ${ref} as ${role}`)
        t.same(show.json().error, { __type: 'Authorization Error', message: `Access denied: User ${w.nameOf(role)} not authorized to read package ${d.id}` })
      }
      const res = await w.call('resource_show', { id: d.resourceId }, { token })
      t.equal(res.statusCode, 403)
      t.same(
        secrets.filter((s) => s !== d.resourceId && res.body.includes(s)),
        [],
        'resource_show leaks nothing',
      )
    }
  }

  // an organization member sees the private dataset in lists and counts, not the draft
  const token = w.token('member')
  const org = await w.ok('organization_show', { id: 'org1', include_datasets: true }, { token })
  t.same(org.packages.map((p: { name: string }) => p.name).sort(), ['hidden-private', 'open-data'])
  t.equal(org.package_count, 2)
  t.same(await w.ok('tag_list', { query: 'secret' }, { token }), ['privatesecret'])
  t.equal((await w.call('tag_show', { id: 'draftsecret' }, { token })).statusCode, 404)
  // the sysadmin and org editors see private datasets in org lists too
  t.equal((await w.ok('organization_show', { id: 'org1' }, { token: w.token('editor') })).package_count, 2)
  t.equal((await w.ok('organization_show', { id: 'org1' })).package_count, 2)
  const sysTags = await w.ok('tag_list', { query: 'secret' })
  t.same(sysTags, ['privatesecret'], 'lists follow package_search: active datasets only, even for sysadmins')
  // package_list never lists private datasets, whoever asks (CKAN)
  t.same(await w.ok('package_list', {}), ['open-data'])
})
