import { createHash, randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database, HarvestObjectRow } from '../../db/schema.js'
import type { ActionRunner } from '../../actions/runner.js'
import type { SearchIndexer } from '../../search/indexer.js'
import type { OutboundPolicy } from '../../net/outbound.js'
import { nowIso } from '../../model/time.js'
import { loadSource } from './load-source.js'
import { finishJobIfDone, gatherError } from './job-finish.js'
import { importBatch } from './import-batch.js'
import { errorText } from './import-errors.js'
import type { GatheredRecord, SourceInfo } from '../harvesters/harvester.js'
import { harvesterFor } from '../harvesters/index.js'
import { enqueue } from '../../jobs/queue.js'
import { harvestUser } from '../../auth/users.js'

/**
 * Runs harvest jobs: gather lists the remote and stores one object per record, page by page,
 * scheduling imports as it goes; each import writes one dataset through the normal actions in one
 * transaction with its object's bookkeeping, so a failure leaves no half-made dataset and only
 * that object errors. The job finishes when its last object does (no cron needed).
 */

/** Objects per import task: small enough to spread over workers, large enough to amortise a task. */
export const IMPORT_BATCH = 100

export interface PipelineDeps {
  db: Kysely<Database>
  runner: ActionRunner
  log: FastifyBaseLogger
  indexer?: SearchIndexer
  /** the addresses harvesters may fetch from (FETCH_ALLOW_PRIVATE) */
  outbound: OutboundPolicy
}

export interface JobProgress {
  gathered: number
  imported: number
}

export { HarvestConflict } from './import-errors.js'

