import { createHash } from 'node:crypto'
import type { Expression, Kysely } from 'kysely'
import type { Database, GroupRow } from '../db/schema.js'
import type { ActionContext } from '../actions/context.js'
import { visiblePackages } from '../auth/authz.js'
import { imageDisplayUrl, packageDicts } from './package-dict.js'
import { followerCount, GROUP as FOLLOWED_GROUP } from '../actions/follow/kinds.js'

/**
 * Organization/group dicts as CKAN's group_dictize and show schema build them
 * (ckan/lib/dictization/model_dictize.py): for *_show, the list actions' `all_fields`, and the
 * create/update results.
 */

export type GroupDict = Record<string, unknown>

/**
 * A stored extra (the `extras` column holds a list of them). CKAN keeps one row per extra
 * (group_extra), so each carries its own id; a value may be null.
 */
export interface StoredExtra {
  id?: string
  key: string
  value: string | null
}

/** CKAN's Group.get: the primary key first, then the name. */
export async function findGroup(db: Kysely<Database>, idOrName: string): Promise<GroupRow | undefined> {
  return db
    .selectFrom('group')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy((eb) => eb('id', '=', idOrName), 'desc')
    .limit(1)
    .executeTakeFirst()
}

type GroupRef = Pick<GroupRow, 'id' | 'is_organization'>

/**
 * The datasets a group "has", as package_search finds them for the caller: an organization owns
 * them (private ones too, for whoever may read them); a group has them as active members, and CKAN
 * never asks for private ones there, not even for sysadmins. `publicOnly` is CKAN's site-wide facet
 * count, used for parent groups. `groupId` may be a column reference, for a correlated subquery.
 */
export function groupDatasets(ctx: ActionContext, isOrganization: boolean, groupId: string | Expression<string>, publicOnly = false) {
  const base = ctx.db.selectFrom('package').where(visiblePackages(ctx, { includePrivate: isOrganization && !publicOnly }))
  if (isOrganization) return base.where('package.owner_org', '=', groupId)
  return base.where((eb) =>
    eb.exists(eb.selectFrom('member').select('member.id').whereRef('member.table_id', '=', 'package.id').where('member.table_name', '=', 'package').where('member.group_id', '=', groupId).where('member.state', '=', 'active')),
  )
}

