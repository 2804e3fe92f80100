import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { requireSource, requireSourceEdit } from '../../harvest/sources/auth.js'
import { removeBlobs } from '../resource/upload.js'
import { reindexHarvestedDatasets } from '../../harvest/sources/reindex.js'

const idParams = { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string', minLength: 1 } } } as const

const clearMessage = (user: string, id: string) => `User ${user} not authorized to update harvest source ${id}`

export const sourceClear = defineAction({
  name: 'harvest_source_clear',
  description: 'Remove for good every dataset ever imported by a harvest source (id or name), with all its jobs, objects and errors; the source itself is kept. Returns {id}.',
  sideEffectFree: false,
  params: idParams,
  auth: async (ctx, p) => requireSourceEdit(ctx, await requireSource(ctx, p.id), clearMessage),
  handler: async (ctx, p) => {
    const { id, uploads } = await ctx.transaction(async (tx) => {
      const source = await requireSource(tx, p.id)
      const ids = (await tx.db.selectFrom('harvest_object').select('package_id').distinct().where('harvest_source_id', '=', source.id).where('package_id', 'is not', null).where('package_id', '!=', source.id).execute()).map(
        (r) => r.package_id!,
      )
      let uploads: string[] = []
      if (ids.length > 0) {
        uploads = (await tx.db.selectFrom('resource').select('id').where('package_id', 'in', ids).where('url_type', '=', 'upload').execute()).map((r) => r.id)
        await tx.db.deleteFrom('member').where('table_name', '=', 'package').where('table_id', 'in', ids).execute()
        // resources, tags and collaborators cascade; the search outbox triggers drop them from the index
        await tx.db.deleteFrom('package').where('id', 'in', ids).execute()
      }
      // objects and errors cascade from their job
      await tx.db.deleteFrom('harvest_job').where('source_id', '=', source.id).execute()
      // the next run lists everything again: from a kept watermark or feed position it would bring back only later changes
      await tx.db.updateTable('harvest_source').set({ watermark: null, feed_cursor: null }).where('id', '=', source.id).execute()
      return { id: source.id, uploads }
    })
    await removeBlobs(ctx, uploads)
    return { id }
  },
})

export const sourceJobHistoryClear = defineAction({
  name: 'harvest_source_job_history_clear',
  description: "Delete a harvest source's jobs, objects and errors but keep its datasets. With keep_current, Running jobs and jobs owning a current object are kept (with their objects). Params: id (id or name), keep_current. Returns {id}.",
  sideEffectFree: false,
  params: { ...idParams, properties: { ...idParams.properties, keep_current: { anyOf: [{ type: 'boolean' }, { type: 'string' }] } } },
  auth: async (ctx, p) => requireSourceEdit(ctx, await requireSource(ctx, p.id), clearMessage),
  handler: async (ctx, p) => {
    const keep = p.keep_current === true || (typeof p.keep_current === 'string' && ['true', '1', 'yes'].includes(p.keep_current.toLowerCase()))
    return ctx.transaction(async (tx) => {
      const source = await requireSource(tx, p.id)
      if (keep) {
        // a kept job keeps all its objects: the others' objects and errors cascade with them
        await sql`
          DELETE FROM harvest_job j WHERE j.source_id = ${source.id} AND j.status <> 'Running'
             AND NOT EXISTS (SELECT 1 FROM harvest_object o WHERE o.harvest_job_id = j.id AND o.current)`.execute(tx.db)
      } else {
        // their datasets lose the harvest extras
        await reindexHarvestedDatasets(tx.db, source.id)
        await tx.db.deleteFrom('harvest_job').where('source_id', '=', source.id).execute()
      }
      return { id: source.id }
    })
  },
})

export const sourceReindex = defineAction({
  name: 'harvest_source_reindex',
  description: "Kept for ckanext-harvest clients: a source's status is computed whenever it is shown or searched, so there is nothing to re-index. Params: id (id or name). Returns true.",
  sideEffectFree: true,
  params: idParams,
  auth: 'public',
  handler: async (ctx, p) => {
    await requireSource(ctx, p.id)
    return true
  },
})
