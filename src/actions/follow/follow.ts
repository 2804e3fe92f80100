import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { ValidationError } from '../../errors.js'
import { nowIso } from '../../model/time.js'
import { requireLoggedIn } from '../user/dict.js'
import { givenRef, resolveTarget, USER, type FollowKind } from './kinds.js'

export interface FollowRow {
  follower_id: string
  object_id: string
  datetime: string
}

/**
 * follow_user / follow_dataset / follow_group (organizations too). Idempotent as in CKAN 2.11:
 * following again answers the existing relation, with its original datetime. Any logged-in user
 * may follow any existing object, a private dataset included (the dashboard still filters what
 * they see of it).
 */
export function followAction(kind: FollowKind) {
  const name = `follow_${kind.noun}`
  return defineAction({
    name,
    description: `Start following a ${kind.noun === 'group' ? 'group or organization' : kind.noun}. Params: id (its id or name). Returns the relation {follower_id, object_id, datetime}; following again returns the existing one.${kind === USER ? ' Following yourself is refused.' : ''}`,
    sideEffectFree: false,
    params: {
      type: 'object',
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${kind.noun} to follow` } },
    },
    // CKAN's follow auth lives in logic/auth/create.py, so an anonymous caller is refused before it runs
    auth: (ctx) => requireLoggedIn(ctx, name),
    handler: async (ctx, p): Promise<FollowRow> => {
      const me = ctx.caller.user!
      const ref = givenRef(p.id)
      const objectId = ref === undefined ? undefined : await resolveTarget(ctx.db, kind, ref)
      if (!objectId) throw ValidationError.message(`Error validating the schema of the ${kind.noun} to follow.`)
      if (kind === USER && objectId === me.id) throw ValidationError.message('You cannot follow yourself')
      // one statement, safe against a concurrent follow: the no-op update makes RETURNING give the existing row
      const { rows } = await sql<FollowRow>`
        INSERT INTO ${sql.table(kind.table)} AS f (follower_id, object_id, datetime) VALUES (${me.id}, ${objectId}, ${nowIso()})
        ON CONFLICT (follower_id, object_id) DO UPDATE SET datetime = f.datetime
        RETURNING f.follower_id, f.object_id, f.datetime`.execute(ctx.db)
      return rows[0]
    },
  })
}

/** unfollow_*: idempotent as in CKAN 2.11 (not following answers null too). */
export function unfollowAction(kind: FollowKind) {
  const name = `unfollow_${kind.noun}`
  return defineAction({
    name,
    description: `Stop following a ${kind.noun === 'group' ? 'group or organization' : kind.noun}. Params: id (its id or name). Returns null, also when you were not following it.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${kind.noun} to stop following` } },
    },
    auth: (ctx) => requireLoggedIn(ctx, name),
    handler: async (ctx, p): Promise<null> => {
      const me = ctx.caller.user!
      const ref = givenRef(p.id)
      const objectId = ref === undefined ? undefined : await resolveTarget(ctx.db, kind, ref)
      if (!objectId) throw ValidationError.message('Error validating the schema of the object to unfollow.')
      await sql`DELETE FROM ${sql.table(kind.table)} WHERE follower_id = ${me.id} AND object_id = ${objectId}`.execute(ctx.db)
      return null
    },
  })
}
