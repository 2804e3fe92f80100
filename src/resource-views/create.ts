import type { ActionContext } from '../actions/context.js'
import { isSysadmin } from '../actions/context.js'
import { actorOf } from '../activity/record.js'
import { requireEditPackage } from '../auth/authz.js'
import { NotFound, ValidationError } from '../errors.js'
import { insertView, recordViewActivity, viewDict, viewExists, type ViewDict } from './store.js'
import { validateViewInput } from './validate.js'
import { viewType } from './view-types.js'

/** The active resource's dataset id, or undefined. */
export async function resourceOwner(ctx: ActionContext, resourceId: string): Promise<string | undefined> {
  const row = await ctx.db.selectFrom('resource').select('package_id').where('id', '=', resourceId).where('state', '=', 'active').executeTakeFirst()
  return row?.package_id
}

/** resource_create's rule on an existing resource (CKAN defers resource_view_create's auth to it). */
export async function requireCreateOn(ctx: ActionContext, packageId: string): Promise<void> {
  await requireEditPackage(ctx, packageId, (user) => `User ${user} not authorized to create resources on dataset ${packageId}`, 'No package found for this resource, cannot check auth.')
}

/** resource_view_create's rule when the input names an existing resource; anything else is left to validation. */
export async function authorizeCreate(ctx: ActionContext, resourceId: unknown): Promise<void> {
  const packageId = typeof resourceId === 'string' ? await resourceOwner(ctx, resourceId) : undefined
  if (packageId) await requireCreateOn(ctx, packageId)
}

export interface CreateViewOptions {
  /** check the caller's right to add views to the resource's dataset (done already by the action's auth rule) */
  authorize: boolean
  /** the system's own call (CKAN's ignore_auth): may choose the view's id like a sysadmin */
  system: boolean
}

/**
 * resource_view_create in CKAN's order: required keys, a known view type, the schemas. The
 * caller's right is checked first by the action (an unauthorized caller learns nothing about
 * its input), or here for views made on a caller's behalf.
 */
export async function createResourceView(ctx: ActionContext, raw: Record<string, unknown>, opts: CreateViewOptions): Promise<ViewDict> {
  for (const key of ['resource_id', 'view_type']) if (raw[key] === undefined) throw new ValidationError({ [key]: ['Missing value'] })
  const type = viewType(raw.view_type)
  if (!type) throw new ValidationError({ view_type: `No plugin found for view_type ${String(raw.view_type)}` })
  return ctx.transaction(async (tx) => {
    const { data, errors } = await validateViewInput(raw, type, {
      mode: 'create',
      sysadmin: isSysadmin(tx),
      internal: opts.system,
      resourceExists: async (id) => (await resourceOwner(tx, id)) !== undefined,
      viewExists: (id) => viewExists(tx.db, id),
    })
    if (Object.keys(errors).length > 0) throw new ValidationError(errors)
    const resourceId = data.resource_id!
    const packageId = await resourceOwner(tx, resourceId)
    if (!packageId) throw new NotFound('No package found for this resource, cannot check auth.')
    if (opts.authorize) await requireCreateOn(tx, packageId)
    const row = await insertView(tx.db, { id: data.id, resource_id: resourceId, title: data.title!, description: data.description, view_type: type.name, config: data.config })
    const actor = actorOf(tx)
    if (actor) await recordViewActivity(tx.db, actor, 'new', row, packageId)
    return viewDict(row, packageId)
  })
}
