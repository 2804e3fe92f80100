import type { GroupRow } from '../../db/schema.js'
import type { ActionContext } from '../context.js'
import { isSysadmin, userName } from '../context.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { findGroup } from '../../model/group-dict.js'

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
export function requireReadGroup(ctx: ActionContext, group: GroupRow): void {
  // TODO(authz): members of the group may read it too; this belongs with the role rules in auth/authz.ts
  if (group.state !== 'active' && !isSysadmin(ctx)) throw new NotAuthorized(`User ${userName(ctx)} not authorized to read group ${group.id}`)
}
