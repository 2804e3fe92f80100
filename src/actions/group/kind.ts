import type { GroupRow } from '../../db/schema.js'
import type { ActionContext } from '../context.js'
import { userName } from '../context.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findGroup } from '../../model/group-dict.js'
import { canReadGroup, hasGroupPermission, type Permission } from '../../auth/authz.js'

/**
 * Organizations and groups are one table and one set of rules; a kind tells the shared action
 * factories which of the two they build.
 */
export interface GroupKind {
  readonly isOrganization: boolean
  /** Action name prefix, and the `type` a new one gets by default. */
  readonly prefix: 'group' | 'organization'
}

export const GROUP: GroupKind = { isOrganization: false, prefix: 'group' }
export const ORGANIZATION: GroupKind = { isOrganization: true, prefix: 'organization' }

/**
 * The group named by id or name, of this kind. A group asked for as an organization (or the
 * reverse) does not exist for that action: CKAN answers 404 on show, and not checking it elsewhere
 * would let group_delete remove an organization without its datasets check.
 */
export async function requireGroup(ctx: ActionContext, kind: GroupKind, idOrName: string, message?: string): Promise<GroupRow> {
  const group = await findGroup(ctx.db, idOrName)
  if (!group || group.is_organization !== kind.isOrganization) throw new NotFound(message)
  return group
}

/** Deleted groups are shown only to those who may read them (CKAN's group_show auth). */
export async function requireReadGroup(ctx: ActionContext, group: GroupRow): Promise<void> {
  if (!(await canReadGroup(ctx, group))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to read group ${group.id}`)
}

/**
 * Auth rule for a write on an existing group: 404 (with `notFound`) before 403, then CKAN's role
 * permission on it ('update', 'delete' ⇒ admin of that group; sysadmins always).
 */
export function requireGroupPermission(kind: GroupKind, permission: Permission, what: string, notFound?: string) {
  return async (ctx: ActionContext, p: { id: string }): Promise<void> => {
    const group = await requireGroup(ctx, kind, p.id, notFound)
    if (!(await hasGroupPermission(ctx, group.id, permission))) throw new NotAuthorized(`User ${userName(ctx)} not authorized to ${what}`)
  }
}
