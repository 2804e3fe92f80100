import { defineAction, type AnyAction } from '../define.js'
import { ValidationError } from '../../errors.js'
import { requireWriteResource } from '../../datastore/access.js'
import { submitLoad } from '../../datastore/load/status.js'
import { asBool } from '../params.js'

/**
 * xloader_submit (and DataPusher's datapusher_submit): queue a load of the resource's file into
 * the DataStore. Who may edit the resource may submit it (xloader's datastore_auth). Answers
 * true once queued, as xloader does; the status is then `pending` (xloader_status).
 */
function submitAction(name: 'xloader_submit' | 'datapusher_submit'): AnyAction {
  return defineAction({
    name,
    description:
      "Queue a load of a resource's file (CSV, TSV, and the spreadsheet formats of DATASTORE_LOAD_FORMATS) into the DataStore; returns true. Params: resource_id (or id; required), ignore_hash (reload even when the file has not changed since the last load), set_url_type, sync and queue (accepted, ignored: loads run in order on Abierto's own queue). Needs the right to edit the resource.",
    sideEffectFree: false,
    params: {
      type: 'object',
      additionalProperties: true,
      properties: { resource_id: { type: 'string' }, id: { type: 'string' }, ignore_hash: {}, set_url_type: {}, sync: {}, queue: {} },
    },
    auth: async (ctx, p) => void (await requireWriteResource(ctx, resourceIdParam(p))),
    handler: async (ctx, p) => {
      const id = resourceIdParam(p)
      // CKAN's boolean_validator: anything but a true-ish value is false
      const ignoreHash = asBool(p.ignore_hash) === true
      const resource = await ctx.db.selectFrom('resource').select(['id', 'url']).where('id', '=', id).executeTakeFirstOrThrow()
      await submitLoad(ctx.db, resource, { ignoreHash })
      return true
    },
  })
}

/** `resource_id`, or `id` renamed to it (xloader's schema); CKAN's "Missing value" otherwise. */
export function resourceIdParam(p: { resource_id?: string; id?: string }): string {
  const id = p.resource_id ?? p.id
  if (typeof id !== 'string' || id.trim() === '') throw new ValidationError({ resource_id: ['Missing value'] })
  return id
}

export const xloaderSubmit = submitAction('xloader_submit')
export const datapusherSubmit = submitAction('datapusher_submit')
