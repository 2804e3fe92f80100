import type { GroupRow } from '../../db/schema.js'
import { ValidationError } from '../../errors.js'
import { asBool } from '../params.js'
import type { ActionContext } from '../context.js'
import { defineAction } from '../define.js'
import { groupDict, type DictizeOptions, type GroupDict } from '../../model/group-dict.js'
import { GROUP, requireGroup, requireReadGroup, type GroupKind } from './kind.js'

/** A flag CKAN reads with asbool; anything else is its "Parameter is not an bool". */
const flag = { type: ['boolean', 'string', 'null'], description: 'true/false (asbool strings accepted)' } as const

export const SHOW_FLAGS = {
  include_datasets: { ...flag, description: 'Add `packages`: the first page (10) of its datasets the caller may see, as package_show dicts (default false).' },
  include_dataset_count: { ...flag, description: 'Add `package_count` (default true).' },
  include_extras: { ...flag, description: 'Add `extras` (default true).' },
  include_users: { ...flag, description: 'Add `users`, each with its `capacity` (default true).' },
  include_groups: { ...flag, description: 'Add `groups`, the groups it belongs to (default true).' },
  include_tags: { ...flag, description: 'Add `tags` (default true).' },
  include_followers: { ...flag, description: 'Count followers in `num_followers` (default true; 0 otherwise).' },
  include_member_count: { ...flag, description: 'Add `member_count`, the number of users (default false).' },
} as const

export type ShowFlags = { [K in keyof typeof SHOW_FLAGS]?: boolean | string | null }

function readFlag(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (value === null) return false
  const b = asBool(value)
  if (b === undefined) throw ValidationError.message('Parameter is not an bool')
  return b
}

/** The show defaults; the list actions' `all_fields` turns extras, tags, users, groups and followers off. */
export function showOptions(p: ShowFlags, listDefaults = false): DictizeOptions {
  const datasets = readFlag(p.include_datasets, false)
  const count = readFlag(p.include_dataset_count, true)
  const extras = readFlag(p.include_extras, !listDefaults)
  const users = readFlag(p.include_users, !listDefaults)
  const groups = readFlag(p.include_groups, !listDefaults)
  const tags = readFlag(p.include_tags, !listDefaults)
  const followers = readFlag(p.include_followers, !listDefaults)
  const memberCount = readFlag(p.include_member_count, false)
  return {
    packages: datasets ? 'datasets' : count ? 'count' : null,
    extras,
    tags,
    groups: groups ? 'names' : null,
    users,
    memberCount,
    numFollowers: true,
    countFollowers: followers,
  }
}

export async function showGroup(ctx: ActionContext, group: GroupRow, p: ShowFlags = {}, listDefaults = false): Promise<GroupDict> {
  return groupDict(ctx, group, showOptions(p, listDefaults))
}

export function showAction(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_show`,
    description: `Return the details of ${kind.isOrganization ? 'an organization' : 'a group'}: its fields, display_name, image_display_url, package_count (datasets the caller may see), extras, users with their capacity, the groups it belongs to, and with include_datasets its first datasets. :param id: the id or name.`,
    sideEffectFree: true,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${noun}` }, ...SHOW_FLAGS },
    },
    auth: 'public',
    handler: async (ctx, p) => {
      const opts = showOptions(p)
      const group = await requireGroup(ctx, kind, p.id)
      await requireReadGroup(ctx, group)
      return groupDict(ctx, group, opts)
    },
  })
}

export default showAction(GROUP)
