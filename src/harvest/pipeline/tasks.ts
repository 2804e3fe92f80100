import type { TaskList } from 'graphile-worker'
import type { HarvestPipeline } from './pipeline.js'
import { finishJobIfDone, timeOutStaleJobs } from './job-finish.js'
import { scheduleDueSources } from './schedule.js'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { validatedTasks } from '../../jobs/queue.js'

/** A Running job with no progress for this long is finished with a timeout error. */
export const HARVEST_TIMEOUT_MINUTES = 60

/** Every minute: start the jobs of sources whose frequency says they are due, end abandoned ones. */
export const HARVEST_CRONTAB = '* * * * * harvest_schedule ?max=1'

const UUID = { type: 'string', pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }

/** Payload of harvest_gather: the Running harvest job to gather. */
export const GATHER_PAYLOAD = { type: 'object', required: ['job_id'], additionalProperties: false, properties: { job_id: UUID } }

/** Payload of harvest_import: a batch of the job's objects (pipeline IMPORT_BATCH of them). */
export const IMPORT_PAYLOAD = {
  type: 'object',
  required: ['job_id', 'object_ids'],
  additionalProperties: false,
  properties: { job_id: UUID, object_ids: { type: 'array', maxItems: 1000, items: UUID } },
}

/**
 * The harvest tasks. All may run again after a failure (graphile-worker retries with backoff):
 * a gather re-lists the remote but stores only the records its job has no object for yet, and
 * keeps its first gather_started (the watermark); an import skips objects already COMPLETE or
 * ERROR, and an object whose transaction failed was rolled back whole, so it is simply redone;
 * the schedule task's writes are conditional (due sources, stale jobs) and it runs every minute.
 */
export function harvestTasks(db: Kysely<Database>, pipeline: HarvestPipeline): TaskList {
  return validatedTasks({
    harvest_gather: { payload: GATHER_PAYLOAD, run: (p: { job_id: string }) => pipeline.gather(p.job_id) },
    harvest_import: { payload: IMPORT_PAYLOAD, run: (p: { job_id: string; object_ids: string[] }) => pipeline.importObjects(p.job_id, p.object_ids) },
    // cron adds its own `_cron` field: anything is accepted, nothing is read
    harvest_schedule: {
      payload: { type: 'object' },
      run: async () => {
        await scheduleDueSources(db)
        for (const id of await timeOutStaleJobs(db, HARVEST_TIMEOUT_MINUTES)) await finishJobIfDone(db, id)
      },
    },
  })
}
