import { Kysely, sql } from 'kysely'

/**
 * Where a `ckan` source stands in an Abierto remote's change feed (`changes_since`). A job records
 * the position its listing is complete up to; the source takes it, with the watermark, only when
 * the job ends without errors, so a failed run is read again from the old position. NULL: the
 * remote has no feed (a real CKAN) or no error-free run has read it yet.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE harvest_source ADD COLUMN feed_cursor text`.execute(db)
  await sql`ALTER TABLE harvest_job ADD COLUMN feed_cursor text`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE harvest_job DROP COLUMN IF EXISTS feed_cursor`.execute(db)
  await sql`ALTER TABLE harvest_source DROP COLUMN IF EXISTS feed_cursor`.execute(db)
}
