import { defineAction } from '../define.js'
import { requireEditPackage, requireGroupsAuth } from '../../auth/authz.js'
import { packageDict } from '../../model/package-dict.js'
import { lockPackage, packageRef, updateLockedPackage, withNameConflict } from './write.js'
import { datasetParams } from './schema.js'

export default defineAction({
  name: 'package_patch',
  description: 'Update only the given top-level keys of a dataset (the stored dict, shallowly merged with the input, then package_update). A given resources, tags, extras or groups list replaces the whole list.',
  sideEffectFree: false,
  params: datasetParams,
  auth: async (ctx, p) => {
    const data = p as Record<string, unknown>
    const pkg = await requireEditPackage(ctx, packageRef(data))
    await requireGroupsAuth(ctx, data, pkg.id)
  },
  handler: async (ctx, p) => {
    const data = p as Record<string, unknown>
    const ref = packageRef(data)
    return withNameConflict(() =>
      ctx.transaction(async (tx) => {
        const row = await lockPackage(tx, ref)
        const current = (await packageDict(tx.db, row.id, tx.config.siteUrl))!
        return updateLockedPackage(tx, row, { ...current, ...data, id: row.id }, current)
      }),
    )
  },
})
