import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { ValidationError } from '../../errors.js'
import { nowIso } from '../../model/time.js'
import { enqueue } from '../../jobs/queue.js'
import type { JobRow } from '../sources/dictize.js'

export const INACTIVE_SOURCE = 'Can not create jobs on inactive sources'
export const JOB_EXISTS = 'There already is an unrun job for this source'

/** The gather task the pipeline runs for a Running job. */
export const GATHER_TASK = 'harvest_gather'

/**
 * Inserts a job unless the source already has a New or Running one, relying on the partial unique
 * index harvest_job_one_pending_idx rather than a check-then-insert: a racing call waits for the
 * other transaction and then inserts nothing. Returns undefined when a pending job exists.
 * With `run` the job starts Running and its gather task is queued in the same transaction.
 */
export async function insertJob(db: Kysely<Database>, sourceId: string, run: boolean): Promise<JobRow | undefined> {
  const id = randomUUID()
  const { rows } = await sql<{ id: string }>`
    INSERT INTO harvest_job (id, source_id, created, status)
    VALUES (${id}, ${sourceId}, ${nowIso()}, ${run ? 'Running' : 'New'})
    ON CONFLICT (source_id) WHERE status IN ('New', 'Running') DO NOTHING
    RETURNING id`.execute(db)
  if (rows.length === 0) return undefined
  // keyed: however the job gets (re)queued, it has one gather waiting at most
  if (run) await enqueue(db, GATHER_TASK, { job_id: id }, { jobKey: gatherJobKey(id) })
  return db.selectFrom('harvest_job').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

export function gatherJobKey(jobId: string): string {
  return `${GATHER_TASK}:${jobId}`
}

/** harvest_job_create's checks and insert; the caller holds the transaction. */
export async function createJob(db: Kysely<Database>, source: { id: string; state: string }, run: boolean): Promise<JobRow> {
  if (source.state !== 'active') throw ValidationError.message(INACTIVE_SOURCE)
  const job = await insertJob(db, source.id, run)
  if (!job) throw ValidationError.message(JOB_EXISTS)
  return job
}

/** A source that stops being active drops its not-yet-started jobs (CKAN: New → Aborted). */
export async function abortNewJobs(db: Kysely<Database>, sourceId: string): Promise<void> {
  await db.updateTable('harvest_job').set({ status: 'Aborted' }).where('source_id', '=', sourceId).where('status', '=', 'New').execute()
}

export async function findJob(db: Kysely<Database>, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('harvest_job').selectAll().where('id', '=', id).executeTakeFirst()
}
