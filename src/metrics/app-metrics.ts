import { EventEmitter } from 'node:events'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { sql, type Kysely } from 'kysely'
import type pg from 'pg'
import type { WorkerEvents } from 'graphile-worker'
import type { ReadCache } from '../cache/read-cache.js'
import type { IndexLag } from '../search/indexer.js'
import { QUEUE_SCHEMA } from '../jobs/queue.js'
import type { RouteLabels } from './route-kind.js'

/** What the scrape-time gauges read; attached once the app has built them. */
export interface MetricSources {
  pool?: pg.Pool
  cache?: ReadCache<unknown>
  indexer?: { lag(): Promise<IndexLag> }
  /** for the job queue's counts */
  db?: Kysely<any>
  /** the job worker's task names: any other is counted as `unknown` */
  tasks?: string[]
}

/** A scrape waits this long for the database; then it reports what it knows without it. */
const SAMPLE_TIMEOUT_MS = 1000
/** `__type` values are the server's own, but a validation error's field names can land there too: bounded. */
const MAX_ERROR_TYPES = 40

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const JOB_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]

interface DbSample {
  lag: IndexLag | null
  jobs: { ready: number; scheduled: number; locked: number; failed: number } | null
}

/**
 * One app instance's metrics, in a registry of its own. Request counters are updated by the
 * HTTP hooks (api/metrics-routes.ts); everything else is read when Prometheus scrapes: pool and
 * cache figures from memory, outbox lag and job queue depth from Postgres (bounded by a timeout,
 * one query in flight at most, never failing the scrape: unknown values are NaN and
 * `abierto_metrics_db_up` says 0).
 */
export class AppMetrics {
  readonly registry = new Registry()
  /** Passed to graphile-worker (`events`): job durations come from its job:start / job:complete. */
  readonly jobEvents: WorkerEvents = new EventEmitter() as WorkerEvents
  private sources: MetricSources = {}
  private readonly requests: Counter<'route' | 'action' | 'status'>
  private readonly duration: Histogram<'route' | 'action'>
  private readonly errors: Counter<'type' | 'status'>
  private readonly errorTypes = new Set<string>()
  private readonly jobDuration: Histogram<'task' | 'outcome'>
  private readonly jobStarts = new Map<string, number>()
  private sampling: Promise<DbSample> | null = null
  private querying: Promise<unknown> | null = null

