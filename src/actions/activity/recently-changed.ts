import { defineAction } from '../define.js'
import { ValidationError } from '../../errors.js'
import { PAGING_PARAMS, readWindow } from './params.js'
import { listActivities } from './query.js'
import { streamFilter } from './visibility.js'

export default defineAction({
  name: 'recently_changed_packages_activity_list',
  description:
    "Return the site's latest dataset activities (new, changed, deleted package), newest first, as package_activity_list's dicts: only those the caller may read (deletions and changes made while private are never public), without the site's harvest and command line users.\n\nParams: offset, limit. after and before are checked and ignored, as in CKAN.",
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: { ...PAGING_PARAMS } },
  auth: 'public',
  handler: async (ctx, p) => {
    const errors: Record<string, string[]> = {}
    const window = readWindow(ctx, p, errors)
    if (Object.keys(errors).length > 0) throw new ValidationError(errors)
    const filter = await streamFilter(ctx)
    return listActivities(ctx.db, [(eb) => eb('activity.activity_type', 'like', '%package')], filter, { ...window, after: null, before: null })
  },
})
