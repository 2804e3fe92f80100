import { defineAction, type AnyAction } from '../define.js'
import { isSysadmin, userName } from '../context.js'
import { NotAuthorized, ValidationError } from '../../errors.js'
import { findGroup } from '../../model/group-dict.js'
import { findUser } from '../../auth/users.js'
import { hasGroupPermission, ROLE_PERMISSIONS } from '../../auth/authz.js'
import { requireMemberEdit } from './auth.js'

/**
 * organization_member_create / group_member_create: give a user a role in a group (upsert), then
 * member_create does the write (and its own checks, such as an admin demoting themself).
 */
function memberCreate(noun: 'organization' | 'group'): AnyAction {
  return defineAction({
    name: `${noun}_member_create`,
    description: `Make a user a member of ${noun === 'organization' ? 'an organization' : 'a group'} with a role, or change their role. Needs admin rights on it. Returns the membership {id, table_name, table_id, capacity, group_id, state}. :param id: the ${noun}'s id or name. :param username: the user's name or id. :param role: 'admin', 'editor' or 'member'.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['id', 'username', 'role'],
      additionalProperties: true,
      properties: {
        id: { type: 'string', description: `id or name of the ${noun}` },
        username: { type: 'string', description: 'name or id of the user' },
        role: { type: 'string', description: "'admin', 'editor' or 'member'" },
      },
    },
    auth: async (ctx, p) => {
      // sysadmins pass every auth function in CKAN: an unknown group is then the handler's validation error
      if (isSysadmin(ctx)) return
      const group = await findGroup(ctx.db, p.id)
      if (!group || !(await hasGroupPermission(ctx, group.id, 'membership'))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to add members`)
    },
    handler: async (ctx, p) => {
      const errors: Record<string, string[]> = {}
      const group = p.id ? await findGroup(ctx.db, p.id) : undefined
      if (!p.id) errors.id = ['Missing value']
      else if (!group) errors.id = ['That group name or ID does not exist.']
      const user = p.username ? await findUser(ctx.db, p.username) : undefined
      if (!p.username) errors.username = ['Missing value']
      else if (!user) errors.username = ['User not found']
      if (!p.role) errors.role = ['Missing value']
      else if (!(p.role in ROLE_PERMISSIONS)) errors.role = ['role does not exist.']
      if (Object.keys(errors).length > 0) throw new ValidationError(errors)
      return ctx.call('member_create', { id: group!.id, object: user!.id, object_type: 'user', capacity: p.role })
    },
  })
}

function memberDelete(noun: 'organization' | 'group'): AnyAction {
  return defineAction({
    name: `${noun}_member_delete`,
    description: `Remove a user from ${noun === 'organization' ? 'an organization' : 'a group'} (through member_delete: needs admin rights on it). Returns null, also when the user was not a member. :param id: the ${noun}'s id or name. :param username: the user's name or id (also user_id).`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: {
        id: { type: 'string', description: `id or name of the ${noun}` },
        username: { type: 'string', description: 'name or id of the user' },
        user_id: { type: 'string', description: 'same as username' },
      },
    },
    // the rule member_delete applies (the handler calls it, which checks again)
    auth: async (ctx, p) => void (await requireMemberEdit(ctx, { id: p.id, object_type: 'user' })),
    handler: async (ctx, p) => {
      const username = p.username ?? p.user_id
      if (!username) throw new ValidationError({ username: ['Missing value'] })
      await ctx.call('member_delete', { id: p.id, object: username, object_type: 'user' })
      return null
    },
  })
}

export const organizationMemberCreate = memberCreate('organization')
export const groupMemberCreate = memberCreate('group')
export const organizationMemberDelete = memberDelete('organization')
export const groupMemberDelete = memberDelete('group')
