import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/**
 * `datastore_active` on the resource dict: a resource extra, as CKAN keeps it, written in the
 * caller's transaction. The resource row changes, so the search outbox and the change feed see
 * it through their triggers; the package_show cache is the caller's to clear (actions do it by
 * running as writes; a job must notify).
 */
export async function setDatastoreActive(db: Kysely<Database>, resourceId: string, active: boolean): Promise<void> {
  await sql`UPDATE resource SET extras = extras || jsonb_build_object('datastore_active', ${active}::boolean)
             WHERE id = ${resourceId} AND (extras->'datastore_active') IS DISTINCT FROM to_jsonb(${active}::boolean)`.execute(db)
}
