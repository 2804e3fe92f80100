import type { ActionContext } from '../context.js'
import { userName } from '../context.js'
import { isSysadmin } from '../context.js'
import { canEditPackage, requireReadPackage, searchLabels } from '../../auth/authz.js'
import { hiddenActivityUserIds } from '../../activity/hidden.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import type { StreamFilter } from './query.js'

/**
 * Who reads which activity (CKAN's activity plugin, ckanext/activity/logic/auth.py): package
 * activities by their frozen permission labels, everything else freely; the site's own users'
 * activities only for sysadmins who ask.
 */

export async function streamFilter(ctx: ActionContext, opts: { includeHidden?: boolean; types?: string[] | null; excludeTypes?: string[] | null } = {}): Promise<StreamFilter> {
  return {
    labels: await searchLabels(ctx),
    hiddenUserIds: opts.includeHidden ? [] : await hiddenActivityUserIds(ctx.db, ctx.config),
    types: opts.types ?? null,
    excludeTypes: opts.excludeTypes ?? null,
  }
}

/** Does this (package) activity share a label with the caller? Sysadmins read everything. */
export async function labelsAllow(ctx: ActionContext, activity: { permission_labels: string[] | null }): Promise<boolean> {
  const labels = await searchLabels(ctx)
  if (labels === null) return true
  const own = new Set(activity.permission_labels ?? [])
  return labels.some((l) => own.has(l))
}

/**
 * activity_show's auth, which activity_data_show and activity_diff share with `detail`: only package
 * activities, only with a shared label, then the dataset's package_show rule — or package_update's
 * when the activity's data is asked for (ckan.auth.public_activity_stream_detail is false).
 */
export async function requireActivityRead(ctx: ActionContext, activity: { activity_type: string; object_id: string; permission_labels: string[] | null }, detail: boolean): Promise<void> {
  if (isSysadmin(ctx)) return
  if (!activity.activity_type.includes('package')) throw new NotAuthorized('object_type not recognized')
  if (!(await labelsAllow(ctx, activity))) throw new NotAuthorized('Unauthorized to view activity data')
  const pkg = await ctx.db.selectFrom('package').select(['id', 'state', 'private', 'owner_org', 'creator_user_id']).where('id', '=', activity.object_id).executeTakeFirst()
  if (!pkg) throw new NotFound()
  if (!detail) return requireReadPackage(ctx, pkg)
  if (!ctx.caller.user) throw new NotAuthorized('Action package_update requires an authenticated user')
  if (!(await canEditPackage(ctx, pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to edit package ${pkg.id}`)
}