export class HarvestPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** The gather stage of a Running job; imports go to the queue (server) or to `inline` (CLI). */
  async gather(jobId: string, inline?: (ids: string[]) => Promise<void>): Promise<void> {
    const { db, log } = this.deps
    const job = await db.selectFrom('harvest_job').selectAll().where('id', '=', jobId).executeTakeFirst()
    if (!job || job.status !== 'Running') return
    const source = await loadSource(db, job.source_id)
    const started = nowIso()
    // a retried gather keeps the first start: the watermark must not skip what changed meanwhile
    await db.updateTable('harvest_job').set({ gather_started: started }).where('id', '=', jobId).where('gather_started', 'is', null).execute()
    const seen = new Set<string>()
    const ctrl = new AbortController()
    let failed = false
    const sink = {
      add: async (records: GatheredRecord[]) => {
        // harvest_job_abort finishes the job: stop listing the remote
        const now = await db.selectFrom('harvest_job').select('status').where('id', '=', jobId).executeTakeFirst()
        if (now?.status !== 'Running') ctrl.abort()
        if (ctrl.signal.aborted) throw new Error('Harvest job aborted')
        const fresh = records.filter((r) => r.guid && !seen.has(r.guid))
        for (const r of fresh) seen.add(r.guid)
        if (!fresh.length) return
        await this.storeAndSchedule(jobId, inline, (tx) => this.storeObjects(tx, jobId, source!.id, fresh))
      },
      error: async (message: string) => {
        failed = true
        await gatherError(db, jobId, message)
      },
    }
    try {
      if (!source) throw new Error('Harvest source not found')
      const harvester = harvesterFor(source.type)
      if (!harvester) throw new Error(`System error - No harvester could be found for source type ${source.type}`)
      const result = await harvester.gather(source, sink, ctrl.signal, this.deps.outbound)
      await db
        .updateTable('harvest_job')
        .set({ mode: result.mode, feed_cursor: result.cursor ?? null })
        .where('id', '=', jobId)
        .execute()
      // deletions only after a complete, error-free listing: a broken remote must not empty us
      if (!failed && config(source, 'delete_missing') !== false) {
        const { present, gone } = result
        if (present) await this.storeAndSchedule(jobId, inline, (tx) => this.storeDeletions(tx, jobId, source.id, (guid) => !present.has(guid)))
        else if (gone?.size) await this.storeAndSchedule(jobId, inline, (tx) => this.storeDeletions(tx, jobId, source.id, (guid) => gone.has(guid)))
      }
    } catch (err) {
      log.warn({ err, jobId }, 'harvest gather failed')
      await gatherError(db, jobId, errorText(err))
    } finally {
      await db.updateTable('harvest_job').set({ gather_finished: nowIso() }).where('id', '=', jobId).execute()
      await finishJobIfDone(db, jobId)
    }
  }

  /**
   * Stores objects and queues their imports in one transaction: a gather that crashes in between
   * and is retried finds each object either stored with its import queued, or not stored at all.
   */
  private async storeAndSchedule(jobId: string, inline: ((ids: string[]) => Promise<void>) | undefined, store: (db: Kysely<Database>) => Promise<string[]>): Promise<void> {
    const batches = (ids: string[]) => Array.from({ length: Math.ceil(ids.length / IMPORT_BATCH) }, (_, i) => ids.slice(i * IMPORT_BATCH, (i + 1) * IMPORT_BATCH))
    if (inline) {
      for (const batch of batches(await store(this.deps.db))) await inline(batch)
      return
    }
    await this.deps.db.transaction().execute(async (trx) => {
      for (const batch of batches(await store(trx))) await enqueue(trx, 'harvest_import', { job_id: jobId, object_ids: batch }, { jobKey: `harvest_import:${batch[0]}` })
    })
  }

  private async storeObjects(db: Kysely<Database>, jobId: string, sourceId: string, all: GatheredRecord[]): Promise<string[]> {
    const now = nowIso()
    // a retried gather lists the remote again: records already stored for this job are not stored twice
    const stored = new Set(
      (
        await db
          .selectFrom('harvest_object')
          .select('guid')
          .where('harvest_job_id', '=', jobId)
          .where(
            'guid',
            'in',
            all.map((r) => r.guid),
          )
          .execute()
      ).map((r) => r.guid),
    )
    const records = all.filter((r) => !stored.has(r.guid))
    if (!records.length) return []
    const current = await db
      .selectFrom('harvest_object')
      .select('guid')
      .where('harvest_source_id', '=', sourceId)
      .where('current', '=', true)
      .where(
        'guid',
        'in',
        records.map((r) => r.guid),
      )
      .execute()
    const known = new Set(current.map((r) => r.guid))
    const rows = records.map((r) => ({
      id: randomUUID(),
      guid: r.guid,
      gathered: now,
      content: r.content,
      content_hash: r.hash ?? sha256(r.content),
      harvest_job_id: jobId,
      harvest_source_id: sourceId,
      extras: JSON.stringify({ status: known.has(r.guid) ? 'change' : 'new' }) as unknown as Record<string, string>,
    }))
    await db.insertInto('harvest_object').values(rows).execute()
    return rows.map((r) => r.id)
  }

  /** Deletion objects for the source's current datasets whose guid is `isGone`. */
  private async storeDeletions(db: Kysely<Database>, jobId: string, sourceId: string, isGone: (guid: string) => boolean): Promise<string[]> {
    const current = await db
      .selectFrom('harvest_object')
      .select(['guid', 'package_id'])
      .where('harvest_source_id', '=', sourceId)
      .where('current', '=', true)
      // a retried gather: deletions already stored for this job are not stored twice
      .where((eb) => eb.not(eb.exists(eb.selectFrom('harvest_object as mine').select('mine.id').where('mine.harvest_job_id', '=', jobId).whereRef('mine.guid', '=', 'harvest_object.guid'))))
      .execute()
    const now = nowIso()
    const rows = current
      .filter((c) => isGone(c.guid))
      .map((c) => ({
        id: randomUUID(),
        guid: c.guid,
        gathered: now,
        content: null,
        content_hash: null,
        harvest_job_id: jobId,
        harvest_source_id: sourceId,
        package_id: c.package_id,
        extras: JSON.stringify({ status: 'delete' }) as unknown as Record<string, string>,
      }))
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('harvest_object')
        .values(rows.slice(i, i + 500))
        .execute()
    return rows.map((r) => r.id)
  }

  /** The import stage for a batch of objects of one job (see import-batch.ts). */
  async importObjects(jobId: string, objectIds: string[]): Promise<void> {
    const { db, runner, log } = this.deps
    try {
      const job = await db.selectFrom('harvest_job').select(['status', 'source_id']).where('id', '=', jobId).executeTakeFirst()
      if (!job || objectIds.length === 0) return
      if (job.status !== 'Running') {
        // aborted: objects not yet imported end as errors, as ckanext-harvest's fetch consumer does
        await db.updateTable('harvest_object').set({ state: 'ERROR', report_status: 'errored' }).where('id', 'in', objectIds).where('state', 'in', ['WAITING', 'FETCH', 'IMPORT']).execute()
        return
      }
      const source = await loadSource(db, job.source_id)
      const harvester = source && harvesterFor(source.type)
      const rows = new Map((await db.selectFrom('harvest_object').selectAll().where('id', 'in', objectIds).execute()).map((o) => [o.id, o]))
      const pending = objectIds.flatMap((id) => {
        const obj = rows.get(id)
        return obj && obj.state !== 'COMPLETE' && obj.state !== 'ERROR' ? [obj] : []
      })
      if (!source || !harvester) {
        for (const obj of pending) await this.objectError(obj, `System error - No harvester could be found for source type ${source?.type ?? '?'}`)
        return
      }
      const outside = runner.context({ user: await harvestUser(db) }, log, db)
      await importBatch({ source, harvester, policy: this.deps.outbound, outside }, pending)
      await this.deps.indexer?.flushFresh(objectIds.length * 2)
    } finally {
      await finishJobIfDone(db, jobId)
    }
  }

  private async objectError(obj: HarvestObjectRow, message: string): Promise<void> {
    const { db } = this.deps
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('harvest_object')
        .set((eb) => ({ state: 'ERROR', report_status: 'errored', import_started: eb.fn.coalesce('import_started', sql<string>`${nowIso()}::timestamp`), import_finished: nowIso() }))
        .where('id', '=', obj.id)
        .execute()
      await trx.insertInto('harvest_object_error').values({ id: randomUUID(), harvest_object_id: obj.id, message, stage: 'Import', line: null, created: nowIso() }).execute()
    })
  }

  /**
   * Runs a job here and now (the CLI's `harvest run`): gather, then every import, without the
   * queue. The job must be New or Running.
   */
  async runInline(jobId: string, onProgress?: (p: JobProgress) => void, concurrency = 2): Promise<void> {
    const { db } = this.deps
    await db.updateTable('harvest_job').set({ status: 'Running' }).where('id', '=', jobId).where('status', 'in', ['New', 'Running']).execute()
    const progress: JobProgress = { gathered: 0, imported: 0 }
    const pending: string[][] = []
    let gathering = true
    // imports start while the gather still pages the remote, as the queue's workers would
    const importers = Array.from({ length: concurrency }, async () => {
      for (;;) {
        const batch = pending.shift()
        if (batch) {
          await this.importObjects(jobId, batch)
          progress.imported += batch.length
          onProgress?.(progress)
        } else if (!gathering) {
          return
        } else {
          await new Promise((r) => setTimeout(r, 20))
        }
      }
    })
    try {
      await this.gather(jobId, async (ids) => {
        pending.push(ids)
        progress.gathered += ids.length
        onProgress?.(progress)
      })
    } finally {
      gathering = false
      await Promise.all(importers)
    }
    await finishJobIfDone(db, jobId)
  }
}

function config(source: SourceInfo, key: string): unknown {
  return source.config[key]
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
