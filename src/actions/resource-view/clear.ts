import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized, ValidationError } from '../../errors.js'
import { listIfString } from '../../resource-views/rules.js'

export default defineAction({
  name: 'resource_view_clear',
  description: 'Delete every resource view of the site, or only those of the given view_types (a list). Sysadmins only. Returns null.',
  sideEffectFree: false,
  params: { type: 'object', additionalProperties: true, properties: { view_types: { description: 'view types to delete (default: all)' } } },
  auth: (ctx) => {
    // CKAN's auth function refuses without a message: only sysadmins pass
    if (!isSysadmin(ctx)) throw new NotAuthorized()
  },
  handler: async (ctx, p) => {
    const types = listIfString(p.view_types)
    if (!types.every((t) => typeof t === 'string')) throw new ValidationError({ view_types: ['Not a list of strings'] })
    let q = ctx.db.deleteFrom('resource_view')
    if (types.length > 0) q = q.where('view_type', 'in', types as string[])
    await q.execute()
    return null
  },
})
