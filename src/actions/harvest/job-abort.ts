import { defineAction } from '../define.js'
import { requireSysadmin } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { findSource } from '../../harvest/sources/sources.js'
import { findJob } from '../../harvest/pipeline/jobs.js'
import { jobDict } from '../../harvest/sources/dictize.js'

export default defineAction({
  name: 'harvest_job_abort',
  description:
    'Abort a harvest job (sysadmins): given a source (id or name), its newest job; else the job with that id. A job not yet Finished becomes Finished, and its objects not COMPLETE or ERROR become ERROR (workers drop them). Params: id or source_id. Returns harvest_job_show of the job.',
  sideEffectFree: false,
  params: { type: 'object', additionalProperties: true, properties: { id: { type: 'string' }, source_id: { type: 'string' } } },
  auth: requireSysadmin('abort harvest jobs'),
  handler: async (ctx, p) => {
    const ref = p.source_id || p.id
    if (!ref) throw new NotFound()
    return ctx.transaction(async (tx) => {
      const source = await findSource(tx.db, ref)
      let jobId: string
      if (source) {
        const last = await tx.db.selectFrom('harvest_job').select('id').where('source_id', '=', source.id).orderBy('created', 'desc').orderBy('id').limit(1).executeTakeFirst()
        if (!last) throw new NotFound('Error: source has no jobs')
        jobId = last.id
      } else {
        const job = await findJob(tx.db, ref)
        if (!job) throw new NotFound()
        jobId = job.id
      }
      await tx.db.updateTable('harvest_job').set({ status: 'Finished' }).where('id', '=', jobId).where('status', '!=', 'Finished').execute()
      await tx.db.updateTable('harvest_object').set({ state: 'ERROR' }).where('harvest_job_id', '=', jobId).where('state', 'not in', ['COMPLETE', 'ERROR']).execute()
      return jobDict(tx.db, (await findJob(tx.db, jobId))!)
    })
  },
})
