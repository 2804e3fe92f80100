import { defineAction } from '../define.js'
import { BadRequest } from '../../errors.js'
import { runSqlSearch } from '../../datastore/sql/run.js'

export default defineAction({
  name: 'datastore_search_sql',
  description:
    'Run one SQL SELECT on DataStore tables (each table named by its resource id, e.g. SELECT * FROM "<resource id>" WHERE ...).\n\nParams: sql (a single SELECT statement).\n\nReturns {sql, records, fields, records_truncated (only when the rows were cut at the rows limit)}. Read-only, time-limited, only tables of public datasets, only the allowed functions (calculations on values: no files, settings or catalog). Answers \'Action name not known\' when DATASTORE_SQL_SEARCH=false.',
  sideEffectFree: true,
  params: { type: 'object', required: ['sql'], additionalProperties: true, properties: { sql: { type: 'string', minLength: 1 } } },
  // every table the query reads is checked against the caller in the handler (resource_show)
  auth: 'public',
  handler: async (ctx, p) => {
    // CKAN does not register the action when disabled: the same answer as for an unknown name
    if (!ctx.config.datastore.sqlEnabled) throw new BadRequest('Bad request - Action name not known: datastore_search_sql')
    return runSqlSearch(ctx, p.sql)
  },
})
