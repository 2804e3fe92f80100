import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, HarvestJobStatus, HarvestObjectState, HarvestReportStatus } from '../../src/db/schema.js'
import { nowIso } from '../../src/model/time.js'

/** Harvest rows written straight to the tables, standing in for the pipeline the actions do not run. */

/** CKAN's DictMixin rendering: space, microseconds only when non-zero, no zone. */
export const SPACE_TS = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/

export async function insertJob(db: Kysely<Database>, sourceId: string, o: { status?: HarvestJobStatus; created?: string; gather_started?: string; gather_finished?: string } = {}): Promise<string> {
  const id = randomUUID()
  await db
    .insertInto('harvest_job')
    .values({ id, source_id: sourceId, created: o.created ?? nowIso(), status: o.status ?? 'Finished', gather_started: o.gather_started ?? null, gather_finished: o.gather_finished ?? null })
    .execute()
  return id
}

export async function insertObject(
  db: Kysely<Database>,
  jobId: string,
  sourceId: string,
  o: { guid?: string; packageId?: string | null; current?: boolean; state?: HarvestObjectState; report_status?: HarvestReportStatus | null; import_finished?: string; extras?: Record<string, string> } = {},
): Promise<string> {
  const id = randomUUID()
  await db
    .insertInto('harvest_object')
    .values({
      id,
      guid: o.guid ?? id,
      current: o.current ?? false,
      gathered: nowIso(),
      state: o.state ?? 'COMPLETE',
      report_status: o.report_status ?? null,
      harvest_job_id: jobId,
      harvest_source_id: sourceId,
      package_id: o.packageId ?? null,
      import_finished: o.import_finished ?? null,
      extras: JSON.stringify(o.extras ?? {}) as unknown as Record<string, string>,
    })
    .execute()
  return id
}

export async function insertObjectError(db: Kysely<Database>, objectId: string, message: string, stage = 'Import', line: number | null = null): Promise<void> {
  await db.insertInto('harvest_object_error').values({ id: randomUUID(), harvest_object_id: objectId, message, stage, line, created: nowIso() }).execute()
}

export async function insertGatherError(db: Kysely<Database>, jobId: string, message: string): Promise<void> {
  await db.insertInto('harvest_gather_error').values({ id: randomUUID(), harvest_job_id: jobId, message, created: nowIso() }).execute()
}

/** The gather tasks graphile-worker holds for a job (tests run no worker, so they stay queued). */
export async function queuedGatherTasks(db: Kysely<Database>, jobId: string): Promise<number> {
  const { sql } = await import('kysely')
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
     WHERE t.identifier = 'harvest_gather' AND j.payload ->> 'job_id' = ${jobId}`.execute(db)
  return rows[0].n
}
