import { defineAction } from '../define.js'
import { userName } from '../context.js'
import { canEditPackage } from '../../auth/authz.js'
import { findDatastoreResource } from '../../datastore/access.js'
import { NotAuthorized, NotFound, ValidationError } from '../../errors.js'
import { listViews } from '../../resource-views/store.js'

export default defineAction({
  name: 'resource_view_reorder',
  description: "Reorder a resource's views: id (the resource), order (view ids to put first, in that order; the others follow in their current order). Returns {id, order}.",
  sideEffectFree: false,
  params: { type: 'object', required: ['id', 'order'], additionalProperties: true, properties: { id: { type: 'string' }, order: { description: 'a list of view ids' } } },
  // resource_update's rule on the resource; an unknown one is the handler's 404
  auth: async (ctx, p) => {
    const res = await findDatastoreResource(ctx, p.id)
    if (res && res.state === 'active' && !(await canEditPackage(ctx, res.pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to edit resource ${res.id}`)
  },
  handler: async (ctx, p) => {
    if (!Array.isArray(p.order)) throw new ValidationError({ order: 'Must supply order as a list' })
    const order = p.order as unknown[]
    if (new Set(order.map((v) => JSON.stringify(v))).size !== order.length) throw new ValidationError({ order: 'No duplicates allowed in order' })
    return ctx.transaction(async (tx) => {
      const res = await findDatastoreResource(tx, p.id)
      if (!res || res.state !== 'active') throw new NotFound('Resource was not found.')
      const rest = (await listViews(tx.db, res.id)).map((v) => v.id)
      const first: string[] = []
      for (const v of order) {
        const i = typeof v === 'string' ? rest.indexOf(v) : -1
        if (i < 0) throw new ValidationError({ order: `View ${String(v)} does not exist` })
        first.push(...rest.splice(i, 1))
      }
      const ids = [...first, ...rest]
      for (const [n, id] of ids.entries())
        await tx.db
          .updateTable('resource_view')
          .set({ order: n + 1 })
          .where('id', '=', id)
          .execute()
      return { id: p.id, order: ids }
    })
  },
})
