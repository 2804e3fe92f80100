import { defineAction } from '../define.js'
import { requireEditPackage, requireGroupsAuth } from '../../auth/authz.js'
import { packageRef, updatePackage } from './write.js'
import { datasetParams } from './schema.js'

export default defineAction({
  name: 'package_update',
  description:
    'Update a dataset: the dict given replaces the stored one. Identify it by id or name. Omitted free-text fields, tags and extras are removed; omitted resources and groups are kept; a resources list replaces the resources (items with a known id are updated, others created, missing ones deleted). Returns the updated dict.',
  sideEffectFree: false,
  params: datasetParams,
  auth: async (ctx, p) => {
    const data = p as Record<string, unknown>
    const pkg = await requireEditPackage(ctx, packageRef(data))
    await requireGroupsAuth(ctx, data, pkg.id)
  },
  handler: async (ctx, p) => {
    const data = p as Record<string, unknown>
    return updatePackage(ctx, packageRef(data), data)
  },
})
