import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { ValidationError } from '../errors.js'
import { indexError, translating } from './pg-errors.js'
import { uniqueKey } from './records.js'
import { DATASTORE_SCHEMA, quoteIdent, tableRef } from './table.js'

/**
 * datastore_create's `primary_key` and `indexes`. As in CKAN the primary key is a unique index
 * (the real primary key is `_id`), and each parameter, when given, replaces what the table had.
 * The full-text index is the DataStore's own and is never dropped here.
 */

export type IndexSpec = string | unknown[]

/** How CKAN names an index entry in its error (a list shows as Python prints it). */
function describe(index: IndexSpec): string {
  return typeof index === 'string' ? index : `[${index.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')}]`
}

function columnsOf(index: IndexSpec): string[] {
  return (typeof index === 'string' ? index.split(',') : index.map(String)).map((s) => s.trim()).filter((s) => s !== '')
}

/** The table's indexes other than `_id`'s and `_full_text`'s, unique or not. */
async function ownIndexes(trx: Kysely<any>, table: string, unique: boolean): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = to_regclass(${`${DATASTORE_SCHEMA}.${quoteIdent(table)}`}) AND NOT i.indisprimary AND i.indisunique = ${unique}
       AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = '_full_text' AND a.attnum = ANY (i.indkey))`.execute(trx)
  return rows.map((r) => r.name)
}

async function dropIndexes(trx: Kysely<any>, names: string[]): Promise<void> {
  for (const name of names) await sql`DROP INDEX ${sql.id(DATASTORE_SCHEMA, name)}`.execute(trx)
}

export async function applyIndexes(trx: Kysely<any>, table: string, types: Map<string, string>, opts: { indexes?: IndexSpec[]; primaryKey?: string[] }): Promise<void> {
  const wanted: { index: IndexSpec; unique: boolean }[] = []
  if (opts.indexes !== undefined) {
    await dropIndexes(trx, await ownIndexes(trx, table, false))
    for (const index of opts.indexes) wanted.push({ index, unique: false })
  }
  if (opts.primaryKey !== undefined) {
    const current = await uniqueKey(trx, table)
    if ([...current].sort().join('\0') !== [...opts.primaryKey].sort().join('\0')) {
      await dropIndexes(trx, await ownIndexes(trx, table, true))
      wanted.push({ index: opts.primaryKey, unique: true })
    }
  }
  for (const { index, unique } of wanted) {
    const cols = columnsOf(index)
    if (cols.length === 0) continue
    for (const c of cols) if (!types.has(c)) throw new ValidationError({ index: [`The field "${describe(index)}" is not a valid column name.`] })
    // json has no btree operator class: its text is indexed
    const exprs = cols.map((c) => (types.get(c) === 'json' ? sql`(${sql.id(c)}::text)` : sql.id(c)))
    const name = createHash('sha1')
      .update(`${table}\0${unique ? 'unique' : ''}\0${cols.join('\0')}`)
      .digest('hex')
    await translating(() => sql`CREATE ${sql.raw(unique ? 'UNIQUE ' : '')}INDEX IF NOT EXISTS ${sql.id(name)} ON ${tableRef(table)} (${sql.join(exprs)})`.execute(trx), indexError)
  }
}
