import pg from 'pg'
import { Kysely, PostgresDialect } from 'kysely'
import type { Database } from './schema.js'
import { fromPg } from '../model/time.js'

const TIMESTAMP_OID = 1114
const INT8_OID = 20

/** Per-pool type parsers, so importing this module changes no global state. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return (v: string) => fromPg(v)
    if (oid === INT8_OID) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

export interface Db {
  kysely: Kysely<Database>
  pool: pg.Pool
  close(): Promise<void>
}

export function connect(connectionString: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 10, types: types as pg.CustomTypesConfig })
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return {
    kysely,
    pool,
    async close() {
      await kysely.destroy()
    },
  }
}
