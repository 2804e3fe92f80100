import { defineAction } from '../define.js'
import { NotFound, ValidationError } from '../../errors.js'
import { findSource, findSourceByUrl } from '../../harvest/sources/sources.js'
import { requireSource, requireSourceRead } from '../../harvest/sources/auth.js'
import { sourceStatus } from '../../harvest/sources/dictize.js'

export const sourceShow = defineAction({
  name: 'harvest_source_show',
  description: 'Return a harvest source: its package_show dict plus source_type, frequency, config (and each config key), active and status {job_count, last_job, total_datasets}.\n\nParams: id (id or name) or url (the exact source URL).',
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: { id: { type: 'string' }, url: { type: 'string' } } },
  // package_show applies the dataset read rule to the source
  auth: 'public',
  handler: async (ctx, p) => {
    if (!p.id && !p.url) throw new ValidationError({ id: ['Missing value'] })
    const source = p.id ? await findSource(ctx.db, p.id) : await findSourceByUrl(ctx.db, p.url!)
    if (!source) throw new NotFound('Harvest source not found')
    return ctx.call('package_show', { id: source.id })
  },
})

export const sourceShowStatus = defineAction({
  name: 'harvest_source_show_status',
  description: "Return a harvest source's status: {job_count, last_job (harvest_job_show of the newest job, or null), total_datasets (active public datasets it keeps current)}.\n\nParams: id (id or name).",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', minLength: 1 } } },
  auth: async (ctx, p) => requireSourceRead(ctx, await requireSource(ctx, p.id)),
  handler: async (ctx, p) => sourceStatus(ctx.db, (await requireSource(ctx, p.id)).id),
})
