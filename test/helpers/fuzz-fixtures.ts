/** A user, an organization, a group and a dataset with a resource: names and ids the fuzzer reuses to reach past "Not found". */
export async function createFixtures(app: { ok: (name: string, body: Record<string, unknown>) => Promise<any> }): Promise<string[]> {
  const user = await app.ok('user_create', { name: 'fz-user', email: 'fz@example.org', password: 'fz-password-1' })
  const org = await app.ok('organization_create', { name: 'fz-org', users: [{ name: 'fz-user', capacity: 'editor' }] })
  const group = await app.ok('group_create', { name: 'fz-group' })
  const dataset = await app.ok('package_create', {
    name: 'fz-dataset',
    owner_org: 'fz-org',
    tags: [{ name: 'fz' }],
    extras: [{ key: 'fz', value: '1' }],
    groups: [{ name: 'fz-group' }],
    resources: [{ url: 'http://example.org/fz.csv', format: 'CSV' }],
  })
  return ['fz-user', user.id, 'fz-org', org.id, 'fz-group', group.id, 'fz-dataset', dataset.id, dataset.resources[0].id, 'admin']
}
