import { sql, type Kysely } from 'kysely'
import { DATASTORE_SCHEMA, quoteIdent } from './table.js'

/**
 * A table's columns as the DataStore reports them: Postgres' own type names (`int4`, `float8`,
 * `_text` for text[]), as CKAN's datastore_search does, and `info` from the column comment.
 * `_full_text` is never listed; `_id` only when asked.
 */

export interface FieldInfo {
  id: string
  type: string
  info?: Record<string, unknown>
  /** the column is NOT NULL */
  notnull: boolean
}

/** The fields of `datastore.<name>` (a table or an alias view), in column order; null when there is no such relation. */
export async function describeTable(db: Kysely<any>, name: string, opts: { withId?: boolean } = {}): Promise<FieldInfo[] | null> {
  const { rows } = await sql<{ oid: number | null; attname: string | null; typname: string | null; comment: string | null; notnull: boolean | null }>`
    SELECT c.oid::int AS oid, a.attname, t.typname, col_description(c.oid, a.attnum) AS comment, a.attnotnull AS notnull
      FROM (SELECT to_regclass(${`${DATASTORE_SCHEMA}.${quoteIdent(name)}`}) AS rel) r
      LEFT JOIN pg_class c ON c.oid = r.rel
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_type t ON t.oid = a.atttypid
     ORDER BY a.attnum`.execute(db)
  if (rows.length === 0 || rows[0].oid === null) return null
  const fields: FieldInfo[] = []
  for (const r of rows) {
    if (r.attname === null || r.attname === '_full_text') continue
    if (r.attname === '_id' && !opts.withId) continue
    const field: FieldInfo = { id: r.attname, type: r.typname ?? 'text', notnull: r.notnull === true }
    const info = parseInfo(r.comment)
    if (info) field.info = info
    fields.push(field)
  }
  return fields
}

function parseInfo(comment: string | null): Record<string, unknown> | undefined {
  if (!comment) return undefined
  try {
    const v: unknown = JSON.parse(comment)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
