import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { visiblePackages } from '../../auth/authz.js'
import { RawJson } from '../../cache/read-cache.js'

export default defineAction({
  name: 'package_list',
  description: "Return the names of the site's active public datasets, sorted by name.\n\nParams: limit, offset. include_private/include_drafts/include_deleted are accepted and ignored, as in CKAN.",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      limit: { type: 'integer', minimum: 0 },
      offset: { type: 'integer', minimum: 0 },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const key = `package_list:${p.limit ?? ''}:${p.offset ?? ''}`
    const hit = ctx.cache.get(key)
    if (hit) return hit.raw
    const generation = ctx.cache.generation
    // package_list never shows private datasets, whoever asks (CKAN's behaviour)
    const rows = await ctx.db
      .selectFrom('package')
      .select('name')
      .where(visiblePackages({ ...ctx, caller: { user: null } }))
      .where('type', '=', 'dataset')
      // byte order, whatever the database's collation, so paging is stable everywhere
      .orderBy(sql`name collate "C"`)
      .$if(p.limit !== undefined, (q) => q.limit(p.limit!))
      .$if(p.offset !== undefined && p.offset > 0, (q) => q.offset(p.offset!))
      .execute()
    const raw = new RawJson(JSON.stringify(rows.map((r) => r.name)))
    ctx.cache.set([key], { raw, meta: { id: '', state: 'active', private: false, owner_org: null, creator_user_id: null } }, generation)
    return raw
  },
})
