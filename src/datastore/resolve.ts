import { sql, type Kysely } from 'kysely'
import { DATASTORE_SCHEMA } from './table.js'

/**
 * Names a client may give as `resource_id`: a resource's table, or an alias (a view in the
 * DataStore schema reading one table, as datastore_create's `aliases` makes them). Every read
 * checks access against the table's resource, never against the alias.
 */

export interface ResolvedTable {
  /** the resource whose table holds the rows (the alias dereferenced) */
  resourceId: string
  /** the name was an alias */
  alias: boolean
}

/** The table behind `name` (a table or an alias of one); null when the DataStore has neither. */
export async function resolveTable(db: Kysely<any>, name: string): Promise<ResolvedTable | null> {
  const { rows } = await sql<{ relkind: string; alias_of: string | null }>`
    SELECT c.relkind::text AS relkind,
           (SELECT min(t.relname) FROM pg_rewrite w
              JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
              JOIN pg_class t ON t.oid = d.refobjid AND t.oid <> c.oid AND t.relkind = 'r' AND t.relnamespace = c.relnamespace
             WHERE w.ev_class = c.oid)::text AS alias_of
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ${DATASTORE_SCHEMA} AND c.relname = ${name} AND c.relkind IN ('r', 'v')`.execute(db)
  const row = rows[0]
  if (!row) return null
  if (row.relkind === 'r') return { resourceId: name, alias: false }
  return row.alias_of ? { resourceId: row.alias_of, alias: true } : null
}

/** The aliases (views) reading a resource's table, by name. */
export async function tableAliases(db: Kysely<any>, resourceId: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT DISTINCT v.relname::text AS name
      FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = ${DATASTORE_SCHEMA}
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.refobjid = t.oid
      JOIN pg_rewrite w ON w.oid = d.objid
      JOIN pg_class v ON v.oid = w.ev_class AND v.oid <> t.oid AND v.relkind = 'v'
     WHERE t.relname = ${resourceId} AND t.relkind = 'r'
     ORDER BY 1`.execute(db)
  return rows.map((r) => r.name)
}
