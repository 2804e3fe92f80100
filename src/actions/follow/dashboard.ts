import { sql } from 'kysely'
import { defineAction } from '../define.js'
import type { ActionContext } from '../context.js'
import { NotAuthorized } from '../../errors.js'
import { nowIso } from '../../model/time.js'
import { requireLoggedIn } from '../user/dict.js'
import { PAGE_PARAMS, readPage } from './dashboard-page.js'
import { dashboardPage, type DashboardActivity } from './dashboard-query.js'

/** CKAN's dashboard_activity_list auth, which the new-activities count shares. */
function requireDashboardUser(ctx: ActionContext): void {
  if (!ctx.caller.user) throw new NotAuthorized('You must be logged in to access your dashboard.')
}

const PARAMS = { type: 'object', additionalProperties: true, properties: PAGE_PARAMS } as const

/** CKAN's activity dict (table order), plus is_new. */
function activityDict(a: DashboardActivity) {
  return { id: a.id, timestamp: a.timestamp, user_id: a.user_id, object_id: a.object_id, activity_type: a.activity_type, data: a.data, permission_labels: a.permission_labels, is_new: a.is_new }
}

const list = defineAction({
  name: 'dashboard_activity_list',
  description:
    "Return the caller's dashboard stream, newest first: their own activities and those about them, plus activities by or about the users they follow, about the datasets they follow, and about the groups and organizations they follow and their public datasets. Each activity has `is_new`: not the caller's own and newer than their last dashboard_mark_activities_old. Params: offset, limit, after, before (UTC epoch seconds). Package activities show only where the caller may read the dataset.",
  sideEffectFree: true,
  params: PARAMS,
  auth: requireDashboardUser,
  handler: async (ctx, p) => {
    const rows = await dashboardPage(ctx, ctx.caller.user!.id, readPage(ctx.config, p), true)
    return rows.map(activityDict)
  },
})

const newCount = defineAction({
  name: 'dashboard_new_activities_count',
  description: "Return how many activities of the caller's dashboard page (same params as dashboard_activity_list, default the first 31) are new: not their own and newer than their last dashboard_mark_activities_old.",
  sideEffectFree: true,
  params: PARAMS,
  auth: requireDashboardUser,
  handler: async (ctx, p): Promise<number> => {
    const rows = await dashboardPage(ctx, ctx.caller.user!.id, readPage(ctx.config, p), false)
    return rows.filter((r) => r.is_new).length
  },
})

const markOld = defineAction({
  name: 'dashboard_mark_activities_old',
  description: "Mark every activity of the caller's dashboard as seen: is_new becomes false for all activities until now. Returns null.",
  sideEffectFree: false,
  params: { type: 'object', additionalProperties: true, properties: {} },
  // unlike the two reads, CKAN's auth for this one refuses anonymous callers before it runs
  auth: (ctx) => requireLoggedIn(ctx, 'dashboard_mark_activities_old'),
  handler: async (ctx): Promise<null> => {
    const now = nowIso()
    await sql`INSERT INTO dashboard (user_id, activity_stream_last_viewed, email_last_sent) VALUES (${ctx.caller.user!.id}, ${now}, ${now})
      ON CONFLICT (user_id) DO UPDATE SET activity_stream_last_viewed = EXCLUDED.activity_stream_last_viewed`.execute(ctx.db)
    return null
  },
})

export const dashboardActions = [list, newCount, markOld]
