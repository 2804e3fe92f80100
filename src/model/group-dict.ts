import { createHash } from 'node:crypto'
import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely'
import type { Database, GroupRow, KeyValue } from '../db/schema.js'
import type { ActionContext } from '../actions/context.js'
import { visiblePackages } from '../auth/authz.js'
import { imageDisplayUrl, packageDicts } from './package-dict.js'

/**
 * Organization/group dicts as CKAN's group_dictize and show schema build them
 * (ckan/lib/dictization/model_dictize.py), for group_show, organization_show, the list actions'
 * `all_fields`, and the create/update results.
 */

export type GroupDict = Record<string, unknown>

/** A stored extra: CKAN keeps a row per extra (group_extra), so each has its own id. */
export interface StoredExtra extends KeyValue {
  id?: string
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

/** package_search's default page size: `packages` in show and update results is one such page. */
const DATASETS_PAGE = 10

/**
 * The datasets a group "has", as package_search would find them for the caller: an organization
 * owns them (private ones included for those who may read them), a group lists them as members
 * (CKAN never asks for private ones there, not even for sysadmins).
 */
function groupPackages(ctx: ActionContext, group: Pick<GroupRow, 'id' | 'is_organization'>): SelectQueryBuilder<Database, 'package', object> {
  const base = ctx.db.selectFrom('package').where(visiblePackages(ctx, { includePrivate: group.is_organization }))
  if (group.is_organization) return base.where('package.owner_org', '=', group.id)
  return base.where((eb) => eb.exists(memberOf(eb, group.id)))
}

function memberOf(eb: ExpressionBuilder<Database, 'package'>, groupId: string) {
  return eb
    .selectFrom('member')
    .select('member.id')
    .whereRef('member.table_id', '=', 'package.id')
    .where('member.table_name', '=', 'package')
    .where('member.group_id', '=', groupId)
    .where('member.state', '=', 'active')
}

export async function packageCount(ctx: ActionContext, group: Pick<GroupRow, 'id' | 'is_organization'>): Promise<number> {
  const row = await groupPackages(ctx, group).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

async function packagePage(ctx: ActionContext, group: Pick<GroupRow, 'id' | 'is_organization'>): Promise<GroupDict[]> {
  // package_search's default order: relevance ties on an empty query, so most recently modified first
  const rows = await groupPackages(ctx, group)
    .select('package.id')
    .orderBy('package.metadata_modified', 'desc')
    .orderBy('package.id')
    .limit(DATASETS_PAGE)
    .execute()
  return packageDicts(ctx.db, rows.map((r) => r.id), ctx.config.siteUrl)
}

function extrasDicts(group: GroupRow): GroupDict[] {
  return [...(group.extras as StoredExtra[])]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => ({ group_id: group.id, id: e.id ?? null, key: e.key, state: 'active', value: e.value }))
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex')
}

/**
 * Users with their capacity, sorted by name. CKAN's user_list_dictize drops email and apikey for
 * everyone (sysadmins included) and never shows the password hash or plugin extras.
 */
async function userMembers(db: Kysely<Database>, groupId: string): Promise<GroupDict[]> {
  const rows = await db
    .selectFrom('member')
    .innerJoin('user', 'user.id', 'member.table_id')
    .select((eb) => [
      'user.id', 'user.name', 'user.fullname', 'user.email', 'user.created', 'user.about', 'user.last_active',
      'user.sysadmin', 'user.state', 'user.image_url', 'member.capacity',
      eb
        .selectFrom('package')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('package.creator_user_id', '=', 'user.id')
        .where('package.state', '=', 'active')
        .where('package.private', '=', false)
        .as('number_created_packages'),
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
    activity_streams_email_notifications: false,
    sysadmin: u.sysadmin,
    state: u.state,
    image_url: u.image_url,
    capacity: u.capacity,
    display_name: u.fullname && u.fullname.trim() !== '' ? u.fullname : u.name,
    email_hash: md5(u.email ? u.email.trim().toLowerCase() : ''),
    number_created_packages: Number(u.number_created_packages ?? 0),
    image_display_url: u.image_url ? imageDisplayUrl(u.image_url, '').replace(/^\/uploads\/group\//, '') && userImage(u.image_url) : u.image_url,
  }))
}

/** The user flavour of image_display_url; `siteUrl` is bound by the caller through `withSite`. */
let currentSite = ''
function userImage(imageUrl: string): string {
  return /^https?:/i.test(imageUrl) ? imageUrl : `${currentSite}/uploads/user/${imageUrl}`
}
