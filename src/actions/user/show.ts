import { visiblePackages } from '../../auth/authz.js'
import { defineAction } from '../define.js'
import { isSysadmin, type ActionContext } from '../context.js'
import { NotFound } from '../../errors.js'
import { packageDicts } from '../../model/package-dict.js'
import type { UserRow } from '../../db/schema.js'
import { followerCount, USER } from '../follow/kinds.js'
import { findUserRow, isSelf, loadUserWithCount, userDict, type DictizeOptions, type UserDict } from './dict.js'

/** The user dict of `user` as the caller may see it (number_created_packages counts private and drafts for self and sysadmins). */
export async function showUser(ctx: ActionContext, user: UserRow, opts: DictizeOptions = {}): Promise<UserDict> {
  const full = isSysadmin(ctx) || isSelf(ctx, user)
  const row = await loadUserWithCount(ctx.db, user.id, full)
  if (!row) throw new NotFound('User was not found.')
  return userDict(ctx, row, opts)
}

export default defineAction({
  name: 'user_show',
  description:
    'Return a user account.\n\nParams: id (id or name; default: the caller), include_datasets (false; up to 50 datasets the user created, private and drafts only for the user and sysadmins), include_num_followers (false), include_password_hash and include_plugin_extras (sysadmins only, silently ignored for others). `email` and `apikey` are shown only to the user and to sysadmins; the password hash never, unless a sysadmin asks for it.',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: 'id or name of the user; default: the caller' },
      include_datasets: { type: 'boolean', default: false },
      include_num_followers: { type: 'boolean', default: false },
      include_password_hash: { type: 'boolean', default: false },
      include_plugin_extras: { type: 'boolean', default: false },
    },
  },
  // ckan.auth.public_user_details (default true): anyone may look a user up
  auth: 'public',
  handler: async (ctx, p) => {
    const ref = p.id ?? ctx.caller.user?.name ?? ''
    const user = ref ? await findUserRow(ctx.db, ref) : undefined
    if (!user) throw new NotFound()
    const dict = await showUser(ctx, user, { includePasswordHash: p.include_password_hash, includePluginExtras: p.include_plugin_extras })
    if (p.include_datasets) {
      // the one visibility rule: private and drafts only where the caller may read them
      const ids = await ctx.db
        .selectFrom('package')
        .select('id')
        .where('creator_user_id', '=', user.id)
        .where(visiblePackages(ctx, { includePrivate: true, includeDrafts: true }))
        .orderBy('metadata_modified', 'desc')
        .orderBy('id')
        .limit(50)
        .execute()
      dict.datasets = await packageDicts(
        ctx.db,
        ids.map((r) => r.id),
        ctx.config.siteUrl,
      )
    }
    if (p.include_num_followers) dict.num_followers = await followerCount(ctx.db, USER, user.id)
    return dict
  },
})
