import type { ActionContext } from '../context.js'
import { ValidationError } from '../../errors.js'
import { givenRef, resolveTarget, type FollowKind } from './kinds.js'

/**
 * The object a read action is about, or CKAN's field errors: {"id": ["Missing value"]},
 * {"id": ["Not found: Dataset"]} (User, Group).
 */
export async function requireTarget(ctx: ActionContext, kind: FollowKind, id: unknown): Promise<string> {
  const ref = givenRef(id)
  if (ref === undefined) throw ValidationError.field('id', 'Missing value')
  const found = await resolveTarget(ctx.db, kind, ref)
  if (!found) throw ValidationError.field('id', `Not found: ${kind.label}`)
  return found
}

/** The `id` param of every read action: the object (or, for followee actions, the user) by id or name. */
export function idParam(what: string) {
  return { type: 'object', additionalProperties: true, properties: { id: { type: 'string', description: `id or name of the ${what}` } } } as const
}
