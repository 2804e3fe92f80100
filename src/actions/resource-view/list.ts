import { defineAction } from '../define.js'
import { userName } from '../context.js'
import { canReadResource, findDatastoreResource } from '../../datastore/access.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { listViews, viewDict } from '../../resource-views/store.js'
import { viewType } from '../../resource-views/view-types.js'

export default defineAction({
  name: 'resource_view_list',
  description: "Return the views of a resource (id), in their order. Who may read the resource (its dataset's visibility) may list them.",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' } } },
  auth: 'public',
  handler: async (ctx, p) => {
    const res = await findDatastoreResource(ctx, p.id)
    if (!res || res.state !== 'active') throw new NotFound()
    if (!(await canReadResource(ctx, res))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to read resource ${res.id}`)
    // as CKAN: views of a type no longer available are left out
    return (await listViews(ctx.db, res.id)).filter((v) => viewType(v.view_type)).map((v) => viewDict(v, res.package_id))
  },
})
