import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { NotAuthorized } from '../../errors.js'
import { isSysadmin } from '../context.js'
import { DATASET, GROUP, USER, followerCount, liveFollows, type FollowKind } from './kinds.js'
import { idParam, requireTarget } from './target.js'
import { userListDicts } from './users.js'

/** The public name of what a kind follows, per action family (organizations share the group table). */
type Subject = { prefix: 'user' | 'dataset' | 'group' | 'organization'; kind: FollowKind }

const SUBJECTS: Subject[] = [
  { prefix: 'dataset', kind: DATASET },
  { prefix: 'user', kind: USER },
  { prefix: 'group', kind: GROUP },
  { prefix: 'organization', kind: GROUP },
]

/** <x>_follower_count: anyone; follows by or of deleted accounts and objects are not counted. */
function followerCountAction({ prefix, kind }: Subject) {
  return defineAction({
    name: `${prefix}_follower_count`,
    description: `Return the number of users following a ${prefix}. Params: id (its id or name).`,
    sideEffectFree: true,
    params: idParam(prefix),
    auth: 'public',
    handler: async (ctx, p): Promise<number> => {
      return followerCount(ctx.db, kind, await requireTarget(ctx, kind, p.id))
    },
  })
}

/** <x>_follower_list: sysadmins only (CKAN's auth gives "Not authorized"), users sorted by name. */
function followerList({ prefix, kind }: Subject) {
  return defineAction({
    name: `${prefix}_follower_list`,
    description: `Return the users following a ${prefix}, sorted by name, as user dicts without email or apikey. Sysadmins only. Params: id (its id or name).`,
    sideEffectFree: true,
    params: idParam(prefix),
    auth: (ctx) => {
      if (!isSysadmin(ctx)) throw new NotAuthorized('Not authorized')
    },
    handler: async (ctx, p) => {
      const id = await requireTarget(ctx, kind, p.id)
      return userListDicts(ctx, sql<string>`(SELECT f.follower_id FROM ${liveFollows(kind)} WHERE f.object_id = ${id})`)
    },
  })
}

/** am_following_<x>: the id is checked first, then an anonymous caller gets a bare "Access denied". */
function amFollowing(kind: FollowKind) {
  return defineAction({
    name: `am_following_${kind.noun}`,
    description: `Return true if you follow the given ${kind.noun === 'group' ? 'group or organization' : kind.noun}, false if not. Params: id (its id or name). Anonymous callers are refused.`,
    sideEffectFree: true,
    params: idParam(kind.noun),
    auth: 'public',
    handler: async (ctx, p): Promise<boolean> => {
      const id = await requireTarget(ctx, kind, p.id)
      const me = ctx.caller.user
      if (!me) throw new NotAuthorized()
      const { rows } = await sql<{ yes: boolean }>`SELECT EXISTS (SELECT 1 FROM ${liveFollows(kind)} WHERE f.follower_id = ${me.id} AND f.object_id = ${id}) AS yes`.execute(ctx.db)
      return rows[0].yes
    },
  })
}

export const followerActions = [...SUBJECTS.map(followerCountAction), ...SUBJECTS.map(followerList), ...[USER, DATASET, GROUP].map(amFollowing)]
