import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotFound } from '../../errors.js'
import { findGroup } from '../../model/group-dict.js'
import { findUser } from '../../auth/users.js'
import { callerRoles, roleGrants, visiblePackages } from '../../auth/authz.js'
import { showGroup } from '../group/show.js'
import type { GroupRow } from '../../db/schema.js'
import type { ActionContext } from '../context.js'

const ROLE_LABELS: Record<string, string> = { admin: 'Admin', editor: 'Editor', member: 'Member' }

export const memberList = defineAction({
  name: 'member_list',
  description:
    "Return the members of a group or organization as [id, type, capacity] triples; a role is given by its label (Admin, Editor, Member). Datasets are listed only when the caller may see them (an organization's datasets are the ones it owns, capacity 'organization'). :param id: the group's id or name. :param object_type: 'user', 'package' or 'group' (default all). :param capacity: only members with this capacity.",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: 'id or name of the group or organization' },
      object_type: { type: 'string', description: "'user', 'package' or 'group'" },
      capacity: { type: 'string', description: 'only this capacity' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const group = await findGroup(ctx.db, p.id)
    if (!group || group.state === 'deleted') throw new NotFound('Group was not found.')
    const out: [string, string, string][] = []
    const wants = (t: string) => !p.object_type || p.object_type === t
    if (wants('user') || wants('group') || (wants('package') && !group.is_organization)) {
      const rows = await ctx.db
        .selectFrom('member')
        .select(['table_id', 'table_name', 'capacity'])
        .where('group_id', '=', group.id)
        .where('state', '=', 'active')
        .$if(!!p.object_type, (q) => q.where('table_name', '=', p.object_type as 'user'))
        .$if(!!p.capacity, (q) => q.where('capacity', '=', p.capacity!))
        // datasets: only the ones this caller may see
        .where((eb) =>
          eb.or([
            eb('table_name', '!=', 'package'),
            eb(
              'table_id',
              'in',
              eb
                .selectFrom('package')
                .select('package.id')
                .where(visiblePackages(ctx, { includePrivate: true })),
            ),
          ]),
        )
        .orderBy('table_name')
        .orderBy('table_id')
        .execute()
      for (const r of rows) out.push([r.table_id, r.table_name, ROLE_LABELS[r.capacity] ?? r.capacity])
    }
    if (group.is_organization && wants('package') && (!p.capacity || p.capacity === 'organization')) {
      const rows = await ctx.db
        .selectFrom('package')
        .select('package.id')
        .where('package.owner_org', '=', group.id)
        .where(visiblePackages(ctx, { includePrivate: true }))
        .orderBy('package.id')
        .execute()
      for (const r of rows) out.push([r.id, 'package', 'organization'])
    }
    return out
  },
})

export const memberRolesList = defineAction({
  name: 'member_roles_list',
  description: "Return the roles a user may have in an organization ([{text, value}]: Admin, Editor, Member); groups have no Editor. :param group_type: 'organization' (default) or 'group'.",
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: { group_type: { type: 'string', description: "'organization' (default) or 'group'" } } },
  auth: 'public',
  handler: async (_ctx, p) => {
    const roles = ['admin', 'editor', 'member'].filter((r) => !(p.group_type === 'group' && r === 'editor'))
    return roles.map((r) => ({ text: ROLE_LABELS[r], value: r }))
  },
})

async function groupsDicts(ctx: ActionContext, rows: (GroupRow & { capacity: string })[], flags: Record<string, unknown>) {
  const out = []
  for (const row of rows) {
    const { capacity, ...group } = row
    out.push({ ...(await showGroup(ctx, group, { include_dataset_count: (flags.include_dataset_count as boolean | undefined) ?? false, include_member_count: (flags.include_member_count as boolean | undefined) ?? false }, true)), capacity })
  }
  return out
}

