import { defineAction } from '../define.js'
import { requireWriteResource } from '../../datastore/access.js'
import { analyzeTable, writeRecords } from '../../datastore/write.js'
import { echo, requireResourceId, requireWritable, TARGET_PARAMS } from './write-params.js'

export default defineAction({
  name: 'datastore_upsert',
  description: [
    "Write records into a resource's existing DataStore table (CKAN's datastore_upsert).",
    '',
    "Params: resource_id, records (objects), method: upsert (default: update the row with the record's key, else insert), insert, or update (the row must exist);",
    "rows are matched by _id when the record has one, else by the table's primary_key. dry_run: check everything, change nothing. force: write a table loaded from a file.",
    'Returns the input, records included.',
  ].join('\n'),
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      ...TARGET_PARAMS,
      records: { type: 'array' },
      method: { type: 'string', enum: ['upsert', 'insert', 'update'] },
      dry_run: { type: 'boolean' },
      calculate_record_count: { type: 'boolean', default: false },
    },
  },
  auth: async (ctx, p) => void (await requireWriteResource(ctx, requireResourceId(p))),
  handler: async (ctx, p) => {
    const resourceId = requireResourceId(p)
    return ctx.transaction(async (tx) => {
      const res = await requireWriteResource(tx, resourceId)
      requireWritable(res, p.force)
      await writeRecords(tx.db, resourceId, p.records ?? [], p.method ?? 'upsert', p.dry_run === true)
      if (p.calculate_record_count && !p.dry_run) await analyzeTable(tx.db, resourceId)
      const { force: _force, ...rest } = p as Record<string, unknown>
      return echo(rest, resourceId)
    })
  },
})
