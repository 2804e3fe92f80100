import { defineAction } from '../define.js'
import { USER } from './kinds.js'
import { idParam, requireTarget } from './target.js'
import { followeeCount, followees, requireFolloweeReader, type FolloweeType } from './followees.js'

const TYPES: FolloweeType[] = ['user', 'dataset', 'group', 'organization']

const DICT_OF: Record<FolloweeType, string> = {
  user: 'user dicts (without email or apikey), sorted by name',
  dataset: 'package_show dicts of those the caller may read',
  group: 'group dicts',
  organization: 'organization dicts',
}

/** <type>_followee_list: auth (self or sysadmin) before the id is checked, as in CKAN. */
function followeeList(type: FolloweeType) {
  return defineAction({
    name: `${type}_followee_list`,
    description: `Return the ${type === 'user' ? 'users' : `${type}s`} a user follows, as ${DICT_OF[type]}. Params: id (the user's id or name). Only the user themself and sysadmins may ask.`,
    sideEffectFree: true,
    params: idParam('user'),
    auth: (ctx, p) => requireFolloweeReader(ctx, p.id),
    handler: async (ctx, p) => followees(ctx, await requireTarget(ctx, USER, p.id), type),
  })
}

/** display_name, else fullname, title, name: the first one set (CKAN's followee_list). */
function displayName(d: Record<string, unknown>): string {
  for (const k of ['display_name', 'fullname', 'title', 'name']) {
    const v = d[k]
    if (typeof v === 'string' && v !== '') return v
  }
  return ''
}

const followeeListAll = defineAction({
  name: 'followee_list',
  description:
    "Return everything a user follows: [{type: user|dataset|group|organization, display_name, dict}], sorted by display_name. Params: id (the user's id or name), q (optional: only those whose display name starts with it, case-insensitive). Only the user themself and sysadmins may ask.",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: { id: { type: 'string', description: "the user's id or name" }, q: { type: 'string', description: 'display name prefix' } },
  },
  // CKAN validates this one before its auth: an unknown user is a 409 for anyone
  auth: 'public',
  handler: async (ctx, p) => {
    const userId = await requireTarget(ctx, USER, p.id)
    await requireFolloweeReader(ctx, userId)
    const all: Array<{ type: FolloweeType; display_name: string; dict: Record<string, unknown> }> = []
    for (const type of TYPES) for (const dict of await followees(ctx, userId, type)) all.push({ type, display_name: displayName(dict), dict })
    all.sort((a, b) => (a.display_name < b.display_name ? -1 : a.display_name > b.display_name ? 1 : 0))
    const q = p.q?.trim().toLowerCase()
    return q ? all.filter((f) => f.display_name.trim().toLowerCase().startsWith(q)) : all
  },
})

function followeeCountAction(type: FolloweeType | 'all') {
  const name = type === 'all' ? 'followee_count' : `${type}_followee_count`
  return defineAction({
    name,
    description: `Return the number of ${type === 'all' ? 'objects (users, datasets, groups and organizations)' : type === 'user' ? 'users' : `${type}s`} a user follows (a true count; CKAN 2.11 counts groups for every type). Params: id (the user's id or name).`,
    sideEffectFree: true,
    params: idParam('user'),
    auth: 'public',
    handler: async (ctx, p): Promise<number> => followeeCount(ctx, await requireTarget(ctx, USER, p.id), type),
  })
}

export const followeeActions = [...TYPES.map(followeeList), followeeListAll, ...(['all', ...TYPES] as const).map(followeeCountAction)]
