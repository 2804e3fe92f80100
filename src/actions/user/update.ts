import { recordUserActivity } from '../../activity/record.js'
import { defineAction } from '../define.js'
import { isSysadmin, userName, type ActionContext } from '../context.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import type { UserRow } from '../../db/schema.js'
import { findUserRow, isSelf } from './dict.js'
import { showUser } from './show.js'
import { validateUser } from './validate.js'
import { updateUserRow } from './save.js'
import { USER_FIELDS } from './fields.js'

/** CKAN's user_update auth: the user themself or a sysadmin. */
export function requireEditUser(ctx: ActionContext, user: UserRow): void {
  if (isSysadmin(ctx) || isSelf(ctx, user)) return
  if (!ctx.caller.user) throw new NotAuthorized('Have to be logged in to edit user')
  throw new NotAuthorized(`User ${userName(ctx)} not authorized to edit user ${user.id}`)
}

export default defineAction({
  name: 'user_update',
  description:
    'Update a user account: the user themself or a sysadmin.\n\nParams: id (id or name) and the user fields of user_create; `email` is required. Only the fields sent change; an empty password keeps the old one. Renaming is for sysadmins (and pending users). Nobody may change their own sysadmin flag.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { ...USER_FIELDS, id: { type: 'string', minLength: 1, description: 'id or name of the user' } },
  },
  // the existence check comes first: an unknown user is a 404 for everyone
  auth: async (ctx, p) => {
    const user = await findUserRow(ctx.db, p.id)
    if (!user) throw new NotFound('User was not found.')
    requireEditUser(ctx, user)
  },
  handler: async (ctx, p) =>
    ctx.transaction(async (tx) => {
      const user = await findUserRow(tx.db, p.id)
      if (!user) throw new NotFound('User was not found.')
      const input = await validateUser(tx, p, user)
      const saved = await updateUserRow(tx.db, user, input)
      if (tx.config.activityStreamsEnabled) await recordUserActivity(tx.db, 'changed', user.id)
      return showUser(tx, saved, { includePluginExtras: isSysadmin(tx) && input.plugin_extras !== undefined })
    }),
})
