import { type ExpressionBuilder, type Expression, type SqlBool } from 'kysely'
import type { ActionContext } from '../actions/context.js'
import { isSysadmin, userName } from '../actions/context.js'
import type { Database, PackageRow } from '../db/schema.js'
import { NotAuthorized } from '../errors.js'

/**
 * Authorization rules in one place. This policy: anonymous and registered callers read
 * public active data; every write needs a sysadmin. Role-based rules (organization members,
 * editors, collaborators) plug in here, behind the same functions, without touching actions.
 */

/** Auth rule for write actions: `what` completes CKAN's "User X not authorized to …". */
export function requireSysadmin(what: string) {
  return (ctx: ActionContext): void => {
    if (!isSysadmin(ctx)) throw new NotAuthorized(`User ${userName(ctx)} not authorized to ${what}`)
  }
}

/** May the caller see this dataset at all (show, resource_show)? */
export function canReadPackage(ctx: ActionContext, pkg: Pick<PackageRow, 'state' | 'private' | 'owner_org' | 'creator_user_id'>): boolean {
  if (isSysadmin(ctx)) return true
  return pkg.state === 'active' && !pkg.private
}

/** Throws CKAN's 403 when the caller may not read the dataset. */
export function requireReadPackage(ctx: ActionContext, pkg: Pick<PackageRow, 'state' | 'private' | 'owner_org' | 'creator_user_id' | 'id'>): void {
  if (!canReadPackage(ctx, pkg)) throw new NotAuthorized(`User ${userName(ctx)} not authorized to read package ${pkg.id}`)
}

export interface ListVisibility {
  /** Include private datasets the caller may read (CKAN's include_private). */
  includePrivate?: boolean
  includeDrafts?: boolean
  includeDeleted?: boolean
}

/**
 * The SQL form of canReadPackage for lists and counts over the `package` table: every read path
 * that lists datasets filters with this, so a dataset hidden from show is hidden from counts too.
 */
export function visiblePackages(ctx: ActionContext, opts: ListVisibility = {}) {
  const sysadmin = isSysadmin(ctx)
  return (eb: ExpressionBuilder<Database, 'package'>): Expression<SqlBool> => {
    const states = ['active']
    if (sysadmin && opts.includeDrafts) states.push('draft')
    if (sysadmin && opts.includeDeleted) states.push('deleted')
    const conds: Expression<SqlBool>[] = [eb('package.state', 'in', states)]
    if (!(sysadmin && opts.includePrivate)) conds.push(eb('package.private', '=', false))
    return eb.and(conds)
  }
}

