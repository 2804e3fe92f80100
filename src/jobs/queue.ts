import { sql, type Kysely } from 'kysely'
import type pg from 'pg'
import { EventEmitter } from 'node:events'
import { Ajv, type ValidateFunction } from 'ajv'
import type { JobHelpers, Logger as WorkerLogger, Runner, Task, TaskList, WorkerEvents } from 'graphile-worker'
import type { FastifyBaseLogger } from 'fastify'

/**
 * The job queue is graphile-worker on our own Postgres: jobs are rows, so enqueueing inside a
 * write transaction is atomic with the write (a harvest job row and its gather task commit or
 * roll back together), and nothing else (Redis, a broker) has to run.
 */

export const QUEUE_SCHEMA = 'graphile_worker'

/** graphile-worker itself loads on first use: enqueueing is plain SQL, and most processes never run a worker. */
const graphileWorker = () => import('graphile-worker')

/** Creates or upgrades graphile-worker's schema; run with our migrations. */
export async function installJobQueue(pool: pg.Pool): Promise<void> {
  const { runMigrations, Logger } = await graphileWorker()
  await runMigrations({ pgPool: pool, schema: QUEUE_SCHEMA, logger: new Logger(() => () => undefined) })
}

/**
 * Attempts per job unless the caller says otherwise. graphile-worker waits exp(attempt) seconds
 * between them (3 s, 7 s, 20 s, 55 s): enough to ride out a database restart or a remote's hiccup.
 */
export const DEFAULT_MAX_ATTEMPTS = 5

export interface EnqueueOptions {
  /**
   * At most one waiting job per key: a second enqueue with the same key replaces the first (a
   * job already running is not replaced; the new one waits for its turn).
   */
  jobKey?: string
  runAt?: Date
  /** default DEFAULT_MAX_ATTEMPTS */
  maxAttempts?: number
  /** jobs in one queue run one at a time */
  queueName?: string
}

