import type { Kysely, Transaction } from 'kysely'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/schema.js'
import type { Config } from '../config.js'
import type { ActionContext, Caller } from './context.js'
import type { AnyAction } from './define.js'
import { validateParams } from './params.js'
import { ActionRegistry } from './registry.js'
import { BadRequest } from '../errors.js'
import { ReadCache, RawJson } from '../cache/read-cache.js'
import { notifyInvalidation } from '../cache/listener.js'
import type { PackageCacheMeta } from './context.js'
import type { SearchIndex } from '../search/port.js'
import type { SearchIndexer } from '../search/indexer.js'
import type { BlobStore } from '../storage/blob-store.js'

export interface RunnerDeps {
  db: Kysely<Database>
  /** raw connections for the DataStore (COPY, result column types) */
  pool?: pg.Pool
  config: Config
  registry: ActionRegistry
  cache: ReadCache<PackageCacheMeta>
  search: SearchIndex
  storage: BlobStore
  /** applies the search outbox after each write (read-your-writes); absent: the worker does it */
  indexer?: SearchIndexer
}

/**
 * The one pipeline every action call goes through, from HTTP or from another action:
 * validate params against the schema → auth rule → handler.
 */
export class ActionRunner {
  constructor(private readonly deps: RunnerDeps) {}

  get registry(): ActionRegistry {
    return this.deps.registry
  }

  async run(name: string, raw: Record<string, unknown>, caller: Caller, log: FastifyBaseLogger, db?: Kysely<Database>, requestUrl?: string): Promise<unknown> {
    const action = this.deps.registry.get(name)
    if (!action) throw new BadRequest(`Bad request - Action name not known: ${name}`)
    return this.invoke(action, raw, this.context(caller, log, db ?? this.deps.db, requestUrl))
  }

  async invoke(action: AnyAction, raw: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
    const params = validateParams(action.params, raw)
    if (action.auth !== 'public') await action.auth(ctx, params)
    if (action.sideEffectFree) return action.handler(ctx, params)
    try {
      return await action.handler(ctx, params)
    } finally {
      // After commit (or rollback): drop rendered reads here and in every other process. The
      // transaction wrapper already notified atomically with its commit; this covers writes
      // made outside ctx.transaction.
      // the change is committed: index it before answering, as CKAN does (never fails the write);
      // before clearing caches, so no search cached in between keeps the old index's answer
      if (!isTransaction(ctx.db)) await this.deps.indexer?.flushFresh(100, ctx.log)
      this.deps.cache.clear()
      if (!isTransaction(ctx.db)) {
        await notifyInvalidation(ctx.db).catch((err: unknown) => ctx.log.warn({ err, action: action.name }, 'cache invalidation NOTIFY failed after a write: other processes may serve the old data until their next write'))
      }
    }
  }

  /** Validation and the auth rule only: lets the HTTP layer refuse an upload before reading its file. */
  async authorize(name: string, raw: Record<string, unknown>, caller: Caller, log: FastifyBaseLogger): Promise<void> {
    const action = this.deps.registry.get(name)
    if (!action || action.auth === 'public') return
    const ctx = this.context(caller, log, this.deps.db)
    await action.auth(ctx, validateParams(action.params, raw))
  }

  context(caller: Caller, log: FastifyBaseLogger, db: Kysely<Database>, requestUrl?: string): ActionContext {
    // the context's methods are called with the context as `this`: they reach the runner through this name
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const runner = this
    const inTransaction = isTransaction(db)
    const ctx: ActionContext = {
      db,
      pool: this.deps.pool,
      config: this.deps.config,
      caller,
      requestUrl,
      log,
      // inside a transaction reads may see uncommitted rows: never serve or store them cached
      cache: inTransaction ? UNCACHED : this.deps.cache,
      search: this.deps.search,
      storage: this.deps.storage,
      async call<R>(name: string, params: Record<string, unknown>): Promise<R> {
        const result = await runner.run(name, params, caller, log, db)
        return (result instanceof RawJson ? result.value() : result) as R
      },
      actionHelp(name: string): string | undefined {
        return runner.registry.get(name)?.description
      },
      transaction<T>(fn: (c: ActionContext) => Promise<T>): Promise<T> {
        if (inTransaction) return fn(ctx)
        const cache = runner.deps.cache
        return db
          .transaction()
          .execute(async (trx) => {
            const result = await fn(runner.context(caller, log, trx))
            // delivered to listeners exactly when (and only if) this transaction commits
            await notifyInvalidation(trx)
            return result
          })
          .finally(() => cache.clear())
      },
    }
    return ctx
  }
}

const UNCACHED = new ReadCache<PackageCacheMeta>(0)
UNCACHED.setEnabled(false)

function isTransaction(db: Kysely<Database>): boolean {
  return (db as Transaction<Database>).isTransaction === true
}
