import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { containsPattern } from './dict.js'

export default defineAction({
  name: 'user_autocomplete',
  description: 'Return up to `limit` (20) users whose name or full name (or e-mail, for sysadmins) contains `q`, as {id, name, fullname}, by name.\n\nParams: q (required), limit, ignore_self (leave the caller out).',
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['q'],
    additionalProperties: true,
    properties: {
      q: { type: 'string' },
      limit: { type: 'integer', minimum: 0, default: 20 },
      ignore_self: { type: 'boolean', default: false },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const pattern = containsPattern(p.q)
    const sysadmin = isSysadmin(ctx)
    let q = ctx.db
      .selectFrom('user')
      .select(['id', 'name', 'fullname'])
      .where('state', '!=', 'deleted')
      .where((eb) => eb.or([eb('name', 'ilike', pattern), eb('fullname', 'ilike', pattern), ...(sysadmin ? [eb('email', 'ilike', pattern)] : [])]))
    if (p.ignore_self && ctx.caller.user) q = q.where('name', '!=', ctx.caller.user.name)
    return q.orderBy('name').limit(p.limit).execute()
  },
})
