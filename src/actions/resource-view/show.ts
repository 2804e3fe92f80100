import { defineAction } from '../define.js'
import { userName } from '../context.js'
import { canReadResource, findDatastoreResource } from '../../datastore/access.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findView, viewDict } from '../../resource-views/store.js'

export default defineAction({
  name: 'resource_view_show',
  description: "Return a resource view's dict. Who may read the resource (its dataset's visibility) may read its views.",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' } } },
  auth: 'public',
  handler: async (ctx, p) => {
    const view = await findView(ctx.db, p.id)
    if (!view) throw new NotFound('Resource view not found, cannot check auth.')
    const res = await findDatastoreResource(ctx, view.resource_id)
    if (!res || res.state !== 'active') throw new NotFound()
    if (!(await canReadResource(ctx, res))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to read resource ${res.id}`)
    return viewDict(view, res.package_id)
  },
})
