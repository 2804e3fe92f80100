import { sql, type Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/schema.js'
import type { SearchIndex } from './port.js'
import { loadDocuments } from './load-documents.js'

export interface IndexLag {
  backend: string
  /** datasets changed but not yet in the index */
  pending: number
  /** of those, how many failed at least once (backend down or refusing them) */
  failing: number
  /** age of the oldest pending change, seconds (0 when none) */
  oldest_seconds: number
  last_error: string | null
}

const MAX_BACKOFF_S = 300
/** the worker leaves fresh changes to the request that made them for this long */
const FRESH_GRACE = '2 seconds'

/**
 * Moves changes from search_outbox (filled by triggers in the writing transaction) into the
 * search backend. Requests flush their own changes right after commit (read-your-writes); the
 * worker retries what failed with exponential backoff and picks up changes made outside the
 * API (bulk loads). Appliers of one dataset are serialised by an advisory lock and delete the
 * outbox row only if it is the version they read, so no change is lost to a race.
 */
export class SearchIndexer {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<unknown> | null = null
  private stopped = false

  constructor(
    private readonly db: Kysely<Database>,
    readonly index: SearchIndex,
    private readonly log: FastifyBaseLogger,
    /** called after the worker or a rebuild changed the index (cached search answers are stale) */
    private readonly onChanged: () => Promise<void> = async () => {},
  ) {}

  /** After a write: apply the newest fresh changes (this request's), never throwing. `log`: the request's, when there is one. */
  async flushFresh(limit = 100, log: FastifyBaseLogger = this.log): Promise<void> {
    try {
      const { rows } = await sql<{ package_id: string }>`
        SELECT package_id FROM search_outbox WHERE attempts = 0 ORDER BY seq DESC LIMIT ${limit}`.execute(this.db)
      if (rows.length)
        await this.apply(
          rows.map((r) => r.package_id),
          log,
        )
    } catch (err) {
      log.warn({ err }, 'search index update deferred to the worker')
    }
  }

  /** One worker pass: due retries and stale fresh rows, oldest first. Returns how many were applied. */
  async applyDue(batch = 500): Promise<number> {
    const { rows } = await sql<{ package_id: string }>`
      SELECT package_id FROM search_outbox
       WHERE next_attempt_at <= now() AND (attempts > 0 OR enqueued_at < now() - ${FRESH_GRACE}::interval)
       ORDER BY seq LIMIT ${batch}`.execute(this.db)
    if (rows.length === 0) return 0
    await this.apply(rows.map((r) => r.package_id))
    await this.onChanged()
    return rows.length
  }

  /** Applies the queued changes of these datasets; on failure records the attempt and rethrows. */
  async apply(ids: string[], log: FastifyBaseLogger = this.log): Promise<void> {
    let seen: Array<{ package_id: string; seq: string }> = []
    try {
      await this.db.transaction().execute(async (trx) => {
        await lockDatasets(trx, ids)
        seen = (
          await sql<{ package_id: string; seq: string }>`
          SELECT package_id, seq::text AS seq FROM search_outbox WHERE package_id = ANY(${ids}::text[])`.execute(trx)
        ).rows
        if (seen.length === 0) return
        await this.indexDatasets(
          trx,
          seen.map((r) => r.package_id),
        )
        await sql`DELETE FROM search_outbox o USING unnest(${seen.map((r) => r.package_id)}::text[], ${seen.map((r) => r.seq)}::bigint[]) AS s(id, seq)
                   WHERE o.package_id = s.id AND o.seq = s.seq`.execute(trx)
      })
    } catch (err) {
      if (seen.length) {
        const message = err instanceof Error ? err.message : String(err)
        await sql`UPDATE search_outbox o SET attempts = attempts + 1, last_error = ${message.slice(0, 1000)},
                    next_attempt_at = now() + make_interval(secs => least(${MAX_BACKOFF_S}, power(2, attempts)))
                  FROM unnest(${seen.map((r) => r.package_id)}::text[], ${seen.map((r) => r.seq)}::bigint[]) AS s(id, seq)
                  WHERE o.package_id = s.id AND o.seq = s.seq`
          .execute(this.db)
          .catch((e: unknown) => log.warn({ err: e }, 'search outbox: could not record a failed attempt (the change stays queued, retried without backoff)'))
      }
      throw err
    }
  }

  /** Writes the datasets as they are now to the backend (purged ones are removed). */
  private async indexDatasets(db: Kysely<Database>, ids: string[]): Promise<void> {
    const docs = await loadDocuments(db, ids)
    const present = new Set(docs.map((d) => d.id))
    const gone = ids.filter((id) => !present.has(id))
    // same-database backends write inside this transaction: one connection, and atomic with the outbox
    const index = this.index.inTransaction?.(db) ?? this.index
    if (docs.length) await index.upsert(docs)
    if (gone.length) await index.remove(gone)
  }

  /**
   * Rebuilds the index from Postgres. Backends that can (Postgres) fill a fresh copy and swap it
   * in; others are upserted in place under the appliers' per-dataset locks, so a concurrent write
   * is never overwritten by an older rendering. Loading the next batch overlaps writing this one.
   */
  async reindexAll(opts: { clear?: boolean; batch?: number; parallel?: number; onProgress?: (done: number, total: number) => void | Promise<void> } = {}): Promise<number> {
    const batch = opts.batch ?? 1000
    const { rows: totalRows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM package`.execute(this.db)
    const total = totalRows[0].n
    const rebuild = this.index.rebuild ? await this.index.rebuild() : null
    if (!rebuild && opts.clear) await this.index.clear()
    let done = 0
    try {
      if (rebuild) {
        // into the empty copy: two loaders in parallel keep both Postgres and this process busy
        const ids = (await sql<{ id: string }>`SELECT id FROM package ORDER BY id`.execute(this.db)).rows.map((r) => r.id)
        let next = 0
        const worker = async () => {
          while (next < ids.length) {
            const slice = ids.slice(next, (next += batch))
            await rebuild.index.upsert(await loadDocuments(this.db, slice))
            done += slice.length
            await opts.onProgress?.(done, total)
          }
        }
        await Promise.all(Array.from({ length: opts.parallel ?? 2 }, worker))
        await rebuild.commit()
      } else {
        let after = ''
        for (;;) {
          const ids = (await sql<{ id: string }>`SELECT id FROM package WHERE id > ${after} ORDER BY id LIMIT ${batch}`.execute(this.db)).rows.map((r) => r.id)
          if (ids.length === 0) break
          await this.db.transaction().execute(async (trx) => {
            await lockDatasets(trx, ids)
            await this.indexDatasets(trx, ids)
          })
          after = ids[ids.length - 1]
          done += ids.length
          await opts.onProgress?.(done, total)
        }
      }
    } catch (err) {
      await rebuild?.abort().catch(() => undefined)
      throw err
    }
    // what the live indexer wrote meanwhile was queued again by the swap
    if (rebuild) await this.flushFresh(1000)
    await this.onChanged()
    return done
  }

  async lag(): Promise<IndexLag> {
    const { rows } = await sql<{ pending: number; failing: number; oldest: number | null; last_error: string | null }>`
      SELECT count(*)::int AS pending, count(*) FILTER (WHERE attempts > 0)::int AS failing,
             extract(epoch FROM now() - min(enqueued_at))::float8 AS oldest,
             (SELECT last_error FROM search_outbox WHERE last_error IS NOT NULL ORDER BY seq DESC LIMIT 1) AS last_error
        FROM search_outbox`.execute(this.db)
    const r = rows[0]
    return { backend: this.index.backend, pending: r.pending, failing: r.failing, oldest_seconds: Math.round((r.oldest ?? 0) * 10) / 10, last_error: r.last_error }
  }

  /** Starts the background retry loop (one per process; several processes are safe). */
  start(intervalMs = 1000): void {
    this.stopped = false
    const tick = async () => {
      if (this.stopped) return
      try {
        // drain a backlog quickly, then sleep
        while (!this.stopped && (await this.applyDue()) > 0);
      } catch (err) {
        this.log.warn({ err }, 'search index worker: backend still failing, will retry')
      }
      if (!this.stopped) this.schedule(tick, intervalMs)
    }
    this.schedule(tick, intervalMs)
  }

  private schedule(tick: () => Promise<void>, ms: number): void {
    this.timer = setTimeout(() => (this.running = tick()), ms)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running?.catch(() => undefined)
  }
}

async function lockDatasets(trx: Kysely<Database>, ids: string[]): Promise<void> {
  // sorted, so two appliers of overlapping sets cannot deadlock
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(id, 7150)) FROM (SELECT DISTINCT unnest(${ids}::text[]) AS id ORDER BY 1) s`.execute(trx)
}
