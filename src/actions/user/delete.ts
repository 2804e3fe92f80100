import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findUserRow, requireLoggedIn } from './dict.js'

export default defineAction({
  name: 'user_delete',
  description:
    'Delete a user (sysadmins only): its state becomes `deleted`, its organization/group memberships and dataset collaborations are removed, and its API tokens stop working. The name stays taken.\n\nParams: id (id or name). Returns null.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { id: { type: 'string', minLength: 1, description: 'id or name of the user' } },
  },
  auth: (ctx) => {
    requireLoggedIn(ctx, 'user_delete')
    if (!isSysadmin(ctx)) throw new NotAuthorized()
  },
  handler: async (ctx, p) => {
    await ctx.transaction(async (tx) => {
      const user = await findUserRow(tx.db, p.id)
      if (!user) throw new NotFound(`User "${p.id}" was not found.`)
      await tx.db.updateTable('user').set({ state: 'deleted' }).where('id', '=', user.id).execute()
      await tx.db.updateTable('member').set({ state: 'deleted' }).where('table_name', '=', 'user').where('table_id', '=', user.id).where('state', '!=', 'deleted').execute()
      await tx.db.deleteFrom('package_member').where('user_id', '=', user.id).execute()
    })
    return null
  },
})
