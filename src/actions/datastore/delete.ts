import { defineAction, type AnyAction } from '../define.js'
import { ValidationError } from '../../errors.js'
import { requireWriteResource } from '../../datastore/access.js'
import { analyzeTable, deleteRows } from '../../datastore/write.js'
import { echo, isPlainObject, requireResourceId, requireWritable, TARGET_PARAMS } from './write-params.js'

/**
 * datastore_delete drops the table when no filters are given (the resource stops being
 * datastore_active); datastore_records_delete requires filters and so never drops it.
 */
function deleteAction(name: 'datastore_delete' | 'datastore_records_delete'): AnyAction {
  const recordsOnly = name === 'datastore_records_delete'
  return defineAction({
    name,
    description: recordsOnly
      ? "Delete rows of a resource's DataStore table, never the table (CKAN's datastore_records_delete).\n\nParams: resource_id, filters (required; {} deletes every row), force."
      : "Delete a resource's DataStore table, or some of its rows (CKAN's datastore_delete).\n\nParams: resource_id, filters ({column: value or [values]}; without filters the whole table and its aliases are dropped and the resource is no longer datastore_active), force.",
    sideEffectFree: false,
    params: {
      type: 'object',
      additionalProperties: true,
      properties: {
        ...TARGET_PARAMS,
        filters: { description: recordsOnly ? 'required: {column: value or [values]}' : '{column: value or [values]}; omitted or null: drop the table' },
        calculate_record_count: { type: 'boolean', default: false },
      },
    },
    auth: async (ctx, p) => {
      // CKAN validates before it authorizes
      const resourceId = requireResourceId(p)
      checkFilters(p.filters, recordsOnly)
      await requireWriteResource(ctx, resourceId)
    },
    handler: async (ctx, p) => {
      const resourceId = requireResourceId(p)
      const filters = checkFilters(p.filters, recordsOnly)
      return ctx.transaction(async (tx) => {
        const res = await requireWriteResource(tx, resourceId)
        requireWritable(res, p.force)
        await deleteRows(tx.db, resourceId, filters)
        if (p.calculate_record_count && filters !== undefined) await analyzeTable(tx.db, resourceId)
        const { force: _force, ...rest } = p as Record<string, unknown>
        if (filters === undefined) delete rest.filters
        return echo(rest, resourceId)
      })
    },
  })
}

function checkFilters(filters: unknown, required: boolean): Record<string, unknown> | undefined {
  if (required) {
    if (filters === undefined || filters === null) throw new ValidationError({ filters: ['Missing value'] })
    if (!isPlainObject(filters)) throw new ValidationError({ filters: ['Must be a dict'] })
    return filters
  }
  if (filters === undefined || filters === null) return undefined
  if (!isPlainObject(filters)) throw new ValidationError({ filters: ['filters must be either a dict or null.'] })
  return filters
}

export const datastoreDelete = deleteAction('datastore_delete')
export const datastoreRecordsDelete = deleteAction('datastore_records_delete')
