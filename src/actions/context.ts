import type { Kysely } from 'kysely'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import type { Database, UserRow } from '../db/schema.js'
import type { Config } from '../config.js'
import type { ReadCache } from '../cache/read-cache.js'
import type { SearchIndex } from '../search/port.js'
import type { BlobStore } from '../storage/blob-store.js'

/** The caller, resolved once per request from the API token (null user = anonymous). */
export interface Caller {
  user: UserRow | null
}

/**
 * Everything an action may touch. Built per call by the runner; handlers reach the world only
 * through it. `db` is the pool, or the open transaction when called from inside one.
 */
export interface ActionContext {
  readonly db: Kysely<Database>
  /** The pool behind `db`, for what Kysely cannot do (COPY, a result's column types: the DataStore); absent in apps built without one. */
  readonly pool?: pg.Pool
  readonly config: Config
  readonly caller: Caller
  /** Path and query string of the HTTP request that called this action (CKAN_CURRENT_URL, for datastore_search's `_links`); absent for internal calls. */
  readonly requestUrl?: string
  readonly log: FastifyBaseLogger
  /** Rendered reads (package_show, package_list); cleared by every write. */
  readonly cache: ReadCache<PackageCacheMeta>
  /** The search backend (package_search); kept in sync by search/indexer.ts, never written by actions. */
  readonly search: SearchIndex
  /** Uploaded files (resource uploads); blobs are removed only after the rows' transaction commits. */
  readonly storage: BlobStore
  /** Calls another action through the same pipeline (validation and auth included). */
  call<R = unknown>(name: string, params: Record<string, unknown>): Promise<R>
  /** help_show's text for a registered action, undefined when there is no such action. */
  actionHelp(name: string): string | undefined
  /** Runs `fn` with a context whose `db` is one transaction (nested calls reuse it). */
  transaction<T>(fn: (ctx: ActionContext) => Promise<T>): Promise<T>
}

export function userName(ctx: ActionContext): string {
  return ctx.caller.user?.name ?? ''
}

export function isSysadmin(ctx: ActionContext): boolean {
  return ctx.caller.user?.sysadmin === true && ctx.caller.user.state === 'active'
}

/** What package_show needs to apply visibility to a cached dict without loading it. */
export interface PackageCacheMeta {
  id: string
  state: string
  private: boolean
  owner_org: string | null
  creator_user_id: string | null
}
