import type { Task, TaskList } from 'graphile-worker'
import type { HarvestPipeline } from './pipeline.js'
import { finishJobIfDone, timeOutStaleJobs } from './pipeline.js'
import { scheduleDueSources } from './schedule.js'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/** A Running job with no progress for this long is finished with a timeout error. */
export const HARVEST_TIMEOUT_MINUTES = 60

/** Every minute: start the jobs of sources whose frequency says they are due, end abandoned ones. */
export const HARVEST_CRONTAB = '* * * * * harvest_schedule ?max=1'

interface JobPayload {
  job_id: string
  object_ids?: string[]
}

function payload(raw: unknown): JobPayload {
  const p = raw as JobPayload
  if (!p || typeof p.job_id !== 'string') throw new Error('harvest task without a job_id')
  return p
}

export function harvestTasks(db: Kysely<Database>, pipeline: HarvestPipeline): TaskList {
  const gather: Task = async (raw) => {
    await pipeline.gather(payload(raw).job_id)
  }
  const importTask: Task = async (raw) => {
    const p = payload(raw)
    await pipeline.importObjects(p.job_id, p.object_ids ?? [])
  }
  const schedule: Task = async () => {
    await scheduleDueSources(db)
    for (const id of await timeOutStaleJobs(db, HARVEST_TIMEOUT_MINUTES)) await finishJobIfDone(db, id)
  }
  return { harvest_gather: gather, harvest_import: importTask, harvest_schedule: schedule }
}
