import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, DatastoreLoadStatus, DatastoreLoadTable } from '../../db/schema.js'
import { enqueue, enqueueMany } from '../../jobs/queue.js'
import { nowIso } from '../../model/time.js'

/**
 * A resource's load status (table datastore_load, one row per resource): what xloader_status
 * shows. Each submit replaces the row with a new job id; the job works only while the row still
 * carries its id, so a newer submit supersedes a queued or running older one.
 */

export const LOAD_TASK = 'datastore_load'
/** Loads run one at a time, in the order submitted: each holds a connection and a file's worth of work. */
export const LOAD_QUEUE = 'datastore_load'
export const LOAD_MAX_ATTEMPTS = 3

export type LoadRow = Selectable<DatastoreLoadTable>
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR'

export interface LoadPayload {
  resource_id: string
  job_id: string
  ignore_hash?: boolean
}

/** Marks the resource pending and queues its load, in the caller's transaction; returns the job id. */
export async function submitLoad(db: Kysely<Database>, resource: { id: string; url: string | null }, opts: { ignoreHash?: boolean } = {}): Promise<string> {
  const jobId = randomUUID()
  const now = nowIso()
  await db
    .insertInto('datastore_load')
    .values({ resource_id: resource.id, job_id: jobId, status: 'pending', error: null, logs: '[]', url: resource.url, file_hash: null, created: now, last_updated: now })
    // file_hash stays: it is the last loaded file's, what "the file has not changed" is judged by
    .onConflict((oc) => oc.column('resource_id').doUpdateSet({ job_id: jobId, status: 'pending', error: null, logs: '[]', url: resource.url, created: now, last_updated: now }))
    .execute()
  const payload: LoadPayload = { resource_id: resource.id, job_id: jobId, ...(opts.ignoreHash ? { ignore_hash: true } : {}) }
  await enqueue(db, LOAD_TASK, payload as unknown as Record<string, unknown>, { jobKey: `${LOAD_TASK}:${resource.id}`, queueName: LOAD_QUEUE, maxAttempts: LOAD_MAX_ATTEMPTS })
  return jobId
}

/** submitLoad for many resources at once (each listed once), in two statements. */
export async function submitLoads(db: Kysely<Database>, resources: Array<{ id: string; url: string | null }>): Promise<void> {
  if (resources.length === 0) return
  const now = nowIso()
  const rows = resources.map((r) => ({ resource_id: r.id, job_id: randomUUID(), url: r.url }))
  await sql`INSERT INTO datastore_load (resource_id, job_id, status, error, logs, url, file_hash, created, last_updated)
              SELECT x.resource_id, x.job_id, 'pending', NULL, '[]', x.url, NULL, ${now}, ${now} FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(resource_id text, job_id text, url text)
              ON CONFLICT (resource_id) DO UPDATE SET job_id = excluded.job_id, status = 'pending', error = NULL, logs = '[]', url = excluded.url, created = excluded.created, last_updated = excluded.last_updated`.execute(db)
  await enqueueMany(
    db,
    rows.map((r) => ({
      task: LOAD_TASK,
      payload: { resource_id: r.resource_id, job_id: r.job_id } satisfies LoadPayload as unknown as Record<string, unknown>,
      opts: { jobKey: `${LOAD_TASK}:${r.resource_id}`, queueName: LOAD_QUEUE, maxAttempts: LOAD_MAX_ATTEMPTS },
    })),
  )
}

export async function loadRow(db: Kysely<Database>, resourceId: string): Promise<LoadRow | undefined> {
  return db.selectFrom('datastore_load').selectAll().where('resource_id', '=', resourceId).executeTakeFirst()
}

/** The status of `jobId`'s row, if the row still belongs to that job. */
export async function setStatus(db: Kysely<Database>, resourceId: string, jobId: string, status: DatastoreLoadStatus, extra: { error?: string | null; fileHash?: string } = {}): Promise<boolean> {
  const res = await db
    .updateTable('datastore_load')
    .set({
      status,
      last_updated: nowIso(),
      ...(extra.error !== undefined ? { error: extra.error === null ? null : JSON.stringify({ message: extra.error }) } : {}),
      ...(extra.fileHash !== undefined ? { file_hash: extra.fileHash } : {}),
    })
    .where('resource_id', '=', resourceId)
    .where('job_id', '=', jobId)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Appends a line to the job's log (xloader keeps its job logs in the same way, for xloader_status). */
export async function appendLog(db: Kysely<Database>, resourceId: string, jobId: string, level: LogLevel, message: string): Promise<void> {
  const entry = JSON.stringify([{ timestamp: nowIso(), level, message }])
  await sql`UPDATE datastore_load SET logs = logs || ${entry}::jsonb, last_updated = ${nowIso()}
             WHERE resource_id = ${resourceId} AND job_id = ${jobId}`.execute(db)
}

/**
 * xloader_status's answer: `status`, `job_id`, `last_updated`, `error` and the job's detail in
 * `task_info` (its logs, oldest first), in xloader's shape.
 */
export function statusDict(row: LoadRow): Record<string, unknown> {
  const finished = row.status === 'complete' || row.status === 'error'
  const error = row.error ?? null
  return {
    status: row.status,
    job_id: row.job_id,
    job_url: null,
    last_updated: row.last_updated,
    task_info: {
      job_id: row.job_id,
      job_type: 'xloader_to_datastore',
      status: row.status,
      data: null,
      error,
      requested_timestamp: row.created,
      finished_timestamp: finished ? row.last_updated : null,
      sent_data: null,
      result_url: null,
      api_key: null,
      metadata: { resource_id: row.resource_id, original_url: row.url },
      logs: row.logs.map((l) => ({ timestamp: l.timestamp, message: l.message, level: l.level, module: 'loader', funcName: null, lineno: null })),
    },
    error: error ?? {},
  }
}
