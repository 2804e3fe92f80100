import { defineAction, type AnyAction } from '../define.js'
import { NotFound } from '../../errors.js'
import { requireWriteResource } from '../../datastore/access.js'
import { loadRow, statusDict } from '../../datastore/load/status.js'
import { resourceIdParam } from './xloader-submit.js'

/**
 * xloader_status (and datapusher_status): the resource's last load — pending, running, complete
 * or error — with its log and error text, in xloader's shape. Like xloader, it needs the right
 * to edit the resource; a resource never submitted is "Not found" (CKAN's task_status_show).
 */
function statusAction(name: 'xloader_status' | 'datapusher_status'): AnyAction {
  return defineAction({
    name,
    description:
      "The status of a resource's last DataStore load: {status: pending|running|complete|error, job_id, last_updated, error, task_info: {logs: [{timestamp, level, message}], ...}}. Params: resource_id (or id; required). Needs the right to edit the resource.",
    sideEffectFree: true,
    params: { type: 'object', additionalProperties: true, properties: { resource_id: { type: 'string' }, id: { type: 'string' } } },
    auth: async (ctx, p) => void (await requireWriteResource(ctx, resourceIdParam(p))),
    handler: async (ctx, p) => {
      const row = await loadRow(ctx.db, resourceIdParam(p))
      if (!row) throw new NotFound()
      const dict = statusDict(row)
      return name === 'datapusher_status' ? { ...dict, job_key: null } : dict
    },
  })
}

export const xloaderStatus = statusAction('xloader_status')
export const datapusherStatus = statusAction('datapusher_status')
