import { defineAction } from '../define.js'
import { NotFound, ValidationError } from '../../errors.js'
import { requireReadResource } from '../../datastore/access.js'
import { resolveTable } from '../../datastore/resolve.js'
import { tableInfo } from '../../datastore/info.js'
import { readOnly, searchFailure } from '../../datastore/read-transaction.js'

export default defineAction({
  name: 'datastore_info',
  description:
    "Describe a DataStore table.\n\nParams: resource_id (id or alias; also `id`).\n\nReturns {meta: {id (the table's resource, aliases dereferenced), count, table_type, size, db_size, idx_size, aliases}, fields: [{id, type, info, schema: {native_type, notnull, index_name, is_index, uniquekey}}]} (`_id` not listed).",
  sideEffectFree: true,
  params: { type: 'object', additionalProperties: true, properties: { resource_id: { type: 'string' }, id: { type: 'string' } } },
  // the table is found first (404), then resource_show's rule applies
  auth: 'public',
  handler: async (ctx, p) => {
    const rid = p.resource_id || p.id
    if (!rid) throw new ValidationError({ resource_id: ['Missing value'] })
    const table = await resolveTable(ctx.db, rid)
    if (!table) throw new NotFound(`Resource/Alias "${rid}" was not found.`)
    await requireReadResource(ctx, table.resourceId)
    const info = await readOnly(ctx.db, ctx.config.datastore.queryTimeoutMs, (db) => tableInfo(db, table.resourceId)).catch((err: unknown) => {
      throw searchFailure(err, 'Search took too long')
    })
    if (!info) throw new NotFound(`Resource/Alias "${rid}" was not found.`)
    return info
  },
})
