import { defineAction } from '../define.js'
import { requireEditPackage } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { findPackageRow } from '../../model/package-save.js'
import { abortNewJobs } from '../../harvest/pipeline/jobs.js'
import { actorOf, recordPackageActivitiesByIds } from '../../activity/record.js'

export default defineAction({
  name: 'package_delete',
  description: 'Delete a dataset: its state becomes "deleted" and it leaves its groups; the row is kept (dataset_purge removes it). metadata_modified is not changed. Returns null.',
  sideEffectFree: false,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', minLength: 1 } } },
  auth: async (ctx, p) => void (await requireEditPackage(ctx, p.id)),
  handler: async (ctx, p) => {
    await ctx.transaction(async (tx) => {
      const row = await findPackageRow(tx.db, p.id, true)
      if (!row) throw new NotFound('Package was not found.')
      await tx.db.updateTable('package').set({ state: 'deleted' }).where('id', '=', row.id).execute()
      // memberships go by the dataset's id whatever was passed (CKAN misses them when given a name)
      await tx.db.updateTable('member').set({ state: 'deleted' }).where('table_name', '=', 'package').where('table_id', '=', row.id).execute()
      // a deleted harvest source drops its jobs not yet started (ckanext-harvest's delete hook)
      await abortNewJobs(tx.db, row.id)
      const actor = actorOf(tx)
      if (actor) await recordPackageActivitiesByIds(tx.db, actor, 'deleted', [row.id], tx.config.siteUrl)
    })
    return null
  },
})
