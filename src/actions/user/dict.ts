import { createHash } from 'node:crypto'
import type { Kysely, ExpressionBuilder } from 'kysely'
import type { Database, UserRow } from '../../db/schema.js'
import type { ActionContext } from '../context.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized } from '../../errors.js'

export type UserDict = Record<string, unknown>

/** CKAN's User.get: by id, else by name (deleted users included). */
export async function findUserRow(db: Kysely<Database>, ref: string): Promise<UserRow | undefined> {
  const rows = await db
    .selectFrom('user')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .execute()
  return rows.find((r) => r.id === ref) ?? rows[0]
}

/** The caller is this user (CKAN compares names). */
export function isSelf(ctx: ActionContext, user: Pick<UserRow, 'name'>): boolean {
  return ctx.caller.user !== null && ctx.caller.user.name === user.name
}

/**
 * CKAN's is_authorized step 3: an auth function outside logic/auth/get.py (and not one of the few
 * that allow anonymous access) refuses an anonymous caller with this message.
 */
export function requireLoggedIn(ctx: ActionContext, authFunction: string): void {
  if (!ctx.caller.user) throw new NotAuthorized(`Action ${authFunction} requires an authenticated user`)
}

/** Count of datasets the user created: active public ones, or all but deleted (self/sysadmin in user_show). */
export function createdPackagesCount(includePrivateAndDraft: boolean) {
  return (eb: ExpressionBuilder<Database, 'user'>) => {
    let q = eb
      .selectFrom('package')
      .select((e) => e.fn.countAll<number>().as('n'))
      .whereRef('package.creator_user_id', '=', 'user.id')
    q = includePrivateAndDraft ? q.where('package.state', '!=', 'deleted') : q.where('package.state', '=', 'active').where('package.private', '=', false)
    return q.as('number_created_packages')
  }
}

export type UserWithCount = UserRow & { number_created_packages: number | string | null }

export async function loadUserWithCount(db: Kysely<Database>, id: string, includePrivateAndDraft: boolean): Promise<UserWithCount | undefined> {
  return db.selectFrom('user').selectAll('user').select(createdPackagesCount(includePrivateAndDraft)).where('user.id', '=', id).executeTakeFirst()
}

export function emailHash(email: string | null): string {
  return createHash('md5')
    .update((email ?? '').trim().toLowerCase())
    .digest('hex')
}

export function userImageDisplayUrl(imageUrl: string | null, siteUrl: string): string | null {
  if (!imageUrl) return imageUrl
  return imageUrl.startsWith('http') ? imageUrl : `${siteUrl}/uploads/user/${encodeURIComponent(imageUrl)}`
}

export interface DictizeOptions {
  /** user_create: email and apikey of the new user always shown. */
  keepEmail?: boolean
  includePasswordHash?: boolean
  includePluginExtras?: boolean
}

/**
 * CKAN's user_dictize: table columns in order (without password and reset_key), then the computed
 * keys; `email` and `apikey` only for the user themself and sysadmins; the password hash only to a
 * sysadmin who asked for it. `apikey` is always null: legacy per-user keys are never generated.
 */
export function userDict(ctx: ActionContext, user: UserWithCount, opts: DictizeOptions = {}): UserDict {
  const d: UserDict = {
    id: user.id,
    name: user.name,
    fullname: user.fullname,
    created: user.created,
    about: user.about,
    last_active: user.last_active,
    activity_streams_email_notifications: user.activity_streams_email_notifications,
    sysadmin: user.sysadmin,
    state: user.state,
    image_url: user.image_url,
    display_name: user.fullname !== null && user.fullname.trim() !== '' ? user.fullname : user.name,
    email_hash: emailHash(user.email),
    number_created_packages: Number(user.number_created_packages),
  }
  if (opts.keepEmail) {
    d.email = user.email
    d.apikey = null
  }
  const sysadmin = isSysadmin(ctx)
  if (sysadmin || isSelf(ctx, user)) {
    d.apikey = null
    d.email = user.email
  }
  if (sysadmin && opts.includePasswordHash) d.password_hash = user.password_hash
  if (sysadmin && opts.includePluginExtras) d.plugin_extras = user.plugin_extras
  d.image_display_url = userImageDisplayUrl(user.image_url, ctx.config.siteUrl)
  return d
}

/** `q` as a LIKE pattern that matches the text literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
