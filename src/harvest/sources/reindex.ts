import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

/**
 * Queues a source's harvested datasets for re-indexing. Their harvest extras (object id, source
 * id and title) are derived from harvest rows, which the search outbox triggers do not watch: a
 * change to those rows made outside a dataset write has to announce itself here.
 */
export async function reindexHarvestedDatasets(db: Kysely<Database>, sourceId: string): Promise<void> {
  await sql`SELECT abierto_search_enqueue(o.package_id) FROM harvest_object o
             WHERE o.harvest_source_id = ${sourceId} AND o.current AND o.package_id IS NOT NULL`.execute(db)
}
