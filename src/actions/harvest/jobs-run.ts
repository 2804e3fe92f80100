import { defineAction } from '../define.js'
import { requireSysadmin } from '../../auth/authz.js'
import { requireSource } from '../../harvest/sources/auth.js'
import { scheduleDueSources } from '../../harvest/pipeline/schedule.js'
import { finishJobIfDone } from '../../harvest/pipeline/job-finish.js'

export default defineAction({
  name: 'harvest_jobs_run',
  description:
    'Scheduler pass (sysadmins): without source_id, starts a job for every active source whose frequency is not MANUAL and whose next_run is unset or past (unless it has a New or Running job) and moves its next_run on; then marks Finished every Running job (of source_id, if given) whose gather is over and whose objects are all done. Returns [].',
  sideEffectFree: false,
  params: { type: 'object', additionalProperties: true, properties: { source_id: { type: 'string' } } },
  auth: requireSysadmin('run the pending harvest jobs'),
  handler: async (ctx, p) => {
    const sourceId = p.source_id ? (await requireSource(ctx, p.source_id)).id : null
    if (!sourceId) await scheduleDueSources(ctx.db)
    let q = ctx.db.selectFrom('harvest_job').select('id').where('status', '=', 'Running')
    if (sourceId) q = q.where('source_id', '=', sourceId)
    for (const job of await q.execute()) await finishJobIfDone(ctx.db, job.id)
    return []
  },
})
