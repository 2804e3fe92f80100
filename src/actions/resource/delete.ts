import { defineAction } from '../define.js'
import { requireEditResource } from '../../auth/authz.js'
import { resourcePackageId, reviseResources } from './write.js'

export default defineAction({
  name: 'resource_delete',
  description: "Delete a resource from its dataset (its state becomes deleted; the remaining resources' positions close up). Returns null.",
  sideEffectFree: false,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' } } },
  auth: (ctx, p) => requireEditResource(ctx, p.id, 'delete'),
  handler: async (ctx, p) => {
    const packageId = await resourcePackageId(ctx, p.id)
    await reviseResources(ctx, packageId, (resources) => ({ resources: resources.filter((r) => r.id !== p.id), index: null }))
    return null
  },
})
