import { defineAction, type AnyAction } from '../define.js'
import { requireSysadmin } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { findPackageRow } from '../../model/package-save.js'
import { removeBlobs } from '../resource/upload.js'

function purgeAction(name: string): AnyAction {
  return defineAction({
    name,
    description: 'Completely remove a dataset and its resources, tags links and group memberships from the database (sysadmins only). Returns null.' + (name === 'package_purge' ? ' Alias of dataset_purge.' : ''),
    sideEffectFree: false,
    params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', minLength: 1 } } },
    auth: requireSysadmin('purge package'),
    handler: async (ctx, p) => {
      const uploaded = await ctx.transaction(async (tx) => {
        const row = await findPackageRow(tx.db, p.id, true)
        if (!row) throw new NotFound('Dataset was not found')
        // deleted resources keep their files until purge, as in CKAN
        const files = await tx.db.selectFrom('resource').select('id').where('package_id', '=', row.id).where('url_type', '=', 'upload').execute()
        await tx.db.deleteFrom('member').where('table_name', '=', 'package').where('table_id', '=', row.id).execute()
        // resources and package_tag rows cascade
        await tx.db.deleteFrom('package').where('id', '=', row.id).execute()
        return files.map((f) => f.id)
      })
      await removeBlobs(ctx, uploaded)
      return null
    },
  })
}

export const datasetPurge = purgeAction('dataset_purge')
export const packagePurge = purgeAction('package_purge')
