import { defineAction } from '../define.js'
import { NotFound, ValidationError } from '../../errors.js'
import { findPackageMeta, requireReadPackage } from '../../auth/authz.js'
import { EXCLUDE_PARAM, FILTER_PARAMS, PAGING_PARAMS, readListParams } from './params.js'
import { listActivities } from './query.js'
import { streamFilter } from './visibility.js'

export default defineAction({
  name: 'package_activity_list',
  description:
    "Return a dataset's activity stream, newest first: activity dicts (id, timestamp, user_id, object_id, activity_type, data with the whole dataset dict after the change and the actor's name, permission_labels).\n\nParams: id (id or name), offset, limit, after, before (UTC epoch seconds), activity_types or exclude_activity_types, include_hidden_activity (sysadmins). Needs package_show's rights; activities recorded while the dataset was private or deleted stay hidden from those who could not read it then.",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { id: { type: 'string', description: 'id or name of the dataset' }, ...PAGING_PARAMS, ...FILTER_PARAMS, ...EXCLUDE_PARAM },
  },
  // the dataset's read rule needs its row: the handler applies it, after CKAN's parameter checks
  auth: 'public',
  handler: async (ctx, p) => {
    const params = readListParams(ctx, p)
    if (params.types !== null && params.excludeTypes !== null) throw new ValidationError({ activity_types: ['Cannot be used together with `exclude_activity_types'] })
    const pkg = await findPackageMeta(ctx, p.id)
    if (!pkg) throw new NotFound()
    await requireReadPackage(ctx, pkg)
    const filter = await streamFilter(ctx, { includeHidden: params.includeHidden, types: params.types, excludeTypes: params.excludeTypes })
    return listActivities(ctx.db, [(eb) => eb('activity.object_id', '=', pkg.id)], filter, params)
  },
})
