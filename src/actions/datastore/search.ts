import { defineAction } from '../define.js'
import { ValidationError } from '../../errors.js'
import { runSearch, type RecordsFormat } from '../../datastore/search/run.js'
import { searchLinks } from '../../datastore/search/links.js'
import { textConfig } from '../../datastore/search/text-config.js'
import { prepareSearch, resultFields, textOrObject } from '../../datastore/search/prepare.js'
import { readOnly, searchFailure } from '../../datastore/read-transaction.js'

const listOrString = { type: ['string', 'array'], items: { type: 'string' } } as const

export const searchParams = {
  type: 'object',
  additionalProperties: true,
  properties: {
    resource_id: { type: 'string' },
    id: { type: 'string' },
    q: { type: ['string', 'object'] },
    full_text: { type: 'string' },
    filters: { type: 'object' },
    fields: listOrString,
    sort: listOrString,
    plain: { type: 'boolean' },
    language: { type: 'string' },
    distinct: { type: 'boolean' },
    limit: { type: 'integer', minimum: 0 },
    offset: { type: 'integer' },
    include_total: { type: 'boolean', default: true },
    total_estimation_threshold: { type: ['integer', 'null'] },
    records_format: { type: 'string', enum: ['objects', 'lists', 'csv', 'tsv'], default: 'objects' },
  },
} as const

export default defineAction({
  name: 'datastore_search',
  description:
    "Search a DataStore table (a resource's rows).\n\nParams: resource_id (id or alias; `_table_metadata` lists the tables), filters ({column: value or [values]}), q (full text: a string, or {column: text}), full_text, plain (default true: plain words; false: to_tsquery syntax), language, distinct, fields (list or comma-separated), sort ('col1, col2 desc nulls last'; default _id, or best match first with q), limit (default 100, at most 32000), offset, include_total (default true), total_estimation_threshold, records_format (objects, lists, csv, tsv).\n\nReturns {resource_id, fields, records, total, total_was_estimated, limit, _links, ...the params given}. Full-text search folds accents and stems Spanish words (q=camara finds \"Cámara\").",
  sideEffectFree: true,
  params: searchParams,
  // the table is found first (404), then the resource's visibility applies (resource_show's rule)
  auth: 'public',
  handler: async (ctx, p) => {
    const rid = p.resource_id ?? p.id
    if (!rid) throw new ValidationError({ resource_id: ['Missing value'] })
    const { rowsDefault, rowsMax, queryTimeoutMs } = ctx.config.datastore
    const limit = Math.min(p.limit ?? rowsDefault, rowsMax)
    const q = textOrObject(p.q)

    const { resourceId, plan, source, estimateFrom } = await prepareSearch(ctx, rid, {
      q,
      full_text: p.full_text,
      filters: p.filters as Record<string, unknown> | undefined,
      fields: p.fields as string | string[] | undefined,
      sort: p.sort as string | string[] | undefined,
      distinct: p.distinct,
      plain: p.plain,
      limit,
      offset: p.offset,
    })
    const outcome = await readOnly(ctx.db, queryTimeoutMs, async (db) =>
      runSearch(db, plan, source, {
        format: p.records_format as RecordsFormat,
        includeTotal: p.include_total !== false,
        estimationThreshold: p.total_estimation_threshold ?? null,
        estimateFrom,
        textConfig: await textConfig(db, p.language),
      }),
    ).catch((err: unknown) => {
      throw searchFailure(err, 'Search took too long')
    })

    // the validated input comes back, as CKAN echoes it, with the answer's keys after it
    const result: Record<string, unknown> = { include_total: p.include_total !== false, resource_id: resourceId, records_format: p.records_format, limit }
    for (const key of ['offset', 'q', 'full_text', 'filters', 'sort', 'distinct', 'plain', 'language'] as const) if (p[key] !== undefined) result[key] = key === 'q' ? q : p[key]
    result.total_estimation_threshold = p.total_estimation_threshold ?? null
    result.records = outcome.records
    result.fields = resultFields(plan)
    result._links = searchLinks(ctx.requestUrl, limit, plan.offset)
    if (outcome.total !== undefined) {
      result.total = outcome.total
      result.total_was_estimated = outcome.totalWasEstimated
    }
    return result
  },
})
