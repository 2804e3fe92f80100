import type { Kysely, Transaction } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../db/schema.js'
import type { Config } from '../config.js'
import type { ActionContext, Caller } from './context.js'
import type { AnyAction } from './define.js'
import { validateParams } from './params.js'
import { ActionRegistry } from './registry.js'
import { BadRequest } from '../errors.js'

export interface RunnerDeps {
  db: Kysely<Database>
  config: Config
  registry: ActionRegistry
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

  async run(name: string, raw: Record<string, unknown>, caller: Caller, log: FastifyBaseLogger, db?: Kysely<Database>): Promise<unknown> {
    const action = this.deps.registry.get(name)
    if (!action) throw new BadRequest(`Bad request - Action name not known: ${name}`)
    return this.invoke(action, raw, this.context(caller, log, db ?? this.deps.db))
  }

  async invoke(action: AnyAction, raw: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
    const params = validateParams(action.params, raw)
    if (action.auth !== 'public') await action.auth(ctx, params)
    return action.handler(ctx, params)
  }

  context(caller: Caller, log: FastifyBaseLogger, db: Kysely<Database>): ActionContext {
    const runner = this
    const inTransaction = (db as Transaction<Database>).isTransaction === true
    const ctx: ActionContext = {
      db,
      config: this.deps.config,
      caller,
      log,
      call<R>(name: string, params: Record<string, unknown>): Promise<R> {
        return runner.run(name, params, caller, log, db) as Promise<R>
      },
      actionHelp(name: string): string | undefined {
        return runner.registry.get(name)?.description
      },
      transaction<T>(fn: (c: ActionContext) => Promise<T>): Promise<T> {
        if (inTransaction) return fn(ctx)
        return db.transaction().execute((trx) => fn(runner.context(caller, log, trx)))
      },
    }
    return ctx
  }
}
