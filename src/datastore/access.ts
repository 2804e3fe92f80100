import type { ActionContext } from '../actions/context.js'
import { userName } from '../actions/context.js'
import { canEditPackage, canReadPackage, type PackageMeta } from '../auth/authz.js'
import { NotAuthorized, NotFound } from '../errors.js'

/**
 * Who may read or write a resource's DataStore table: exactly who may resource_show or
 * resource_update it (CKAN's datastore auth delegates to those). The dataset's visibility,
 * drafts and deleted state come with it.
 */

export interface DatastoreResource {
  id: string
  package_id: string
  url_type: string | null
  state: string
  pkg: PackageMeta
}

/** The resource and its dataset, active or not; undefined when there is no such resource. */
export async function findDatastoreResource(ctx: ActionContext, resourceId: string): Promise<DatastoreResource | undefined> {
  const row = await ctx.db
    .selectFrom('resource as r')
    .innerJoin('package as p', 'p.id', 'r.package_id')
    .select(['r.id', 'r.package_id', 'r.url_type', 'r.state', 'p.state as pkg_state', 'p.private', 'p.owner_org', 'p.creator_user_id'])
    .where('r.id', '=', resourceId)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    package_id: row.package_id,
    url_type: row.url_type,
    state: row.state,
    pkg: { id: row.package_id, state: row.pkg_state, private: row.private, owner_org: row.owner_org, creator_user_id: row.creator_user_id },
  }
}

export async function canReadResource(ctx: ActionContext, res: DatastoreResource): Promise<boolean> {
  if (res.state !== 'active') return false
  return canReadPackage(ctx, res.pkg)
}

/** resource_show's rule; 404 for a resource that does not exist or is deleted. */
export async function requireReadResource(ctx: ActionContext, resourceId: string): Promise<DatastoreResource> {
  const res = await findDatastoreResource(ctx, resourceId)
  if (!res || res.state !== 'active') throw new NotFound('Resource was not found.')
  if (!(await canReadPackage(ctx, res.pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to perform resource_show on resource ${resourceId}`)
  return res
}

/** resource_update's rule (datastore_create, _upsert, _delete). */
export async function requireWriteResource(ctx: ActionContext, resourceId: string): Promise<DatastoreResource> {
  const res = await findDatastoreResource(ctx, resourceId)
  if (!res || res.state !== 'active') throw new NotFound('Resource was not found.')
  if (!(await canEditPackage(ctx, res.pkg))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to perform resource_update on resource ${resourceId}`)
  return res
}
