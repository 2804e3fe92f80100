import { defineAction } from '../define.js'
import { isSysadmin, type ActionContext } from '../context.js'
import { NotAuthorized, ValidationError } from '../../errors.js'
import { revokeToken, tokenIdFor } from '../../auth/tokens.js'
import { requireLoggedIn } from '../user/dict.js'

async function tokenId(ctx: ActionContext, p: { jti?: string; token?: string }): Promise<string | null> {
  if (p.jti) return p.jti
  if (!p.token) throw new ValidationError({ token: ['Missing value'] })
  return tokenIdFor(ctx.db, p.token)
}

export default defineAction({
  name: 'api_token_revoke',
  description:
    'Revoke (delete) an API token: one of your own, or any if you are a sysadmin. An unknown token is refused exactly like one that is not yours.\n\nParams: jti (the token id, from api_token_list) or token (the token itself). Returns null.',
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      jti: { type: 'string', description: 'token id' },
      token: { type: 'string', description: 'the token itself' },
    },
  },
  auth: async (ctx, p) => {
    const id = await tokenId(ctx, p)
    requireLoggedIn(ctx, 'api_token_revoke')
    if (isSysadmin(ctx)) return
    const owner = id === null ? undefined : await ctx.db.selectFrom('api_token').select('user_id').where('id', '=', id).executeTakeFirst()
    if (!owner || owner.user_id !== ctx.caller.user?.id) throw new NotAuthorized()
  },
  handler: async (ctx, p) => {
    const id = await tokenId(ctx, p)
    if (id !== null) await revokeToken(ctx.db, id)
    return null
  },
})
