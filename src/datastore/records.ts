import { sql, type Kysely, type RawBuilder } from 'kysely'
import { ValidationError } from '../errors.js'
import type { FieldInfo } from './fields.js'
import { recordsError } from './pg-errors.js'
import { DATASTORE_SCHEMA, quoteIdent, tableRef } from './table.js'

/**
 * Writing rows given as JSON objects into a DataStore table. Values go to Postgres as JSON and
 * `json_populate_recordset` converts them with each column's own input rules, so a numeric keeps
 * every digit it was sent with, arrays become Postgres arrays and json columns keep their JSON.
 */

export type UpsertMethod = 'insert' | 'upsert' | 'update'

type Row = Record<string, unknown>

function isRecord(v: unknown): v is Row {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** CKAN stores "" as NULL in every column that is not text (a number or date cannot be empty). */
function withEmptyAsNull(record: Row, types: Map<string, string>): Row {
  const out: Row = {}
  for (const [k, v] of Object.entries(record)) out[k] = v === '' && types.get(k) !== 'text' ? null : v
  return out
}

/** `NULL::datastore."<table>"`: the row type json_populate_record fills. */
function rowType(table: string): RawBuilder<unknown> {
  return sql`NULL::${tableRef(table)}`
}

/**
 * Appends `records` (CKAN's insert method): every record must be an object whose keys are
 * columns of the table. One statement, so a refused value fails them all; like CKAN, the error
 * names the last row.
 */
export async function insertRecords(trx: Kysely<any>, table: string, fields: FieldInfo[], records: unknown[]): Promise<number> {
  if (records.length === 0 || fields.length === 0) return 0
  const types = new Map(fields.map((f) => [f.id, f.type]))
  const rows: Row[] = []
  for (const [n, record] of records.entries()) {
    if (!isRecord(record)) throw new ValidationError({ records: [`row "${n}" is not a json object`] })
    const extra = Object.keys(record).filter((k) => !types.has(k))
    if (extra.length > 0) throw new ValidationError({ records: [`row "${n + 1}" has extra keys "${extra.join(', ')}"`] })
    rows.push(withEmptyAsNull(record, types))
  }
  const cols = sql.join(fields.map((f) => sql.id(f.id)))
  try {
    const { numAffectedRows } = await sql`INSERT INTO ${tableRef(table)} (${cols})
      SELECT ${cols} FROM json_populate_recordset(${rowType(table)}, ${JSON.stringify(rows)}::json)`.execute(trx)
    return Number(numAffectedRows ?? 0)
  } catch (err) {
    throw recordsError(err, records.length - 1)
  }
}

/** The columns of the table's unique indexes other than `_id`'s: the key upsert and update match on. */
export async function uniqueKey(trx: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ attname: string }>`
    SELECT a.attname FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = to_regclass(${`${DATASTORE_SCHEMA}.${quoteIdent(table)}`}) AND i.indisunique AND NOT i.indisprimary
     ORDER BY i.indexrelid, array_position(i.indkey::int2[], a.attnum)`.execute(trx)
  return [...new Set(rows.map((r) => r.attname))]
}

/**
 * upsert (update the row with the record's key, insert it when there is none) and update (the
 * row must exist), one record at a time as CKAN does: a record is matched by `_id` when it has
 * one, else by the table's unique key. Returns the rows written.
 */
export async function upsertRecords(trx: Kysely<any>, table: string, fields: FieldInfo[], records: unknown[], method: 'upsert' | 'update'): Promise<number> {
  if (records.length === 0) return 0
  const types = new Map(fields.map((f) => [f.id, f.type]))
  const key = await uniqueKey(trx, table)
  let written = 0
  for (const [n, record] of records.entries()) {
    if (!isRecord(record)) throw new ValidationError({ records: [`row "${n}" is not a json object`] })
    const byId = Object.hasOwn(record, '_id')
    if (!byId && key.length === 0) throw new ValidationError({ table: ['unique key must be passed for update/upsert'] })
    if (!byId) {
      const missing = key.filter((k) => !Object.hasOwn(record, k))
      // CKAN's message has this line break and indentation in it; clients match on it as it is
      if (missing.length > 0) throw new ValidationError({ key: [`fields "${missing.join(', ')}" are missing\n                            but needed as key`] })
    }
    const unknown = Object.keys(record).filter((k) => k !== '_id' && !types.has(k))
    if (unknown.length > 0) throw new ValidationError({ fields: [`fields "${unknown.join(', ')}" do not exist`] })

    const row = withEmptyAsNull(record, types)
    const matchCols = byId ? ['_id'] : key
    const setCols = fields.filter((f) => Object.hasOwn(row, f.id)).map((f) => f.id)
    const t = sql.table('t')
    // `=` as CKAN: a NULL key matches nothing (a unique index allows many); json has no `=`, its text does
    const match = sql.join(
      matchCols.map((c) => (types.get(c) === 'json' ? sql`${sql.id('t', c)}::text = ${sql.id('r', c)}::text` : sql`${sql.id('t', c)} = ${sql.id('r', c)}`)),
      sql` AND `,
    )
    // `_full_text` cleared: the trigger computes it again from the new values
    const set = sql.join([...setCols.map((c) => sql`${sql.id(c)} = ${sql.id('r', c)}`), sql`"_full_text" = NULL`])
    const source = sql`SELECT * FROM json_populate_record(${rowType(table)}, ${JSON.stringify(row)}::json)`
    try {
      if (method === 'update') {
        const { rows } = await sql<{ n: number }>`
          WITH r AS (${source}), u AS (UPDATE ${tableRef(table)} AS ${t} SET ${set} FROM r WHERE ${match} RETURNING 1)
          SELECT count(*)::int AS n FROM u`.execute(trx)
        if (rows[0].n !== 1) {
          const keyValues = Object.fromEntries(matchCols.map((c) => [c, row[c] ?? null]))
          throw new ValidationError({ key: [`key "${JSON.stringify(keyValues)}" not found`] })
        }
        written += 1
        continue
      }
      const cols = setCols.map((c) => sql.id(c))
      const insertCols = cols.length > 0 ? sql.join(cols) : sql`"_full_text"`
      const insertValues = cols.length > 0 ? sql.join(setCols.map((c) => sql.id('r', c))) : sql`NULL`
      await sql`
        WITH r AS (${source}), u AS (UPDATE ${tableRef(table)} AS ${t} SET ${set} FROM r WHERE ${match} RETURNING 1)
        INSERT INTO ${tableRef(table)} (${insertCols}) SELECT ${insertValues} FROM r WHERE NOT EXISTS (SELECT 1 FROM u)`.execute(trx)
      written += 1
    } catch (err) {
      if (err instanceof ValidationError) throw err
      throw recordsError(err, n)
    }
  }
  return written
}
