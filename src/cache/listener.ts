import type pg from 'pg'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { ReadCache } from './read-cache.js'

/** Channel every write transaction notifies, so all API processes drop their read caches. */
export const INVALIDATION_CHANNEL = 'abierto_cache'

/**
 * Tells every process sharing the database to drop its read cache. Inside a transaction the
 * notice is delivered exactly when (and only if) it commits.
 */
export async function notifyInvalidation(db: Kysely<Database>): Promise<void> {
  await sql`SELECT pg_notify(${INVALIDATION_CHANNEL}, '')`.execute(db)
}

export interface InvalidationListener {
  close(): Promise<void>
}

/**
 * Holds one connection LISTENing for invalidations from other processes. While it is down the
 * cache is disabled (reads go to Postgres), and it reconnects with backoff.
 */
export function listenForInvalidations(pool: pg.Pool, cache: ReadCache<unknown>, log: { warn(obj: object, msg: string): void }): InvalidationListener {
  let client: pg.PoolClient | null = null
  let closed = false
  let timer: NodeJS.Timeout | null = null
  let delay = 100

  const connect = async () => {
    try {
      const c = await pool.connect()
      if (closed) {
        c.release()
        return
      }
      c.on('notification', (msg) => {
        if (msg.channel === INVALIDATION_CHANNEL) cache.clear()
      })
      c.on('error', (err) => {
        log.warn({ err }, 'cache invalidation listener lost its connection')
        drop(c, err)
      })
      await c.query(`LISTEN ${INVALIDATION_CHANNEL}`)
      client = c
      delay = 100
      cache.setEnabled(true)
    } catch (err) {
      schedule()
    }
  }
  const drop = (c: pg.PoolClient, err?: Error) => {
    cache.setEnabled(false)
    if (client === c) client = null
    try {
      c.release(err ?? true)
    } catch {
      // already released
    }
    schedule()
  }
  const schedule = () => {
    cache.setEnabled(false)
    if (closed || timer) return
    timer = setTimeout(() => {
      timer = null
      void connect()
    }, delay)
    delay = Math.min(delay * 2, 5000)
  }

  cache.setEnabled(false)
  void connect()
  return {
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      const c = client
      client = null
      if (c) {
        c.removeAllListeners('notification')
        await c.query(`UNLISTEN ${INVALIDATION_CHANNEL}`).catch(() => undefined)
        c.release()
      }
    },
  }
}
