import { defineAction } from '../define.js'
import { requireSource, requireSourceEdit } from '../../harvest/sources/auth.js'
import { createJob } from '../../harvest/pipeline/jobs.js'
import { jobDict } from '../../harvest/sources/dictize.js'

export default defineAction({
  name: 'harvest_job_create',
  description:
    'Create a job for a harvest source and, unless run is false, start it (status Running, gather queued). A source has at most one New or Running job; inactive sources get none (both 409 Validation Errors). Params: source_id (id or name), run (default true). Returns harvest_job_show of the job.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['source_id'],
    additionalProperties: true,
    properties: { source_id: { type: 'string', minLength: 1 }, run: { anyOf: [{ type: 'boolean' }, { type: 'string' }] } },
  },
  auth: async (ctx, p) => requireSourceEdit(ctx, await requireSource(ctx, p.source_id), (_user, id) => `User not authorized to create a job for source ${id}`),
  handler: async (ctx, p) => {
    const run = !(p.run === false || (typeof p.run === 'string' && ['false', '0', 'no', 'off'].includes(p.run.toLowerCase())))
    return ctx.transaction(async (tx) => {
      const source = await requireSource(tx, p.source_id)
      const job = await createJob(tx.db, source, run)
      return jobDict(tx.db, job)
    })
  },
})
