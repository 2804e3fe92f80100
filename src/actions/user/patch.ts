import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findUserRow } from './dict.js'
import { showUser } from './show.js'
import { requireEditUser } from './update.js'
import { USER_FIELDS } from './fields.js'

export default defineAction({
  name: 'user_patch',
  description: 'Update some fields of a user account, leaving the others unchanged (user_show, overlay the given keys, user_update). Same rules as user_update.\n\nParams: id (id or name) and any user fields.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { ...USER_FIELDS, id: { type: 'string', minLength: 1, description: 'id or name of the user' } },
  },
  // CKAN checks user_update's auth before looking the user up: others get 403 "User not found"
  auth: async (ctx, p) => {
    const user = await findUserRow(ctx.db, p.id)
    if (!user) {
      if (isSysadmin(ctx)) return
      throw new NotAuthorized('User not found')
    }
    requireEditUser(ctx, user)
  },
  handler: async (ctx, p) =>
    ctx.transaction(async (tx) => {
      const user = await findUserRow(tx.db, p.id)
      if (!user) throw new NotFound()
      const { display_name: _d, ...current } = await showUser(tx, user)
      return tx.call('user_update', { ...current, ...p })
    }),
})
