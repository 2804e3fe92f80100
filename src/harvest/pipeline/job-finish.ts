import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { nowIso } from '../../model/time.js'

/**
 * Sets a Running job Finished when its gather is over and no object is pending. Safe to call from
 * every import task: each calls it after committing its own objects, so the last one sees all.
 * An error-free job moves its source's watermark to its gather start (incremental harvests).
 */
export async function finishJobIfDone(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const { rows } = await sql<{ source_id: string; gather_started: string | null; feed_cursor: string | null }>`
    UPDATE harvest_job j
       SET status = 'Finished',
           finished = coalesce((SELECT max(import_finished) FROM harvest_object WHERE harvest_job_id = j.id), j.gather_finished)
     WHERE j.id = ${jobId} AND j.status = 'Running' AND j.gather_finished IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM harvest_object o WHERE o.harvest_job_id = j.id AND o.state IN ('WAITING', 'FETCH', 'IMPORT'))
    RETURNING j.source_id, to_char(j.gather_started, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS gather_started, j.feed_cursor`.execute(db)
  const done = rows[0]
  if (!done) return false
  const { rows: problems } = await sql<{ n: number }>`
    SELECT (SELECT count(*) FROM harvest_gather_error WHERE harvest_job_id = ${jobId})
         + (SELECT count(*) FROM harvest_object WHERE harvest_job_id = ${jobId} AND state = 'ERROR') AS n`.execute(db)
  if (Number(problems[0]?.n ?? 0) === 0 && done.gather_started) {
    // the feed position moves with the watermark; a run without one (the remote has no feed) clears it
    await db.updateTable('harvest_source').set({ watermark: done.gather_started, feed_cursor: done.feed_cursor }).where('id', '=', done.source_id).execute()
  }
  return true
}

/** Running jobs with no progress for `minutes` are finished with a gather error (crashed worker, lost task). */
export async function timeOutStaleJobs(db: Kysely<Database>, minutes: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT j.id FROM harvest_job j
     WHERE j.status = 'Running'
       AND greatest(j.created, j.gather_started, j.gather_finished,
                    (SELECT max(greatest(o.gathered, o.import_started, o.import_finished)) FROM harvest_object o WHERE o.harvest_job_id = j.id))
           < (now() AT TIME ZONE 'UTC') - make_interval(mins => ${minutes})`.execute(db)
  for (const { id } of rows) {
    await db.transaction().execute(async (trx) => {
      await gatherError(trx, id, `Job ${id} timeout (${minutes} minutes without progress)`)
      await trx.updateTable('harvest_object').set({ state: 'ERROR', report_status: 'errored' }).where('harvest_job_id', '=', id).where('state', 'in', ['WAITING', 'FETCH', 'IMPORT']).execute()
      await trx.updateTable('harvest_job').set({ status: 'Finished', finished: nowIso() }).where('id', '=', id).where('status', '=', 'Running').execute()
    })
  }
  return rows.map((r) => r.id)
}

export async function gatherError(db: Kysely<Database>, jobId: string, message: string): Promise<void> {
  await db.insertInto('harvest_gather_error').values({ id: randomUUID(), harvest_job_id: jobId, message, created: nowIso() }).execute()
}
