import { sql, type Kysely } from 'kysely'
import type pg from 'pg'
import { run, runMigrations, type Logger as WorkerLogger, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker'
import { Logger } from 'graphile-worker'
import type { FastifyBaseLogger } from 'fastify'

/**
 * The job queue is graphile-worker on our own Postgres: jobs are rows, so enqueueing inside a
 * write transaction is atomic with the write (a harvest job row and its gather task commit or
 * roll back together), and nothing else (Redis, a broker) has to run.
 */

export const QUEUE_SCHEMA = 'graphile_worker'

/** Creates or upgrades graphile-worker's schema; run with our migrations. */
export async function installJobQueue(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool, schema: QUEUE_SCHEMA, logger: silentLogger })
}

export interface EnqueueOptions {
  /** at most one queued job per key: a second enqueue with the same key replaces the first */
  jobKey?: string
  runAt?: Date
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
      max_attempts => ${opts.maxAttempts ?? 1}::int,
      job_key => ${opts.jobKey ?? null}::text
    )`.execute(db)
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

/** Runs the tasks in this process until `stop()`; signals are left to our own shutdown. */
export async function startJobWorker(opts: JobWorkerOptions): Promise<{ stop(): Promise<void> }> {
  const runner: Runner = await run({
    pgPool: opts.pool,
    schema: QUEUE_SCHEMA,
    taskList: opts.tasks,
    crontab: opts.crontab ?? '',
    concurrency: opts.concurrency ?? 2,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: loggerFor(opts.log),
    ...(opts.events ? { events: opts.events } : {}),
  })
  return {
    async stop() {
      await runner.stop()
    },
  }
}

const silentLogger: WorkerLogger = new Logger(() => () => undefined)

function loggerFor(log: FastifyBaseLogger): WorkerLogger {
  return new Logger((scope) => (level, message, meta) => {
    const data = { scope: { label: scope.label, task: scope.taskIdentifier, job: scope.jobId }, ...(meta ?? {}) }
    if (level === 'error') log.error(data, message)
    else if (level === 'warning') log.warn(data, message)
    else log.debug(data, message)
  })
}
