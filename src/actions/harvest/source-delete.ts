import { defineAction } from '../define.js'
import { requireSource, requireSourceEdit } from '../../harvest/sources/auth.js'

export default defineAction({
  name: 'harvest_source_delete',
  description: 'Delete a harvest source (id or name): its dataset becomes "deleted" (kept, as package_delete), the source inactive, and its New jobs Aborted. Harvested datasets are kept. Returns null.',
  sideEffectFree: false,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', minLength: 1 } } },
  auth: async (ctx, p) => {
    const source = await requireSource(ctx, p.id)
    await requireSourceEdit(ctx, source, (user, id) => `User ${user} not authorized to delete harvest source ${id}`)
  },
  handler: async (ctx, p) => {
    await ctx.transaction(async (tx) => {
      const source = await requireSource(tx, p.id)
      // package_delete also aborts the source's New jobs
      await tx.call('package_delete', { id: source.id })
    })
    return null
  },
})
