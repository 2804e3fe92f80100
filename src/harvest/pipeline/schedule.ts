import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { insertJob } from './jobs.js'
import { nextRun, pgTime } from '../sources/source-schema.js'

/**
 * Starts a job for every source that is due: active, not MANUAL, next_run unset or past, and no
 * New/Running job. Each source is handled in its own transaction (job row, gather task and the
 * new next_run commit together), so one failing source does not hold back the others. A source
 * whose pending job appeared meanwhile still gets its next_run moved on, as in CKAN.
 * Returns the ids of the jobs created.
 */
export async function scheduleDueSources(db: Kysely<Database>, now: Date = new Date()): Promise<string[]> {
  const due = await db
    .selectFrom('harvest_source as hs')
    .innerJoin('package as p', 'p.id', 'hs.id')
    .select(['hs.id', 'hs.frequency'])
    .where('p.state', '=', 'active')
    .where('hs.frequency', '!=', 'MANUAL')
    .where((eb) => eb.or([eb('hs.next_run', 'is', null), eb('hs.next_run', '<=', pgTime(now))]))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('harvest_job as j').select('j.id').whereRef('j.source_id', '=', 'hs.id').where('j.status', 'in', ['New', 'Running']))))
    .orderBy('hs.created')
    .execute()
  const created: string[] = []
  for (const s of due) {
    const run = async (tx: Kysely<Database>) => {
      const job = await insertJob(tx, s.id, true)
      const next = nextRun(s.frequency, now)
      await tx
        .updateTable('harvest_source')
        .set({ next_run: next ? pgTime(next) : null })
        .where('id', '=', s.id)
        .execute()
      return job?.id
    }
    const id = db.isTransaction ? await run(db) : await db.transaction().execute(run)
    if (id) created.push(id)
  }
  return created
}
