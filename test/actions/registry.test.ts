import t from 'tap'
import { defaultRegistry } from '../../src/actions/registry.js'

// Fail closed: a missing schema or auth rule fails the suite, not a request.
const WRITE_PREFIXES = /_(create|update|patch|revise|delete|purge|reorder)$|^member_(create|delete)$/

t.test('every action declares name, description, params schema, auth and a GET flag that fits', async (t) => {
  const actions = defaultRegistry().all()
  t.ok(actions.length >= 39, `${actions.length} actions registered`)
  for (const a of actions) {
    t.match(a.name, /^[a-z_]+$/, `${a.name}: name`)
    t.ok(a.description.length > 10, `${a.name}: description for help_show`)
    t.equal((a.params as { type?: string }).type, 'object', `${a.name}: params is an object schema`)
    t.ok(a.auth === 'public' || typeof a.auth === 'function', `${a.name}: explicit auth rule`)
    if (WRITE_PREFIXES.test(a.name)) {
      t.equal(a.sideEffectFree, false, `${a.name} writes, so it is POST-only`)
      t.type(a.auth, 'function', `${a.name} writes, so it has an auth rule`)
    }
  }
})

t.test('the foundation catalogue is complete', async (t) => {
  const names = new Set(
    defaultRegistry()
      .all()
      .map((a) => a.name),
  )
  for (const n of [
    'site_read',
    'status_show',
    'help_show',
    'license_list',
    'package_list',
    'current_package_list_with_resources',
    'package_show',
    'package_create',
    'package_update',
    'package_patch',
    'package_revise',
    'package_delete',
    'dataset_purge',
    'package_purge',
    'package_owner_org_update',
    'resource_show',
    'resource_create',
    'resource_update',
    'resource_patch',
    'resource_delete',
    'package_resource_reorder',
    'organization_list',
    'group_list',
    'organization_show',
    'group_show',
    'organization_create',
    'organization_update',
    'organization_patch',
    'organization_delete',
    'organization_purge',
    'group_create',
    'group_update',
    'group_patch',
    'group_delete',
    'group_purge',
    'member_create',
    'member_delete',
    'tag_list',
    'tag_show',
  ])
    t.ok(names.has(n), n)
})
