import { sql } from 'kysely'
import type { ActionContext } from '../../actions/context.js'
import { isSysadmin } from '../../actions/context.js'
import { DATASTORE_SCHEMA } from '../table.js'
import type { Column } from './plan.js'
import type { SearchSource } from './query.js'

/**
 * `_table_metadata`: CKAN's listing of every DataStore table and alias (loaders ask it whether a
 * table exists), searchable like a table. CKAN shows it to anyone, whole; here it lists only the
 * tables of resources the caller could read without being a member (sysadmins: all), so a
 * private dataset's resource ids do not leak through it.
 */

export const TABLE_METADATA = '_table_metadata'

export const TABLE_METADATA_COLUMNS: Column[] = [
  { id: '_id', type: 'int' },
  { id: 'name', type: 'name' },
  { id: 'oid', type: 'oid' },
  { id: 'alias_of', type: 'name' },
]

export function tableMetadataSource(ctx: ActionContext): SearchSource {
  const visible = isSysadmin(ctx) ? sql`true` : sql`r.state = 'active' AND p.state = 'active' AND NOT p.private`
  const from = sql`(
    SELECT substr(md5(m.name || coalesce(m.alias_of, '')), 0, 17) AS "_id", m.name, m.oid, m.alias_of
      FROM (SELECT c.relname AS name, c.oid,
                   (SELECT min(t.relname) FROM pg_rewrite w
                      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
                      JOIN pg_class t ON t.oid = d.refobjid AND t.oid <> c.oid AND t.relkind = 'r' AND t.relnamespace = c.relnamespace
                     WHERE w.ev_class = c.oid) AS alias_of
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ${DATASTORE_SCHEMA} AND c.relkind IN ('r', 'v')) AS m
      JOIN resource r ON r.id = coalesce(m.alias_of, m.name)::text
      JOIN package p ON p.id = r.package_id
     WHERE (m.alias_of IS NOT NULL OR (SELECT relkind FROM pg_class WHERE oid = m.oid) = 'r') AND ${visible})`
  return { from, fullText: false }
}