async function packageCount(ctx: ActionContext, group: GroupRef, publicOnly = false): Promise<number> {
  const row = await groupDatasets(ctx, group.is_organization, group.id, publicOnly)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** package_search's default page size: `packages` in show and update results is one such page. */
const DATASETS_PAGE = 10

async function packagePage(ctx: ActionContext, group: GroupRef): Promise<GroupDict[]> {
  // an empty query scores every dataset alike, so package_search's order is the newest change first
  const rows = await groupDatasets(ctx, group.is_organization, group.id).select('package.id').orderBy('package.metadata_modified', 'desc').orderBy('package.id').limit(DATASETS_PAGE).execute()
  return packageDicts(
    ctx.db,
    rows.map((r) => r.id),
    ctx.config.siteUrl,
  )
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

function extrasDicts(group: GroupRow): GroupDict[] {
  return [...(group.extras as unknown as StoredExtra[])].sort(byKey).map((e) => ({ group_id: group.id, id: e.id ?? null, key: e.key, state: 'active', value: e.value }))
}

function userImageDisplayUrl(imageUrl: string | null, siteUrl: string): string | null {
  if (!imageUrl) return imageUrl
  return /^https?:/i.test(imageUrl) ? imageUrl : `${siteUrl}/uploads/user/${imageUrl}`
}

/**
 * Users with their capacity, sorted by name, with user_dictize's public keys: user_list_dictize
 * drops email and apikey for every caller (sysadmins included), and the password hash and plugin
 * extras are never shown here.
 */
async function userMembers(db: Kysely<Database>, groupId: string, siteUrl: string): Promise<GroupDict[]> {
  const rows = await db
    .selectFrom('member')
    .innerJoin('user', 'user.id', 'member.table_id')
    .select((eb) => [
      'user.id',
      'user.name',
      'user.fullname',
      'user.email',
      'user.created',
      'user.about',
      'user.last_active',
      'user.sysadmin',
      'user.state',
      'user.image_url',
      'member.capacity',
      eb.selectFrom('package').select(eb.fn.countAll<string>().as('n')).whereRef('package.creator_user_id', '=', 'user.id').where('package.state', '=', 'active').where('package.private', '=', false).as('number_created_packages'),
    ])
    .where('member.group_id', '=', groupId)
    .where('member.table_name', '=', 'user')
    .where('member.state', '=', 'active')
    .orderBy('user.name')
    .execute()
  return rows.map((u) => ({
    id: u.id,
    name: u.name,
    fullname: u.fullname,
    created: u.created,
    about: u.about,
    last_active: u.last_active,
    // no e-mail notifications here, so CKAN's column default
    activity_streams_email_notifications: false,
    sysadmin: u.sysadmin,
    state: u.state,
    image_url: u.image_url,
    capacity: u.capacity,
    display_name: u.fullname && u.fullname.trim() !== '' ? u.fullname : u.name,
    email_hash: createHash('md5')
      .update(u.email ? u.email.trim().toLowerCase() : '')
      .digest('hex'),
    number_created_packages: Number(u.number_created_packages ?? 0),
    image_display_url: userImageDisplayUrl(u.image_url, siteUrl),
  }))
}

async function memberCount(db: Kysely<Database>, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('member')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', groupId)
    .where('table_name', '=', 'user')
    .where('state', '=', 'active')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The groups this one is a member of (CKAN's "parent" rows: group_id = this, table_id = parent). */
async function parentGroups(db: Kysely<Database>, groupId: string): Promise<(GroupRow & { capacity: string })[]> {
  const rows = await db
    .selectFrom('member')
    .innerJoin('group', 'group.id', 'member.table_id')
    .selectAll('group')
    .select('member.capacity')
    .where('member.group_id', '=', groupId)
    .where('member.table_name', '=', 'group')
    .where('member.state', '=', 'active')
    .execute()
  return rows.sort((a, b) => displayName(a).localeCompare(displayName(b)))
}

export function displayName(group: Pick<GroupRow, 'title' | 'name'>): string {
  return group.title ? group.title : group.name
}

export interface DictizeOptions {
  /** 'datasets': `packages` (one search page) and `package_count`; 'count': the count only. */
  packages: 'datasets' | 'count' | null
  extras: boolean
  tags: boolean
  /** 'names': the show form `[{capacity, name}]`; 'full': each parent dictized (update results). */
  groups: 'names' | 'full' | null
  users: boolean
  memberCount: boolean
  /** show answers `num_followers`; update results have no such key. */
  numFollowers: boolean
  /** num_followers is the real count (group_show's include_followers), else 0 as CKAN answers without it. */
  countFollowers?: boolean
}

/** CKAN's output order: scalars alphabetically, non-empty lists, then empty lists as dictized. */
const LIST_KEYS = ['extras', 'packages', 'tags', 'groups', 'users']

function ordered(dict: GroupDict): GroupDict {
  const out: GroupDict = {}
  const scalars = Object.keys(dict)
    .filter((k) => !LIST_KEYS.includes(k))
    .sort()
  for (const k of scalars) out[k] = dict[k]
  const lists = LIST_KEYS.filter((k) => k in dict)
  for (const k of [...lists].sort()) if ((dict[k] as unknown[]).length > 0) out[k] = dict[k]
  for (const k of lists) if ((dict[k] as unknown[]).length === 0) out[k] = dict[k]
  return out
}

/** Options of a parent group inside a 'full' groups list (CKAN's group_list_dictize defaults). */
const PARENT_OPTIONS: DictizeOptions = {
  packages: 'count',
  extras: false,
  tags: false,
  groups: 'full',
  users: false,
  memberCount: true,
  numFollowers: false,
}

/** The group's table columns, as CKAN's table_dictize gives them (group dicts start with them; activities store them). */
export function groupTableRow(group: GroupRow): GroupDict {
  return {
    id: group.id,
    name: group.name,
    title: group.title,
    type: group.type,
    description: group.description,
    image_url: group.image_url,
    created: group.created,
    is_organization: group.is_organization,
    approval_status: group.approval_status,
    state: group.state,
  }
}

/**
 * One group dict. `capacity` is set for a group listed inside another; `seen` guards the parent
 * recursion, since nothing stops a hierarchy loop being created with `groups` on create.
 */
export async function groupDict(ctx: ActionContext, group: GroupRow, opts: DictizeOptions, nested: { capacity?: string; seen?: Set<string> } = {}): Promise<GroupDict> {
  const siteUrl = ctx.config.siteUrl
  const dict: GroupDict = {
    ...groupTableRow(group),
    display_name: displayName(group),
    image_display_url: imageDisplayUrl(group.image_url, siteUrl),
  }
  if (nested.capacity !== undefined) dict.capacity = nested.capacity
  if (opts.extras) dict.extras = extrasDicts(group)
  if (opts.packages === 'datasets') {
    dict.packages = await packagePage(ctx, group)
    dict.package_count = await packageCount(ctx, group)
  } else if (opts.packages === 'count') {
    dict.package_count = await packageCount(ctx, group, nested.capacity !== undefined)
  }
  // group tags cannot be created through the API, so this list is always empty
  if (opts.tags) dict.tags = []
  if (opts.groups) {
    const parents = await parentGroups(ctx.db, group.id)
    if (opts.groups === 'names') {
      dict.groups = parents.map((p) => ({ capacity: p.capacity, name: p.name }))
    } else {
      const seen = new Set(nested.seen ?? []).add(group.id)
      const list: GroupDict[] = []
      for (const p of parents) {
        if (seen.has(p.id)) continue
        list.push(await groupDict(ctx, p, PARENT_OPTIONS, { capacity: p.capacity, seen }))
      }
      dict.groups = list
    }
  }
  if (opts.users) dict.users = await userMembers(ctx.db, group.id, siteUrl)
  if (opts.memberCount) dict.member_count = await memberCount(ctx.db, group.id)
  if (opts.numFollowers) dict.num_followers = opts.countFollowers ? await followerCount(ctx.db, FOLLOWED_GROUP, group.id) : 0
  return ordered(dict)
}