  constructor() {
    const registers = [this.registry]
    this.requests = new Counter({ name: 'abierto_http_requests_total', help: 'HTTP requests answered, by route kind, action (registered names only; others "unknown") and status code', labelNames: ['route', 'action', 'status'], registers })
    this.duration = new Histogram({ name: 'abierto_http_request_duration_seconds', help: 'Time to answer a request, by route kind and action', labelNames: ['route', 'action'], buckets: LATENCY_BUCKETS, registers })
    this.errors = new Counter({
      name: 'abierto_http_errors_total',
      help: 'Error answers (status >= 400) by the envelope\'s error.__type ("none" when the body has none, as CKAN\'s 400 "Bad request - …" strings) and status',
      labelNames: ['type', 'status'],
      registers,
    })
    this.jobDuration = new Histogram({ name: 'abierto_job_duration_seconds', help: 'Job queue task run time in this process, by task and outcome (success, error)', labelNames: ['task', 'outcome'], buckets: JOB_BUCKETS, registers })

    // collect() runs with `this` bound to the gauge: the metrics object is reached through `self`
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this
    const fromPool = (name: string, help: string, read: (p: pg.Pool) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          if (self.sources.pool) this.set(read(self.sources.pool))
        },
      })
    fromPool('abierto_db_pool_clients', 'Postgres pool: clients open (busy + idle)', (p) => p.totalCount)
    fromPool('abierto_db_pool_idle', 'Postgres pool: idle clients', (p) => p.idleCount)
    fromPool('abierto_db_pool_waiting', 'Postgres pool: queries waiting for a client', (p) => p.waitingCount)
    fromPool('abierto_db_pool_max', 'Postgres pool: most clients it opens', (p) => p.options.max ?? 10)

    new Counter({
      name: 'abierto_read_cache_lookups_total',
      help: 'Read cache lookups by key kind (package, search, package_list) and result (hit, miss)',
      labelNames: ['kind', 'result'],
      registers,
      collect() {
        const cache = self.sources.cache
        if (!cache) return
        // the cache keeps plain totals (no cost per lookup beyond an increment): report them as they are
        this.reset()
        for (const [kind, c] of cache.lookupCounts()) {
          this.inc({ kind, result: 'hit' }, c.hits)
          this.inc({ kind, result: 'miss' }, c.misses)
        }
      },
    })
    new Gauge({
      name: 'abierto_read_cache_entries',
      help: 'Read cache entries held',
      registers,
      collect() {
        if (self.sources.cache) this.set(self.sources.cache.size)
      },
    })
    new Gauge({
      name: 'abierto_read_cache_enabled',
      help: '1 while the read cache is on (0: invalidations from other processes cannot be received, or CACHE_MB=0)',
      registers,
      collect() {
        if (self.sources.cache) this.set(self.sources.cache.isEnabled ? 1 : 0)
      },
    })

    const fromDb = (name: string, help: string, read: (s: DbSample) => number | undefined, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const v = read(await self.sample())
          this.set(v ?? NaN)
        },
      })
    fromDb('abierto_search_outbox_pending', 'Datasets changed but not yet in the search index (NaN: database unreachable)', (s) => s.lag?.pending)
    fromDb('abierto_search_outbox_failing', 'Of those, how many failed at least once', (s) => s.lag?.failing)
    fromDb('abierto_search_outbox_oldest_seconds', 'Age of the oldest pending search change (0 when none)', (s) => s.lag?.oldest_seconds)
    new Gauge({
      name: 'abierto_jobs',
      help: 'Job queue rows by state: ready (due, waiting for a worker), scheduled (future run_at, retries included), locked (running), failed (out of attempts); NaN: database unreachable',
      labelNames: ['state'],
      registers,
      async collect() {
        const jobs = (await self.sample()).jobs
        for (const state of ['ready', 'scheduled', 'locked', 'failed'] as const) this.set({ state }, jobs ? jobs[state] : NaN)
      },
    })
    new Gauge({
      name: 'abierto_metrics_db_up',
      help: '1 when this scrape could read the database-backed figures (outbox, jobs), else 0',
      registers,
      async collect() {
        const s = await self.sample()
        this.set(s.lag && s.jobs ? 1 : 0)
      },
    })

    this.jobEvents.on('job:start', ({ job }) => {
      if (this.jobStarts.size > 10_000) this.jobStarts.clear()
      this.jobStarts.set(job.id, performance.now())
    })
    this.jobEvents.on('job:complete', ({ job, error }) => {
      const started = this.jobStarts.get(job.id)
      if (started === undefined) return
      this.jobStarts.delete(job.id)
      const task = this.sources.tasks?.includes(job.task_identifier) ? job.task_identifier : 'unknown'
      this.jobDuration.observe({ task, outcome: error ? 'error' : 'success' }, (performance.now() - started) / 1000)
    })
  }

  /** Attaches what the scrape-time figures read (called as the app builds them). */
  watch(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources }
  }

  /** One answered request. */
  request(labels: RouteLabels, status: number, seconds: number): void {
    this.requests.inc({ route: labels.route, action: labels.action, status: String(status) })
    this.duration.observe({ route: labels.route, action: labels.action }, seconds)
  }

  /** One error answer, by its envelope's `__type` (null: none). */
  error(type: string | null, status: number): void {
    let label = type ?? 'none'
    if (!this.errorTypes.has(label)) {
      if (this.errorTypes.size >= MAX_ERROR_TYPES || label.length > 60) label = 'other'
      else this.errorTypes.add(label)
    }
    this.errors.inc({ type: label, status: String(status) })
  }

  /** The figures read from Postgres, shared by the gauges of one scrape. */
  private sample(): Promise<DbSample> {
    this.sampling ??= this.takeSample().finally(() => (this.sampling = null))
    return this.sampling
  }

  private async takeSample(): Promise<DbSample> {
    const { indexer, db } = this.sources
    // a hung database must not pile up queries, one per scrape, until the pool is exhausted
    if (this.querying) return { lag: null, jobs: null }
    const query = Promise.all([indexer ? indexer.lag().catch(() => null) : null, db ? jobCounts(db).catch(() => null) : null])
    this.querying = query.finally(() => (this.querying = null))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<[null, null]>((resolve) => (timer = setTimeout(() => resolve([null, null]), SAMPLE_TIMEOUT_MS)))
    const [lag, jobs] = await Promise.race([query, timeout]).finally(() => clearTimeout(timer))
    return { lag, jobs }
  }
}

async function jobCounts(db: Kysely<any>): Promise<DbSample['jobs']> {
  // the jobs view is graphile-worker's public interface to its tables
  const { rows } = await sql<{ ready: number; scheduled: number; locked: number; failed: number }>`
    SELECT count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at <= now())::int AS ready,
           count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts AND run_at > now())::int AS scheduled,
           count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS locked,
           count(*) FILTER (WHERE locked_at IS NULL AND attempts >= max_attempts)::int AS failed
      FROM ${sql.id(QUEUE_SCHEMA, 'jobs')}`.execute(db)
  return rows[0]
}
