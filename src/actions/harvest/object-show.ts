import { defineAction } from '../define.js'
import { ValidationError, NotFound } from '../../errors.js'
import { findPackageMeta, requireReadPackage } from '../../auth/authz.js'
import { objectDict } from '../../harvest/sources/dictize.js'
import { findSource } from '../../harvest/sources/sources.js'
import { requireSourceRead } from '../../harvest/sources/auth.js'

export default defineAction({
  name: 'harvest_object_show',
  description: 'Return a harvest object: its columns, source, job, package (id), errors and extras. Params: id, or dataset_id (id or name; its current object). Objects of a source or dataset the caller may not read are refused.',
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: { id: { type: 'string' }, dataset_id: { type: 'string' } } },
  // the object's own source and dataset decide, once loaded
  auth: 'public',
  handler: async (ctx, p) => {
    let obj
    if (p.id) {
      obj = await ctx.db.selectFrom('harvest_object').selectAll().where('id', '=', p.id).executeTakeFirst()
    } else if (p.dataset_id) {
      const pkg = await findPackageMeta(ctx, p.dataset_id)
      if (!pkg) throw new NotFound('Dataset not found')
      await requireReadPackage(ctx, pkg)
      obj = await ctx.db
        .selectFrom('harvest_object')
        .selectAll()
        .where('package_id', '=', pkg.id)
        .where('current', '=', true)
        .orderBy('import_finished', (ob) => ob.desc().nullsLast())
        .limit(1)
        .executeTakeFirst()
    } else {
      throw ValidationError.message('Please provide either an "id" or a "dataset_id" parameter')
    }
    if (!obj) throw new NotFound('Harvest object not found')
    const source = await findSource(ctx.db, obj.harvest_source_id)
    if (source) await requireSourceRead(ctx, source)
    if (obj.package_id) {
      const pkg = await findPackageMeta(ctx, obj.package_id)
      if (pkg) await requireReadPackage(ctx, pkg)
    }
    return objectDict(ctx.db, obj)
  },
})
