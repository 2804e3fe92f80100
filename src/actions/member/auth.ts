import type { ActionContext } from '../context.js'
import { userName } from '../context.js'
import { hasGroupPermission } from '../../auth/authz.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findGroup } from '../../model/group-dict.js'
import type { GroupRow } from '../../db/schema.js'

/**
 * member_create/member_delete auth (CKAN's auth member_create): editing a group's members needs
 * 'update' (its admins), except that any member of a (non-organization) group may add or remove
 * datasets ('manage_group').
 */
export async function requireMemberEdit(ctx: ActionContext, p: { id: string; object_type?: string }): Promise<GroupRow> {
  const group = await findGroup(ctx.db, p.id)
  if (!group) throw new NotFound('Group was not found.')
  const permission = !group.is_organization && p.object_type === 'package' ? 'manage_group' : 'update'
  if (!(await hasGroupPermission(ctx, group.id, permission))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to edit group`)
  return group
}
