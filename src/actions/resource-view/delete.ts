import { defineAction } from '../define.js'
import { userName } from '../context.js'
import { actorOf } from '../../activity/record.js'
import { canEditPackage } from '../../auth/authz.js'
import { findDatastoreResource } from '../../datastore/access.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findView, recordViewActivity } from '../../resource-views/store.js'

export default defineAction({
  name: 'resource_view_delete',
  description: 'Delete a resource view (id). Needs the right to delete the resource. Returns {resource_id} of the view, as CKAN 2.11 does.',
  sideEffectFree: false,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' } } },
  // resource_delete's rule on the view's resource; an unknown view is the handler's 404
  auth: async (ctx, p) => {
    const view = await findView(ctx.db, p.id)
    const res = view ? await findDatastoreResource(ctx, view.resource_id) : undefined
    if (res && !(await canEditPackage(ctx, res.pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to delete resource ${res.id}`)
  },
  handler: async (ctx, p) =>
    ctx.transaction(async (tx) => {
      const view = await findView(tx.db, p.id)
      if (!view) throw new NotFound()
      const res = await findDatastoreResource(tx, view.resource_id)
      if (!res) throw new NotFound()
      await tx.db.deleteFrom('resource_view').where('id', '=', view.id).execute()
      const actor = actorOf(tx)
      if (actor) await recordViewActivity(tx.db, actor, 'deleted', { id: view.id, resource_id: view.resource_id }, res.package_id)
      return { resource_id: view.resource_id }
    }),
})
