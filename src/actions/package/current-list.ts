import { defineAction } from '../define.js'
import { visiblePackages } from '../../auth/authz.js'
import { isSysadmin } from '../context.js'
import { packageDicts } from '../../model/package-dict.js'
import { ROWS_DEFAULT, ROWS_MAX } from './search.js'

export default defineAction({
  name: 'current_package_list_with_resources',
  description: 'Return full dataset dicts (with resources), most recently modified first.\n\nParams: limit (default 10, at most 1000), offset, page (1-based, used with limit). Sysadmins also get private datasets.',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      limit: { type: 'integer', minimum: 0 },
      offset: { type: 'integer', minimum: 0 },
      page: { type: 'integer', minimum: 1 },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    // CKAN 2.11 runs package_search with rows=limit: without one, package_search's default page
    const limit = Math.min(p.limit ?? ROWS_DEFAULT, ROWS_MAX)
    const offset = p.page !== undefined && p.limit !== undefined ? (p.page - 1) * p.limit : (p.offset ?? 0)
    // page × limit can pass what an SQL bigint holds: a page that far is past any catalogue
    if (!Number.isSafeInteger(offset)) return []
    const rows = await ctx.db
      .selectFrom('package')
      .select('id')
      .where(visiblePackages(ctx, { includePrivate: isSysadmin(ctx) }))
      .orderBy('metadata_modified', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute()
    return packageDicts(
      ctx.db,
      rows.map((r) => r.id),
      ctx.config.siteUrl,
    )
  },
})
