import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { ValidationError } from '../../errors.js'
import { requireSource, requireSourceEdit } from '../../harvest/sources/auth.js'
import { jobDicts } from '../../harvest/sources/dictize.js'

export default defineAction({
  name: 'harvest_job_list',
  description: 'List harvest jobs, newest first, with their stats (no error summaries). Params: source_id (id or name; required unless sysadmin), status (New, Running, Finished, Aborted). Needs update rights on the source.',
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: { source_id: { type: 'string' }, status: { type: 'string' } } },
  auth: async (ctx, p) => {
    if (!p.source_id) {
      if (isSysadmin(ctx)) return
      throw new ValidationError({ source_id: ['Missing value'] })
    }
    await requireSourceEdit(ctx, await requireSource(ctx, p.source_id), (user, id) => `User ${user} not authorized to list jobs for source ${id}`)
  },
  handler: async (ctx, p) => {
    let q = ctx.db.selectFrom('harvest_job').selectAll().orderBy('created', 'desc').orderBy('id')
    if (p.source_id) q = q.where('source_id', '=', (await requireSource(ctx, p.source_id)).id)
    if (p.status) q = q.where('status', '=', p.status as 'New')
    return jobDicts(ctx.db, await q.execute(), { summaries: false })
  },
})
