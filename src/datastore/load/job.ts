import type { TaskList } from 'graphile-worker'
import { validatedTasks } from '../../jobs/queue.js'
import { LoadError, RetryableLoadError } from './errors.js'
import { runLoad, type LoaderDeps } from './run.js'
import { appendLog, LOAD_TASK, setStatus, type LoadPayload } from './status.js'

/**
 * The `datastore_load` task on the job queue. A load that fails for its file's sake (bad CSV,
 * too large, 404) ends with status `error` and its message, and the job is done: trying again
 * would meet the same bytes. A passing trouble (a remote's 503, a timeout, Postgres busy or
 * restarting, the upload not moved into place yet) sets the status back to `pending` and lets
 * the queue try again later, up to the job's attempts; the last failure is an `error` too.
 */

const UUID = { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' }
export const LOAD_PAYLOAD = {
  type: 'object',
  required: ['resource_id', 'job_id'],
  additionalProperties: false,
  properties: { resource_id: { type: 'string', minLength: 1, maxLength: 100 }, job_id: UUID, ignore_hash: { type: 'boolean' } },
}

/** Postgres errors that say "not now": deadlock, serialization, lock wait, object in use, shutdown, connection lost. */
const TRANSIENT_PG = /^(40P01|40001|55P03|55006|57P0[1-3]|08\w{3}|53\w{3})$/

export function isTransient(err: unknown): boolean {
  if (err instanceof RetryableLoadError) return true
  if (err instanceof LoadError) return false
  const code = (err as { code?: string })?.code
  return typeof code === 'string' && (TRANSIENT_PG.test(code) || /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(code))
}

export function datastoreLoadTasks(deps: LoaderDeps): TaskList {
  return validatedTasks({
    [LOAD_TASK]: {
      payload: LOAD_PAYLOAD,
      run: async (payload: LoadPayload, helpers) => runLoadJob(deps, payload, helpers.job.attempts >= helpers.job.max_attempts),
    },
  })
}

/** Runs one load and records how it ended; throws only to have the queue retry it. */
export async function runLoadJob(deps: LoaderDeps, payload: LoadPayload, lastAttempt: boolean): Promise<void> {
  const { db } = deps
  try {
    await runLoad(deps, payload)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    if (isTransient(err) && !lastAttempt) {
      await appendLog(db, payload.resource_id, payload.job_id, 'WARNING', `Job failed due to temporary error [${message}], retrying`)
      await setStatus(db, payload.resource_id, payload.job_id, 'pending')
      throw err
    }
    if (!(err instanceof LoadError) && !(err instanceof RetryableLoadError)) deps.log.error({ err, resource: payload.resource_id }, 'DataStore load failed')
    await appendLog(db, payload.resource_id, payload.job_id, 'ERROR', `xloader error: ${message}`)
    await setStatus(db, payload.resource_id, payload.job_id, 'error', { error: message })
  }
}
