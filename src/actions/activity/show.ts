import { defineAction } from '../define.js'
import { NotAuthorized, NotFound, ValidationError } from '../../errors.js'
import { asBool } from '../params.js'
import { activityDict, previousActivity, requireActivity } from './record.js'
import { labelsAllow, requireActivityRead } from './visibility.js'
import { contextDiff, htmlDiff, jsonLines, unifiedDiff } from './diff-format.js'

/** activity_show, activity_data_show, activity_diff: one activity by id, for those who may read its dataset. */

export const activityShow = defineAction({
  name: 'activity_show',
  description:
    "Return one activity (the activity dict of package_activity_list, data included).\n\nParams: id (the activity's id), include_data (default false; true needs package_update's rights on its dataset). Only dataset activities, for callers who may read the dataset and shared its labels when it was recorded; sysadmins read any.",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { id: { type: 'string', description: "the activity's id" }, include_data: { description: 'ask for the data (checks package_update instead of package_show); default false' } },
  },
  // the rule depends on the activity: the handler loads it, then checks
  auth: 'public',
  handler: async (ctx, p) => {
    const activity = await requireActivity(ctx.db, p.id)
    // CKAN reads include_data without a default (a 500 when absent): false here
    await requireActivityRead(ctx, activity, asBool(p.include_data) === true)
    return activityDict(activity)
  },
})

export const activityDataShow = defineAction({
  name: 'activity_data_show',
  description:
    "Return the data of one activity: for a dataset activity `{package, actor}`, or with object_type=package the dataset dict as it was after that change.\n\nParams: id (the activity's id), object_type (a key of data: package, group, actor…). Needs package_update's rights on the dataset (sysadmins: any activity).",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: { id: { type: 'string', description: "the activity's id" }, object_type: { type: 'string', description: "'package', 'group', 'organization', 'user' or another key of data" } },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const activity = await requireActivity(ctx.db, p.id)
    await requireActivityRead(ctx, activity, true)
    if (!p.object_type) return activity.data
    if (!Object.hasOwn(activity.data, p.object_type)) throw new NotFound('Could not find that object_type in the activity')
    return activity.data[p.object_type]
  },
})

const DIFFS: Record<string, (a: string[], b: string[]) => string> = { unified: unifiedDiff, context: contextDiff, html: htmlDiff }

export const activityDiff = defineAction({
  name: 'activity_diff',
  description:
    "Compare an activity's object with the one of the activity just before it on the same object: `{diff, activities: [previous, this]}`, the objects dumped as indented JSON with sorted keys.\n\nParams: id (the activity's id), object_type (required: package, group…), diff_type: unified (default), context, or html (a side-by-side table). Needs package_update's rights on the dataset (sysadmins: any activity).",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id', 'object_type'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: "the activity's id" },
      object_type: { type: 'string', description: "the key of data to compare: 'package', 'group'…" },
      diff_type: { type: 'string', description: 'unified (default), context or html' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const activity = await requireActivity(ctx.db, p.id)
    await requireActivityRead(ctx, activity, true)
    const previous = await previousActivity(ctx.db, activity)
    if (!previous) throw new NotFound('Previous activity for this object not found')
    // the earlier version must be readable too: history from before a move keeps its labels
    if (previous.permission_labels !== null && !(await labelsAllow(ctx, previous))) throw new NotAuthorized('Unauthorized to view activity data')
    const pair = [previous, activity]
    if (!pair.every((a) => Object.hasOwn(a.data, p.object_type))) throw new NotFound('Could not find object in the activity data')
    const format = Object.hasOwn(DIFFS, p.diff_type ?? 'unified') ? DIFFS[p.diff_type ?? 'unified'] : undefined
    if (!format) throw ValidationError.message('diff_type not recognized')
    const [before, after] = pair.map((a) => jsonLines(a.data[p.object_type]))
    return { diff: format(before, after), activities: pair.map(activityDict) }
  },
})
