import { defineAction } from '../define.js'
import { visiblePackages } from '../../auth/authz.js'
import { sourceListRows, sourceQuery } from '../../harvest/sources/sources.js'
import { pgTime } from '../../harvest/sources/source-schema.js'

const LIMIT = 100

const bool = { anyOf: [{ type: 'boolean' }, { type: 'string' }] } as const
function asBool(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', 'yes', 'on', '1'].includes(v.toLowerCase()))
}

export default defineAction({
  name: 'harvest_source_list',
  description:
    'List harvest sources as their raw rows (id, url, title, description, config, created, type, active, user_id, publisher_id, frequency, next_run, publisher_title, and the deprecated status), newest first, at most 100. Only sources the caller may read are listed.\n\nParams: organization_id (id or name), only_active, only_to_run (due for a scheduled run), return_last_job_status (adds last_job_status).',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: { organization_id: { type: 'string' }, only_active: bool, only_to_run: bool, return_last_job_status: bool },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    let q = sourceQuery(ctx.db)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('package')
            .select('package.id')
            .whereRef('package.id', '=', 'hs.id')
            .where(visiblePackages(ctx, { includePrivate: true, includeDrafts: true, includeDeleted: true })),
        ),
      )
      .orderBy('hs.created', 'desc')
      .limit(LIMIT)
    if (p.organization_id) {
      const org = p.organization_id
      q = q.where((eb) =>
        eb(
          'p.owner_org',
          'in',
          eb
            .selectFrom('group')
            .select('id')
            .where('is_organization', '=', true)
            .where((e) => e.or([e('id', '=', org), e('name', '=', org)])),
        ),
      )
    }
    if (asBool(p.only_active)) q = q.where('p.state', '=', 'active')
    if (asBool(p.only_to_run)) {
      q = q.where('hs.frequency', '!=', 'MANUAL').where((eb) => eb.or([eb('hs.next_run', 'is', null), eb('hs.next_run', '<=', pgTime(new Date()))]))
    }
    return sourceListRows(ctx.db, await q.execute(), asBool(p.return_last_job_status))
  },
})
