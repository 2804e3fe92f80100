import { sql, type Kysely } from 'kysely'
import { DATASTORE_SCHEMA, quoteIdent, tableRef } from './table.js'
import { describeTable } from './fields.js'
import { tableAliases } from './resolve.js'

/**
 * datastore_info's answer for one table: sizes, row count, aliases, and each column's data
 * dictionary entry with its storage details (CKAN's `schema`: native type, NOT NULL, indexes).
 */

export interface TableInfo {
  meta: { id: string; count: number; table_type: string; size: number; db_size: number; idx_size: number; aliases: string[] }
  fields: { id: string; type: string; info?: Record<string, unknown>; schema: ColumnSchema }[]
}

interface ColumnSchema {
  native_type: string
  notnull: boolean
  index_name: string | null
  is_index: boolean
  uniquekey: boolean
}

export async function tableInfo(db: Kysely<any>, resourceId: string): Promise<TableInfo | null> {
  const fields = await describeTable(db, resourceId)
  if (!fields) return null
  const regclass = `${DATASTORE_SCHEMA}.${quoteIdent(resourceId)}`
  const { rows: metaRows } = await sql<{ count: number; size: number; db_size: number; idx_size: number; relkind: string }>`
    SELECT (SELECT count(*) FROM ${tableRef(resourceId)})::int8 AS count,
           pg_relation_size(${regclass}::regclass)::int8 AS size,
           pg_database_size(current_database())::int8 AS db_size,
           pg_indexes_size(${regclass}::regclass)::int8 AS idx_size,
           (SELECT relkind::text FROM pg_class WHERE oid = ${regclass}::regclass) AS relkind`.execute(db)
  const m = metaRows[0]
  const { rows: schemaRows } = await sql<ColumnSchema & { column_name: string }>`
    SELECT a.attname::text AS column_name, format_type(a.atttypid, a.atttypmod) AS native_type, a.attnotnull AS notnull,
           (SELECT min(i.relname)::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             WHERE x.indrelid = a.attrelid AND a.attnum = ANY (x.indkey)) AS index_name,
           EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = a.attrelid AND a.attnum = ANY (x.indkey)) AS is_index,
           EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = a.attrelid AND p.contype IN ('u', 'p') AND a.attnum = ANY (p.conkey)) AS uniquekey
      FROM pg_attribute a
     WHERE a.attrelid = ${regclass}::regclass AND a.attnum > 0 AND NOT a.attisdropped`.execute(db)
  const schema = new Map(schemaRows.map(({ column_name, ...s }) => [column_name, s]))
  return {
    meta: {
      id: resourceId,
      count: Number(m.count),
      table_type: m.relkind === 'v' ? 'VIEW' : m.relkind === 'm' ? 'MATERIALIZED VIEW' : m.relkind === 'f' ? 'FOREIGN TABLE' : 'BASE TABLE',
      size: Number(m.size),
      db_size: Number(m.db_size),
      idx_size: Number(m.idx_size),
      aliases: await tableAliases(db, resourceId),
    },
    fields: fields.filter((f) => !f.id.startsWith('_')).map((f) => ({ id: f.id, type: f.type, ...(f.info ? { info: f.info } : {}), schema: schema.get(f.id)! })),
  }
}
