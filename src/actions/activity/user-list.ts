import { defineAction } from '../define.js'
import { NotFound } from '../../errors.js'
import { findUserRow } from '../user/dict.js'
import { PAGING_PARAMS, readListParams } from './params.js'
import { listActivities } from './query.js'
import { streamFilter } from './visibility.js'

export default defineAction({
  name: 'user_activity_list',
  description:
    "Return a user's activity stream, newest first: the activities the user did and those about the user (activity dicts as package_activity_list's), dataset activities only where the caller may read them.\n\nParams: id (id or name), offset, limit, after, before (UTC epoch seconds). The site's harvest and command line users' activities are always left out.",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', description: 'id or name of the user' }, ...PAGING_PARAMS } },
  // ckan.auth.public_user_details: anyone may look a user up
  auth: 'public',
  handler: async (ctx, p) => {
    const params = readListParams(ctx, p)
    const user = p.id ? await findUserRow(ctx.db, p.id) : undefined
    if (!user) throw new NotFound()
    // CKAN always leaves hidden users out here, and takes no type filter
    const filter = await streamFilter(ctx)
    return listActivities(ctx.db, [(eb) => eb('activity.user_id', '=', user.id), (eb) => eb('activity.object_id', '=', user.id)], filter, params)
  },
})