function byTitle(a: GroupRow, b: GroupRow): number {
  const ta = (a.title || a.name).toLowerCase()
  const tb = (b.title || b.name).toLowerCase()
  return ta < tb ? -1 : ta > tb ? 1 : a.name < b.name ? -1 : 1
}

export const organizationListForUser = defineAction({
  name: 'organization_list_for_user',
  description:
    "Return the organizations where a user has a role granting a permission, each as in organization_list all_fields plus its `capacity`. Sysadmins get every organization (capacity 'admin'). :param id: the user's name or id (default: the caller). :param permission: 'manage_group' (default: any role), 'read', 'create_dataset', 'update_dataset', 'delete_dataset', 'admin'... :param include_dataset_count, include_member_count: default false.",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: "the user's name or id (default: the caller)" },
      permission: { description: "default 'manage_group'; a permission no role has (of any type) matches admins only" },
      include_dataset_count: { type: 'boolean' },
      include_member_count: { type: 'boolean' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    let user = ctx.caller.user
    if (p.id) {
      const found = await findUser(ctx.db, p.id)
      if (!found) throw new NotFound('User not found')
      user = found
    }
    if (!user || user.state !== 'active') return []
    // CKAN's data_dict.get('permission', 'manage_group'): only a missing key takes the default;
    // '', null or a number name no permission, which admins alone hold (get_roles_with_permission)
    const permission = p.permission === undefined ? 'manage_group' : p.permission
    const orgs = await ctx.db.selectFrom('group').selectAll().where('is_organization', '=', true).where('state', '=', 'active').execute()
    let rows: (GroupRow & { capacity: string })[]
    if (user.sysadmin) {
      rows = orgs.map((o) => ({ ...o, capacity: 'admin' }))
    } else {
      const roles = await callerRoles({ ...ctx, caller: { user } })
      rows = orgs.flatMap((o) => {
        const cap = roles.groups.get(o.id)?.capacity
        return cap && (typeof permission === 'string' ? roleGrants(cap, permission) : roleGrants(cap, 'admin')) ? [{ ...o, capacity: cap }] : []
      })
    }
    rows.sort(byTitle)
    return groupsDicts(ctx, rows, p)
  },
})

export const groupListAuthz = defineAction({
  name: 'group_list_authz',
  description:
    'Return the groups (not organizations) the caller may add datasets to (any role in them; sysadmins: all groups unless am_member), as group_list all_fields dicts with `capacity`. Anonymous callers get []. :param am_member: only groups the caller is a member of. :param available_only: leave out the groups of the dataset named in `package_id`/`id`.',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      available_only: { type: 'boolean' },
      am_member: { type: 'boolean' },
      package_id: { type: 'string', description: 'with available_only: the dataset whose groups are left out' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const user = ctx.caller.user
    if (!user) return []
    const groups = await ctx.db.selectFrom('group').selectAll().where('is_organization', '=', false).where('state', '=', 'active').execute()
    const roles = await callerRoles(ctx)
    let rows: (GroupRow & { capacity: string })[] = groups.flatMap((g) => {
      const cap = roles.groups.get(g.id)?.capacity
      if (cap && roleGrants(cap, 'manage_group')) return [{ ...g, capacity: cap }]
      if (isSysadmin(ctx) && !p.am_member) return [{ ...g, capacity: 'admin' }]
      return []
    })
    if (p.available_only && p.package_id) {
      const current = await ctx.db
        .selectFrom('member')
        .innerJoin('package', 'package.id', 'member.table_id')
        .select('member.group_id')
        .where('member.table_name', '=', 'package')
        .where('member.state', '=', 'active')
        .where((eb) => eb.or([eb('package.id', '=', p.package_id!), eb('package.name', '=', p.package_id!)]))
        .execute()
      const ids = new Set(current.map((c) => c.group_id))
      rows = rows.filter((r) => !ids.has(r.id))
    }
    rows.sort(byTitle)
    return groupsDicts(ctx, rows, { include_dataset_count: true })
  },
})
