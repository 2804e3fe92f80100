import { sql, type Kysely, type RawBuilder } from 'kysely'
import { ValidationError } from '../errors.js'
import type { FieldInfo } from './fields.js'
import { isPgError, recordsError } from './pg-errors.js'
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
 * columns of the table. One statement for all; when Postgres refuses it, the first record that
 * cannot go in is found (CKAN named the last row whatever failed) and named in the error.
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
  const insert = (part: Row[]) => sql`INSERT INTO ${tableRef(table)} (${cols}) SELECT ${cols} FROM json_populate_recordset(${rowType(table)}, ${JSON.stringify(part)}::json)`.execute(trx)
  await sql`SAVEPOINT datastore_insert`.execute(trx)
  try {
    const { numAffectedRows } = await insert(rows)
    await sql`RELEASE SAVEPOINT datastore_insert`.execute(trx)
    return Number(numAffectedRows ?? 0)
  } catch (err) {
    if (!isPgError(err)) throw err
    await sql`ROLLBACK TO SAVEPOINT datastore_insert`.execute(trx)
    const refused = await firstRefused(rows, insert, trx, err)
    throw recordsError(refused.err, refused.row)
  }
}

/**
 * The index of the first row that makes the insert fail, and its error: the shortest failing
 * prefix, by bisection (each probe undone), so a refused batch of n rows costs about 2n more.
 */
async function firstRefused(rows: Row[], insert: (part: Row[]) => Promise<unknown>, trx: Kysely<any>, allErr: unknown): Promise<{ row: number; err: unknown }> {
  let ok = 0 // the first `ok` rows go in
  let failing = rows.length // the first `failing` rows do not
  let lastErr = allErr
  while (failing - ok > 1) {
    const mid = (ok + failing) >> 1
    await sql`SAVEPOINT datastore_insert_probe`.execute(trx)
    try {
      await insert(rows.slice(0, mid))
      ok = mid
    } catch (err) {
      if (!isPgError(err)) throw err
      failing = mid
      lastErr = err
    }
    await sql`ROLLBACK TO SAVEPOINT datastore_insert_probe`.execute(trx)
  }
  return { row: failing - 1, err: lastErr }
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

/** A record checked and ready to write: what it is matched on and which columns it sets. */
interface Keyed {
  /** its index in the request */
  n: number
  row: Row
  matchCols: string[]
  setCols: string[]
}

/**
 * upsert (update the row with the record's key, insert it when there is none) and update (the
 * row must exist): a record is matched by `_id` when it has one, else by the table's unique key.
 * CKAN writes one record at a time; here each run of records of the same shape is one statement, which
 * gives the same rows whenever no two records of the request name the same row. When some do,
 * or the database refuses the batch, the records are written one by one as CKAN does (so a
 * refusal names its record). Returns the records written.
 */
export async function upsertRecords(trx: Kysely<any>, table: string, fields: FieldInfo[], records: unknown[], method: 'upsert' | 'update'): Promise<number> {
  if (records.length === 0) return 0
  const types = new Map(fields.map((f) => [f.id, f.type]))
  const key = await uniqueKey(trx, table)
  const keyed: Keyed[] = []
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
    keyed.push({ n, row, matchCols: byId ? ['_id'] : key, setCols: fields.filter((f) => Object.hasOwn(row, f.id)).map((f) => f.id) })
  }

  if (keyed.length > 1 && namesEachRowOnce(keyed)) {
    // runs of records of one shape, in request order: new rows get their `_id` in that order
    const groups: Keyed[][] = []
    let shape = ''
    for (const k of keyed) {
      const next = `${k.matchCols.join('\0')}\n${k.setCols.join('\0')}`
      if (next === shape) groups[groups.length - 1].push(k)
      else groups.push([k])
      shape = next
    }
    await sql`SAVEPOINT datastore_upsert_batch`.execute(trx)
    try {
      for (const group of groups) await writeGroup(trx, table, types, group, method)
      await sql`RELEASE SAVEPOINT datastore_upsert_batch`.execute(trx)
      return keyed.length
    } catch (err) {
      if (!isPgError(err)) throw err
      await sql`ROLLBACK TO SAVEPOINT datastore_upsert_batch`.execute(trx)
    }
  }
  for (const k of keyed) {
    try {
      await writeGroup(trx, table, types, [k], method)
    } catch (err) {
      throw recordsError(err, k.n)
    }
  }
  return keyed.length
}

/** No two records match the same row (as far as the request shows: all by `_id` or all by key, no key twice). */
function namesEachRowOnce(keyed: Keyed[]): boolean {
  const byId = keyed[0].matchCols[0] === '_id' && keyed[0].matchCols.length === 1
  const seen = new Set<string>()
  for (const k of keyed) {
    if ((k.matchCols[0] === '_id' && k.matchCols.length === 1) !== byId) return false
    const id = JSON.stringify(k.matchCols.map((c) => k.row[c] ?? null))
    if (seen.has(id)) return false
    seen.add(id)
  }
  return true
}

/** Writes records that match on the same columns and set the same columns, in one statement. */
async function writeGroup(trx: Kysely<any>, table: string, types: Map<string, string>, group: Keyed[], method: 'upsert' | 'update'): Promise<void> {
  const { matchCols, setCols } = group[0]
  // each record with its position in the group as "_ord" (no column may start with "_")
  const source = sql`SELECT p.*, o.n AS "_ord"
    FROM json_array_elements(${JSON.stringify(group.map((k) => k.row))}::json) WITH ORDINALITY AS o (e, n), LATERAL json_populate_record(${rowType(table)}, o.e) AS p`
  // `=` as CKAN: a NULL key matches nothing (a unique index allows many); json has no `=`, its text does
  const match = sql.join(
    matchCols.map((c) => (types.get(c) === 'json' ? sql`${sql.id('t', c)}::text = ${sql.id('r', c)}::text` : sql`${sql.id('t', c)} = ${sql.id('r', c)}`)),
    sql` AND `,
  )
  // `_full_text` cleared: the trigger computes it again from the new values
  const set = sql.join([...setCols.map((c) => sql`${sql.id(c)} = ${sql.id('r', c)}`), sql`"_full_text" = NULL`])
  const update = sql`UPDATE ${tableRef(table)} AS t SET ${set} FROM r WHERE ${match} RETURNING r."_ord"`
  if (method === 'update') {
    const { rows } = await sql<{ _ord: string }>`WITH r AS (${source}), u AS (${update}) SELECT "_ord" FROM u`.execute(trx)
    const updated = new Set(rows.map((r) => Number(r._ord)))
    const missing = group.find((_, i) => !updated.has(i + 1))
    if (missing) {
      const keyValues = Object.fromEntries(matchCols.map((c) => [c, missing.row[c] ?? null]))
      throw new ValidationError({ key: [`key "${JSON.stringify(keyValues)}" not found`] })
    }
    return
  }
  const cols = setCols.map((c) => sql.id(c))
  const insertCols = cols.length > 0 ? sql.join(cols) : sql`"_full_text"`
  const insertValues = cols.length > 0 ? sql.join(setCols.map((c) => sql.id('r', c))) : sql`NULL`
  await sql`WITH r AS (${source}), u AS (${update})
    INSERT INTO ${tableRef(table)} (${insertCols}) SELECT ${insertValues} FROM r WHERE r."_ord" NOT IN (SELECT "_ord" FROM u) ORDER BY r."_ord"`.execute(trx)
}
