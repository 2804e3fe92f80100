import { sql, type Kysely } from 'kysely'
import { ValidationError } from '../errors.js'
import { isPgError } from './pg-errors.js'
import { DATASTORE_SCHEMA, quoteIdent, tableRef } from './table.js'

/**
 * Aliases: read-only views `datastore."<alias>"` over a resource's table, usable where a
 * resource id is (datastore_search). A view depends on its table, so dropping the table drops them.
 */

/** The aliases of `table`, by name. */
export async function listAliases(trx: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT DISTINCT v.relname AS name
      FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class
     WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(${`${DATASTORE_SCHEMA}.${quoteIdent(table)}`})
       AND v.relkind = 'v' AND v.relnamespace = ${DATASTORE_SCHEMA}::regnamespace
     ORDER BY 1`.execute(trx)
  return rows.map((r) => r.name)
}

/** The table an alias reads, or undefined when `name` is not an alias. */
export async function aliasOf(trx: Kysely<any>, name: string): Promise<string | undefined> {
  const { rows } = await sql<{ name: string }>`
    SELECT DISTINCT t.relname AS name
      FROM pg_rewrite w JOIN pg_depend d ON d.objid = w.oid AND d.classid = 'pg_rewrite'::regclass JOIN pg_class t ON t.oid = d.refobjid
     WHERE w.ev_class = to_regclass(${`${DATASTORE_SCHEMA}.${quoteIdent(name)}`}) AND t.relkind = 'r' AND t.relnamespace = ${DATASTORE_SCHEMA}::regnamespace`.execute(trx)
  return rows[0]?.name
}

export async function dropAliases(trx: Kysely<any>, names: string[]): Promise<void> {
  for (const name of names) await sql`DROP VIEW IF EXISTS ${tableRef(name)}`.execute(trx)
}

/** Creates the views `aliases` over `table` (the caller dropped its previous ones). */
export async function createAliases(trx: Kysely<any>, table: string, aliases: string[]): Promise<void> {
  for (const alias of aliases) {
    const other = await aliasOf(trx, alias)
    if (other !== undefined && other !== table) throw new ValidationError({ alias: [`The alias "${alias}" already exists.`] })
    try {
      await sql`CREATE VIEW ${tableRef(alias)} AS SELECT * FROM ${tableRef(table)}`.execute(trx)
    } catch (err) {
      // a table (another resource's) or view of that name
      if (isPgError(err) && (err.code === '42P07' || err.code === '42712')) throw new ValidationError({ alias: [`"${alias}" already exists`] })
      throw err
    }
  }
}
