import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

/**
 * What a user can follow: another user, a dataset, or a group (organizations are groups here, in
 * user_following_group, as in CKAN). A kind names the table of follows and the table followed.
 */
export interface FollowKind {
  /** Action-name part: follow_<noun>, <noun>_follower_count… */
  readonly noun: 'user' | 'dataset' | 'group'
  readonly table: 'user_following_user' | 'user_following_dataset' | 'user_following_group'
  readonly target: 'user' | 'package' | 'group'
  /** CKAN's converter message: "Not found: <label>". */
  readonly label: 'User' | 'Dataset' | 'Group'
  readonly plural: 'users' | 'datasets' | 'groups'
}

export const USER: FollowKind = { noun: 'user', table: 'user_following_user', target: 'user', label: 'User', plural: 'users' }
export const DATASET: FollowKind = { noun: 'dataset', table: 'user_following_dataset', target: 'package', label: 'Dataset', plural: 'datasets' }
export const GROUP: FollowKind = { noun: 'group', table: 'user_following_group', target: 'group', label: 'Group', plural: 'groups' }

export const KINDS: readonly FollowKind[] = [USER, DATASET, GROUP]

/** `id` as CKAN's not_missing/not_empty see it: undefined when absent or empty. */
export function givenRef(id: unknown): string | undefined {
  if (typeof id === 'string') return id === '' ? undefined : id
  if (typeof id === 'number') return String(id)
  return undefined
}

/**
 * CKAN's convert_<x>_name_or_id_to_id: the id of the row whose id, else whose name, is `ref`, in
 * any state (deleted ones too: their follows are then ignored, not refused).
 */
export async function resolveTarget(db: Kysely<Database>, kind: FollowKind, ref: string): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM ${sql.table(kind.target)} WHERE id = ${ref} OR name = ${ref} ORDER BY id = ${ref} DESC LIMIT 1`.execute(db)
  return rows[0]?.id
}

/**
 * The follows that count: CKAN's follower model ignores a row whose follower or object is deleted.
 * Aliases: `f` the follow, `fu` its follower, `o` the object.
 */
export function liveFollows(kind: FollowKind) {
  return sql`${sql.table(kind.table)} f
    JOIN "user" fu ON fu.id = f.follower_id AND fu.state <> 'deleted'
    JOIN ${sql.table(kind.target)} o ON o.id = f.object_id AND o.state <> 'deleted'`
}

/** For user_following_group: only organizations (true), only groups (false), or both (undefined). */
export function groupFilter(kind: FollowKind, organizations: boolean | undefined) {
  return kind.target === 'group' && organizations !== undefined ? sql`AND o.is_organization = ${organizations}` : sql``
}

/** How many users follow the object (user_show's and group_show's num_followers too). */
export async function followerCount(db: Kysely<Database>, kind: FollowKind, objectId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${liveFollows(kind)} WHERE f.object_id = ${objectId}`.execute(db)
  return rows[0].n
}
