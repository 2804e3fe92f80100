import { defineAction } from '../define.js'
import { requireEditPackage } from '../../auth/authz.js'
import { ValidationError } from '../../errors.js'
import { reviseResources } from '../resource/write.js'

export default defineAction({
  name: 'package_resource_reorder',
  description: "Reorder a dataset's resources: `order` lists resource ids to put first, in that order; the others keep their relative order after them. Returns {id, order}.",
  sideEffectFree: false,
  params: { type: 'object', required: ['id', 'order'], additionalProperties: true, properties: { id: { type: 'string' }, order: {} } },
  auth: async (ctx, p) => void (await requireEditPackage(ctx, p.id)),
  handler: async (ctx, p) => {
    if (!Array.isArray(p.order) || !p.order.every((x) => typeof x === 'string')) throw new ValidationError({ order: 'Must be a list of resource' })
    const order = p.order as string[]
    if (new Set(order).size !== order.length) throw new ValidationError({ order: 'Must supply unique resource_ids' })
    const { dataset } = await reviseResources(ctx, p.id, (resources) => {
      const byId = new Map(resources.map((r) => [r.id as string, r]))
      for (const id of order) if (!byId.has(id)) throw new ValidationError({ order: `resource_id ${id} can not be found` })
      const first = order.map((id) => byId.get(id)!)
      const rest = resources.filter((r) => !order.includes(r.id as string))
      return { resources: [...first, ...rest], index: null }
    })
    return { id: p.id, order: (dataset.resources as { id: string }[]).map((r) => r.id) }
  },
})
