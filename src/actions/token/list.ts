import { defineAction } from '../define.js'
import { NotFound, ValidationError } from '../../errors.js'
import { findUserRow } from '../user/dict.js'
import { requireOwnTokens } from './create.js'

function userRef(p: { user_id?: string; user?: string }): string {
  const ref = p.user_id || p.user
  if (!ref) throw new ValidationError({ user_id: ['Missing value'] })
  return ref
}

export default defineAction({
  name: 'api_token_list',
  description: "Return a user's API tokens, oldest first, as {id, name, user_id, created_at, last_access} (never the token itself). Your own only, unless you are a sysadmin.\n\nParams: user_id (id or name; `user` also accepted).",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      user_id: { type: 'string', description: 'id or name of the user' },
      user: { type: 'string', description: 'legacy alias of user_id' },
    },
  },
  // CKAN authorizes before the existence check: an unknown user is a 403 for non-sysadmins
  auth: async (ctx, p) => requireOwnTokens(ctx, await findUserRow(ctx.db, userRef(p))),
  handler: async (ctx, p) => {
    const user = await findUserRow(ctx.db, userRef(p))
    if (!user) throw new NotFound('User not found')
    return ctx.db.selectFrom('api_token').select(['id', 'name', 'user_id', 'created_at', 'last_access']).where('user_id', '=', user.id).orderBy('created_at').orderBy('id').execute()
  },
})