/** Adds a task in the caller's transaction (or right away when `db` is the pool). */
export async function enqueue(db: Kysely<any>, task: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<void> {
  await sql`SELECT ${sql.id(QUEUE_SCHEMA)}.add_job(
      identifier => ${task}::text,
      payload => ${JSON.stringify(payload)}::json,
      queue_name => ${opts.queueName ?? null}::text,
      run_at => ${opts.runAt?.toISOString() ?? null}::timestamptz,
      max_attempts => ${opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}::int,
      job_key => ${opts.jobKey ?? null}::text
    )`.execute(db)
}

/** Adds several tasks with one statement (graphile-worker's add_jobs), in the caller's transaction. Job keys must differ. */
export async function enqueueMany(db: Kysely<any>, jobs: Array<{ task: string; payload: Record<string, unknown>; opts?: EnqueueOptions }>): Promise<void> {
  if (jobs.length === 0) return
  const specs = jobs.map(({ task, payload, opts = {} }) => ({
    identifier: task,
    payload,
    queue_name: opts.queueName ?? null,
    run_at: opts.runAt?.toISOString() ?? null,
    max_attempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    job_key: opts.jobKey ?? null,
  }))
  const schema = sql.id(QUEUE_SCHEMA)
  await sql`SELECT count(*) FROM ${schema}.add_jobs(ARRAY(
      SELECT ROW(x.identifier, x.payload, x.queue_name, x.run_at, x.max_attempts::smallint, x.job_key, NULL::smallint, NULL::text[])::${schema}.job_spec
        FROM json_to_recordset(${JSON.stringify(specs)}::json) AS x(identifier text, payload json, queue_name text, run_at timestamptz, max_attempts int, job_key text)))`.execute(db)
}

/** A task and the JSON Schema its payload must match. */
export interface TaskDefinition<P = any> {
  payload: Record<string, unknown>
  run(payload: P, helpers: JobHelpers): Promise<void>
}

const ajv = new Ajv({ allErrors: true, strict: false })

/** Thrown for a payload its task's schema rejects: the job is failed for good, never retried. */
export class InvalidPayload extends Error {}

/**
 * graphile-worker tasks that check their payload first. A payload that does not match can never
 * succeed, so retrying it would only repeat the error: the job is marked failed at once (it stays
 * in the queue table with its last_error, as graphile-worker keeps failed jobs) and logged.
 */
export function validatedTasks(defs: Record<string, TaskDefinition>): TaskList {
  const list: TaskList = {}
  for (const [name, def] of Object.entries(defs)) {
    const validate: ValidateFunction = ajv.compile(def.payload)
    const task: Task = async (payload, helpers) => {
      if (!validate(payload)) {
        const why = ajv.errorsText(validate.errors, { dataVar: 'payload' })
        helpers.logger.error(`job ${helpers.job.id} (${name}) has an invalid payload and will not be retried: ${why}`, { payload })
        // the job is locked by this worker, which is why graphile-worker's permanently_fail_jobs() would skip it
        await helpers.query(`UPDATE ${QUEUE_SCHEMA}._private_jobs SET max_attempts = attempts WHERE id = $1`, [helpers.job.id])
        throw new InvalidPayload(`invalid payload: ${why}`)
      }
      await def.run(payload, helpers)
    }
    list[name] = task
  }
  return list
}

export interface JobWorkerOptions {
  pool: pg.Pool
  tasks: TaskList
  /** graphile-worker crontab lines, e.g. `* * * * * harvest_schedule` */
  crontab?: string
  concurrency?: number
  log: FastifyBaseLogger
  /** receives the worker's events (job:start, job:complete…): job durations for /metrics */
  events?: WorkerEvents
}

/** Waits between restarts of a worker pool that stopped by itself: short first, then every 10 s (a try costs one failed connection). */
const RESTART_DELAYS_MS = [1000, 2000, 5000, 10_000]

/**
 * Runs the tasks in this process until `stop()`; signals are left to our own shutdown.
 *
 * graphile-worker stops its whole pool when it cannot record a job's end (a refused connection
 * while the database restarts is not retried), and the job stays locked by the dead pool for four
 * hours. So a pool that ends without our asking is started again, with backoff while the database
 * is away, after unlocking its jobs: a job whose end was lost runs again (jobs are retry-safe). A
 * first start that fails is retried the same way, so this resolves once the worker is scheduled.
 */
export async function startJobWorker(opts: JobWorkerOptions): Promise<{ stop(): Promise<void> }> {
  const { run, Logger } = await graphileWorker()
  const logger = loggerFor(Logger, opts.log)
  const events: WorkerEvents = opts.events ?? new EventEmitter()
  let poolId: string | null = null
  events.on('pool:create', ({ workerPool }) => void (poolId = workerPool.id))
  const launch = async () => {
    const runner = await run({
      pgPool: opts.pool,
      schema: QUEUE_SCHEMA,
      taskList: opts.tasks,
      crontab: opts.crontab ?? '',
      // a gather and a DataStore load may each hold a slot for long: two more for the imports and everything else
      concurrency: opts.concurrency ?? 4,
      noHandleSignals: true,
      pollInterval: 1000,
      // unbatched, a failed completion is an unhandled rejection, which ends the process
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      logger,
      events,
    })
    return { runner, poolId: poolId! }
  }
  let stopped = false
  let current: Runner | null = null
  const deadPools: string[] = []
  let pending: NodeJS.Timeout | null = null
  let failures = 0
  const supervise = ({ runner, poolId }: { runner: Runner; poolId: string }) => {
    current = runner
    const ended = (err?: unknown) => {
      if (stopped || current !== runner) return
      current = null
      deadPools.push(poolId)
      opts.log.error({ err }, 'job worker stopped by itself; starting it again')
      schedule()
    }
    runner.promise.then(() => ended(), ended)
  }
  const restart = async () => {
    await opts.pool.query(`SELECT ${QUEUE_SCHEMA}.force_unlock_workers($1::text[])`, [deadPools])
    deadPools.length = 0
    return launch()
  }
  const schedule = () => {
    pending = setTimeout(
      () => {
        pending = null
        restart().then(
          (started) => {
            if (stopped) return void started.runner.stop()
            failures = 0
            supervise(started)
          },
          (err: unknown) => {
            failures++
            opts.log.warn({ err }, 'job worker could not start again yet')
            if (!stopped) schedule()
          },
        )
      },
      RESTART_DELAYS_MS[Math.min(failures, RESTART_DELAYS_MS.length - 1)],
    )
    pending.unref()
  }
  // the database may be away when the process starts (or restarting, as the embedded cluster does
  // after a crash): the first pool is tried again like a lost one, never given up on
  await launch().then(supervise, (err: unknown) => {
    failures++
    opts.log.warn({ err }, 'job worker could not start yet; trying again')
    schedule()
  })
  let stopping: Promise<void> | null = null
  return {
    stop() {
      stopped = true
      if (pending) clearTimeout(pending)
      stopping ??= current ? current.stop().catch(() => undefined) : Promise.resolve()
      return stopping
    },
  }
}

function loggerFor(Logger: typeof WorkerLogger, log: FastifyBaseLogger): WorkerLogger {
  return new Logger((scope) => (level, message, meta) => {
    const data = { scope: { label: scope.label, task: scope.taskIdentifier, job: scope.jobId }, ...(meta ?? {}) }
    if (level === 'error') log.error(data, message)
    else if (level === 'warning') log.warn(data, message)
    else log.debug(data, message)
  })
}
