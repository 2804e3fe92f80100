import { defineAction } from '../define.js'
import type { ActionContext } from '../context.js'
import { NotFound } from '../../errors.js'
import { requireSource, requireSourceEdit } from '../../harvest/sources/auth.js'
import { findJob } from '../../harvest/pipeline/jobs.js'
import { jobDict, type JobRow } from '../../harvest/sources/dictize.js'
import { jobReport } from '../../harvest/sources/report.js'

const params = { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', minLength: 1 } } } as const

/** Jobs are shown to those who may update their source (ckanext-harvest's harvest_job_show auth). */
async function requireJob(ctx: ActionContext, id: string): Promise<JobRow> {
  const job = await findJob(ctx.db, id)
  if (!job) throw new NotFound()
  return job
}

async function auth(ctx: ActionContext, id: string): Promise<void> {
  const job = await requireJob(ctx, id)
  await requireSourceEdit(ctx, await requireSource(ctx, job.source_id), (user, sid) => `User ${user} not authorized to see jobs from source ${sid}`)
}

export const jobShow = defineAction({
  name: 'harvest_job_show',
  description: 'Return a harvest job: its columns, stats {added, updated, not modified, errored, deleted}, object_error_summary and gather_error_summary (top 20 messages). Params: id.',
  sideEffectFree: true,
  params,
  auth: (ctx, p) => auth(ctx, p.id),
  handler: async (ctx, p) => jobDict(ctx.db, await requireJob(ctx, p.id)),
})

export const jobReportAction = defineAction({
  name: 'harvest_job_report',
  description: "Return a harvest job's errors: {gather_errors: [{message}], object_errors: {<object id>: {guid, errors: [{message, line, type}]}}}. Params: id.",
  sideEffectFree: true,
  params,
  auth: (ctx, p) => auth(ctx, p.id),
  handler: async (ctx, p) => jobReport(ctx.db, await requireJob(ctx, p.id)),
})
