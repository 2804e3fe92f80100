import { sql, type Expression } from 'kysely'
import type { ActionContext } from '../context.js'
import { createdPackagesCount, userDict, type UserDict } from '../user/dict.js'

/**
 * CKAN's user_list_dictize: user dicts without email, apikey or reset key (even for sysadmins),
 * sorted by name. `ids` selects the users.
 */
export async function userListDicts(ctx: ActionContext, ids: Expression<string>): Promise<UserDict[]> {
  const rows = await ctx.db
    .selectFrom('user')
    .selectAll('user')
    .select(createdPackagesCount(false))
    .where('user.id', 'in', ids)
    .orderBy(sql`"user".name COLLATE "C"`)
    .execute()
  return rows.map((r) => {
    const d = userDict(ctx, r)
    delete d.email
    delete d.apikey
    return d
  })
}
