import { ValidationError } from '../../errors.js'
import type { ActionContext } from '../context.js'
import { isSysadmin } from '../context.js'
import { defineAction } from '../define.js'
import { groupDict, type DictizeOptions, type GroupDict } from '../../model/group-dict.js'
import { validateGroup } from '../../model/group-validate.js'
import { saveMembers, updateGroupRow } from '../../model/group-save.js'
import { GROUP, requireGroup, requireGroupPermission, type GroupKind } from './kind.js'
import { GROUP_FIELDS } from './fields.js'
import { actorOf, recordGroupActivity } from '../../activity/record.js'

/** CKAN answers an update with group_dictize's defaults, not with *_show: datasets page included, no num_followers. */
const UPDATE_RESULT: DictizeOptions = {
  packages: 'datasets',
  extras: true,
  tags: true,
  groups: 'full',
  users: true,
  memberCount: false,
  numFollowers: false,
}

/**
 * Shared by *_update and *_patch. `partial` (patch) keeps member lists that are not given; a full
 * update drops users and parent groups it does not list, as CKAN does.
 */
export async function updateGroup(ctx: ActionContext, kind: GroupKind, data: Record<string, unknown>, partial: boolean): Promise<GroupDict> {
  const group = await requireGroup(ctx, kind, String(data.id), 'Group was not found.')
  if (data.type !== undefined && data.type !== null && data.type !== group.type) throw ValidationError.message('Type cannot be updated')
  const input = await validateGroup(ctx.db, data, { mode: 'update', sysadmin: isSysadmin(ctx), existing: group })
  const updated = await updateGroupRow(ctx.db, group, input)
  // datasets change only when `packages` is sent, and never for an organization (owner_org decides there)
  if (!kind.isOrganization && 'packages' in data) await saveMembers(ctx.db, group.id, 'package', input.packages, partial)
  await saveMembers(ctx.db, group.id, 'user', input.users, partial)
  await saveMembers(ctx.db, group.id, 'group', input.groups, partial)
  const actor = actorOf(ctx)
  if (actor) await recordGroupActivity(ctx.db, actor, 'changed', updated)
  return groupDict(ctx, updated, UPDATE_RESULT)
}

export function updateAction(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_update`,
    description: `Update ${kind.isOrganization ? 'an organization' : 'a group'}. Fields not given keep their value, but users and parent groups not listed are removed (use ${noun}_patch to change single fields). :param id: the id or name.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${noun}` }, ...GROUP_FIELDS },
    },
    auth: requireGroupPermission(kind, 'update', `edit ${noun}`, 'Group was not found.'),
    handler: async (ctx, p) => ctx.transaction(async (tx) => updateGroup(tx, kind, p, false)),
  })
}

export default updateAction(GROUP)
