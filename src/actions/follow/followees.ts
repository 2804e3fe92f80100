import { sql } from 'kysely'
import type { ActionContext } from '../context.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized } from '../../errors.js'
import { visiblePackages } from '../../auth/authz.js'
import { packageDicts, type PackageDict } from '../../model/package-dict.js'
import { groupDict, type DictizeOptions, type GroupDict } from '../../model/group-dict.js'
import type { GroupRow } from '../../db/schema.js'
import { findUserRow, type UserDict } from '../user/dict.js'
import { DATASET, GROUP, USER, groupFilter, liveFollows } from './kinds.js'
import { userListDicts } from './users.js'

/**
 * What a user follows, as the followee lists answer it. Follows of deleted objects (or by a
 * deleted user) are left out, as CKAN's follower model does.
 */

export type FolloweeType = 'user' | 'dataset' | 'group' | 'organization'

/** CKAN's _followee_list auth: anonymous never; a user sees their own follows; sysadmins anyone's. */
export async function requireFolloweeReader(ctx: ActionContext, id: unknown): Promise<void> {
  const me = ctx.caller.user
  if (!me) throw new NotAuthorized('Not authorized')
  if (isSysadmin(ctx)) return
  const requested = typeof id === 'string' && id !== '' ? await findUserRow(ctx.db, id) : undefined
  if (requested?.id !== me.id) throw new NotAuthorized('Not authorized')
}

export async function followedUsers(ctx: ActionContext, userId: string): Promise<UserDict[]> {
  return userListDicts(ctx, sql<string>`(SELECT f.object_id FROM ${liveFollows(USER)} WHERE f.follower_id = ${userId})`)
}

/**
 * Followed datasets as package_show dicts, oldest follow first. Unlike CKAN, only those the caller
 * may read: anyone may follow a private dataset by id, and its dict must not reach them through
 * this list when they cannot read it.
 */
export async function followedDatasets(ctx: ActionContext, userId: string): Promise<PackageDict[]> {
  const rows = await ctx.db
    .selectFrom('user_following_dataset as f')
    .innerJoin('user as fu', 'fu.id', 'f.follower_id')
    .innerJoin('package', 'package.id', 'f.object_id')
    .select('package.id')
    .where('f.follower_id', '=', userId)
    .where('fu.state', '!=', 'deleted')
    .where(visiblePackages(ctx, { includePrivate: true, includeDrafts: true }))
    .orderBy('f.datetime')
    .orderBy('package.id')
    .execute()
  return packageDicts(
    ctx.db,
    rows.map((r) => r.id),
    ctx.config.siteUrl,
  )
}

/** CKAN's group_dictize defaults: extras, tags, parent groups, users and a first page of datasets. */
const GROUP_DICTIZE: DictizeOptions = { packages: 'datasets', extras: true, tags: true, groups: 'full', users: true, memberCount: false, numFollowers: false }

export async function followedGroups(ctx: ActionContext, userId: string, organizations: boolean): Promise<GroupDict[]> {
  const { rows } = await sql<GroupRow>`
    SELECT o.* FROM ${liveFollows(GROUP)} WHERE f.follower_id = ${userId} ${groupFilter(GROUP, organizations)}
    ORDER BY f.datetime, o.id`.execute(ctx.db)
  const dicts: GroupDict[] = []
  for (const g of rows) dicts.push(await groupDict(ctx, g, GROUP_DICTIZE))
  return dicts
}

export async function followees(ctx: ActionContext, userId: string, type: FolloweeType): Promise<Array<UserDict | PackageDict | GroupDict>> {
  switch (type) {
    case 'user':
      return followedUsers(ctx, userId)
    case 'dataset':
      return followedDatasets(ctx, userId)
    case 'group':
      return followedGroups(ctx, userId, false)
    case 'organization':
      return followedGroups(ctx, userId, true)
  }
}

/** True counts (CKAN 2.11 counts followed groups whatever the type asked: the documented bug). */
export async function followeeCount(ctx: ActionContext, userId: string, type: FolloweeType | 'all'): Promise<number> {
  const count = (kind: typeof USER, organizations?: boolean) => sql<number>`(SELECT count(*)::int FROM ${liveFollows(kind)} WHERE f.follower_id = ${userId} ${groupFilter(kind, organizations)})`
  const expr = type === 'user' ? count(USER) : type === 'dataset' ? count(DATASET) : type === 'group' ? count(GROUP, false) : type === 'organization' ? count(GROUP, true) : sql<number>`${count(USER)} + ${count(DATASET)} + ${count(GROUP)}`
  const { rows } = await sql<{ n: number }>`SELECT ${expr} AS n`.execute(ctx.db)
  return rows[0].n
}
