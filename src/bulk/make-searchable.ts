import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { SearchIndexer } from '../search/indexer.js'

export interface IndexPlan {
  mode: 'rebuild' | 'outbox'
  datasets: number
}

/**
 * Below this many datasets the outbox is applied even when they are most of the catalogue: a
 * rebuild has a fixed cost (copy table, its indexes, swap). Measured on the corpus into an empty
 * catalogue: 639 datasets outbox 1.3–2.3 s vs rebuild 4.0–4.7 s; 2,000 about even (4.5–5.9 vs
 * 3.6–6.7 s, a busy machine); 5,000 outbox 7.5 s vs rebuild 6.2 s.
 */
export const REBUILD_MIN = 2000

/**
 * After a load, makes the written datasets searchable before returning: a large load that is most
 * of the catalogue rebuilds the whole index (bulk fill of a fresh copy, then swap), anything else
 * applies the outbox rows of exactly the loaded datasets. Measured with scripts/bench-load.ts.
 */
export async function makeSearchable(db: Kysely<Database>, indexer: SearchIndexer, ids: string[], onProgress?: (done: number, total: number, mode: IndexPlan['mode']) => void, rebuildMin = REBUILD_MIN): Promise<IndexPlan> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM package`.execute(db)
  const total = rows[0].n
  if (ids.length >= rebuildMin && ids.length * 2 >= total) {
    // The rebuild reads the datasets after the load committed, so the load's outbox rows are done
    // once it commits. Parked (attempts 1, due in a few minutes) they are left alone meanwhile by
    // the rebuild's closing flush of fresh changes and by servers' workers, then deleted if
    // unchanged; a write to one of them meanwhile re-queues it fresh, and if this process dies
    // the worker applies them when due.
    const parked = (
      await sql<{ package_id: string; seq: string }>`
      UPDATE search_outbox SET attempts = greatest(attempts, 1), next_attempt_at = now() + interval '5 minutes'
       WHERE package_id = ANY(${ids}::text[]) RETURNING package_id, seq::text AS seq`.execute(db)
    ).rows
    const pairs = sql`unnest(${parked.map((r) => r.package_id)}::text[], ${parked.map((r) => r.seq)}::bigint[]) AS s(id, seq)`
    let count: number
    try {
      count = await indexer.reindexAll({ onProgress: (done, all) => onProgress?.(done, all, 'rebuild') })
    } catch (err) {
      await sql`UPDATE search_outbox o SET attempts = 0, next_attempt_at = now() FROM ${pairs} WHERE o.package_id = s.id AND o.seq = s.seq`.execute(db)
      throw err
    }
    await sql`DELETE FROM search_outbox o USING ${pairs} WHERE o.package_id = s.id AND o.seq = s.seq`.execute(db)
    return { mode: 'rebuild', datasets: count }
  }
  const chunk = 500
  for (let i = 0; i < ids.length; i += chunk) {
    await indexer.apply(ids.slice(i, i + chunk))
    onProgress?.(Math.min(i + chunk, ids.length), ids.length, 'outbox')
  }
  return { mode: 'outbox', datasets: ids.length }
}
