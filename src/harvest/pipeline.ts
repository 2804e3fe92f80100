import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/**
 * Marks a Running job Finished once its gather is over and no object is still waiting, fetching
 * or importing; `finished` is the last import's end, else the gather's. A job without any error
 * moves the source's watermark to its gather start. Returns whether the job was finished now.
 */
export async function finishJobIfDone(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const { rows } = await sql<{ source_id: string; gather_started: string | null }>`
    UPDATE harvest_job j
       SET status = 'Finished',
           finished = coalesce((SELECT max(o.import_finished) FROM harvest_object o WHERE o.harvest_job_id = j.id), j.gather_finished)
     WHERE j.id = ${jobId} AND j.status = 'Running' AND j.gather_finished IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM harvest_object o WHERE o.harvest_job_id = j.id AND o.state IN ('WAITING', 'FETCH', 'IMPORT'))
    RETURNING j.source_id, j.gather_started::text AS gather_started`.execute(db)
  const job = rows[0]
  if (!job) return false
  await sql`
    UPDATE harvest_source SET watermark = ${job.gather_started}::timestamp
     WHERE id = ${job.source_id} AND ${job.gather_started}::timestamp IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM harvest_gather_error g WHERE g.harvest_job_id = ${jobId})
       AND NOT EXISTS (SELECT 1 FROM harvest_object o WHERE o.harvest_job_id = ${jobId}
                        AND (o.state = 'ERROR' OR EXISTS (SELECT 1 FROM harvest_object_error e WHERE e.harvest_object_id = o.id)))`.execute(db)
  return true
}
