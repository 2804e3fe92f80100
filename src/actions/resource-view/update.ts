import { defineAction } from '../define.js'
import type { ActionContext } from '../context.js'
import { isSysadmin, userName } from '../context.js'
import { actorOf } from '../../activity/record.js'
import { canEditPackage } from '../../auth/authz.js'
import { findDatastoreResource } from '../../datastore/access.js'
import { NotAuthorized, NotFound, ValidationError } from '../../errors.js'
import { resourceOwner } from '../../resource-views/create.js'
import { findView, recordViewActivity, updateView, viewDict, viewExists } from '../../resource-views/store.js'
import { validateViewInput } from '../../resource-views/validate.js'
import { viewType } from '../../resource-views/view-types.js'

/**
 * resource_update's rule on the view's resource and, when resource_id moves the view, on the
 * target too (CKAN checks only the resource named in the input). Unknown views and resources are
 * left to the handler's 404 and validation.
 */
async function authorizeUpdate(ctx: ActionContext, id: string, target: unknown): Promise<void> {
  const view = await findView(ctx.db, id)
  if (!view) return
  for (const rid of new Set([view.resource_id, typeof target === 'string' ? target : view.resource_id])) {
    const res = await findDatastoreResource(ctx, rid)
    if (res && res.state === 'active' && !(await canEditPackage(ctx, res.pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to edit resource ${rid}`)
  }
}

export default defineAction({
  name: 'resource_view_update',
  description:
    "Update a resource view (id) and return its dict. As CKAN: title, description and resource_id are changed only when given; the view type's own keys are replaced by those given (omitted ones fall back to their defaults); view_type cannot change. Needs the right to edit the resource (and the target resource when resource_id moves the view).",
  sideEffectFree: false,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' }, resource_id: {}, title: {}, description: {} } },
  auth: (ctx, p) => authorizeUpdate(ctx, p.id, p.resource_id),
  handler: async (ctx, p) =>
    ctx.transaction(async (tx) => {
      const view = await findView(tx.db, p.id)
      if (!view) throw new NotFound()
      const type = viewType(view.view_type)
      if (!type) throw new NotFound()
      const { data, errors } = await validateViewInput(p as Record<string, unknown>, type, {
        mode: 'update',
        sysadmin: isSysadmin(tx),
        resourceExists: async (id) => (await resourceOwner(tx, id)) !== undefined,
        viewExists: (id) => viewExists(tx.db, id),
      })
      if (Object.keys(errors).length > 0) throw new ValidationError(errors)
      if (!(await resourceOwner(tx, view.resource_id))) throw new NotFound('Resource was not found.')
      const row = await updateView(tx.db, view.id, data)
      const packageId = (await resourceOwner(tx, row.resource_id))!
      const actor = actorOf(tx)
      if (actor) await recordViewActivity(tx.db, actor, 'changed', row, packageId)
      return viewDict(row, packageId)
    }),
})
