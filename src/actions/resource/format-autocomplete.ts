import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { visiblePackages } from '../../auth/authz.js'
import { containsPattern } from '../user/dict.js'

export default defineAction({
  name: 'format_autocomplete',
  description:
    'Return up to `limit` (5) resource formats containing `q` (case-insensitive), lowercased, most used first. Only resources of datasets the caller may see count (CKAN counts every active resource, those of private and deleted datasets included).\n\nParams: q (required), limit.',
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['q'],
    additionalProperties: true,
    properties: {
      q: { type: 'string', description: 'text the format contains' },
      limit: { type: 'integer', minimum: 0, default: 5 },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const format = sql<string>`lower(resource.format)`
    const rows = await ctx.db
      .selectFrom('resource')
      .innerJoin('package', 'package.id', 'resource.package_id')
      .select([format.as('format'), (eb) => eb.fn.countAll<string>().as('total')])
      .where('resource.state', '=', 'active')
      .where(visiblePackages(ctx, { includePrivate: true }))
      .where('resource.format', 'ilike', containsPattern(p.q))
      .where('resource.format', '!=', '')
      // grouped lowercased: CKAN groups the raw values and can answer ["csv", "csv"]
      .groupBy(format)
      .orderBy('total', 'desc')
      .orderBy(format)
      .limit(p.limit)
      .execute()
    return rows.map((r) => r.format)
  },
})
