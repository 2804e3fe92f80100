import type pg from 'pg'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { notifyInvalidation } from '../../cache/listener.js'
import type { Database } from '../../db/schema.js'
import { setDatastoreActive } from '../active.js'
import { addFullTextTrigger, createTable, DATASTORE_SCHEMA, quoteIdent, syncReaderAccess, tableRef, type ColumnSpec } from '../table.js'
import { LoadError } from './errors.js'

/**
 * One load, all or nothing: the rows go into a staging table in one transaction, and only once
 * every row is in does the staging table replace the resource's table (dropped, renamed, given
 * its full-text trigger, its reader grants and `datastore_active`). Until the commit, readers see
 * the previous table; a failure at any step rolls back to it untouched.
 *
 * `_full_text` is left empty here (computing it costs several times the COPY); searches match
 * the rows not filled yet on the fly until fillFullText has run (src/datastore/table.ts).
 */

export interface TableLoadOptions {
  /** statement_timeout for the whole transaction */
  timeoutMs: number
  /** written in the same transaction, so the status and the table change together */
  onSwap?: (db: Kysely<Database>) => Promise<void>
}

/** The staging table's name for a resource: never a resource id, so never another resource's table. */
export function stagingName(resourceId: string): string {
  return `${resourceId}_loading`
}

/** Puts the rows into the staging table (COPY), on the transaction's client; resolves with their number. */
export type TableFill = (client: pg.PoolClient, staging: string, columns: string[]) => Promise<number>

export async function loadTable(pool: pg.Pool, resourceId: string, columns: ColumnSpec[], fill: TableFill, opts: TableLoadOptions): Promise<number> {
  const client = await pool.connect()
  const db = clientKysely(client)
  let count = 0
  try {
    await client.query('BEGIN')
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(opts.timeoutMs))}`)
    const staging = stagingName(resourceId)
    await createTable(db, staging, columns, { fullText: false })
    // the primary key's index is built once the rows are in: a third of the COPY's time when kept up row by row
    const pkey = await primaryKeyName(client, staging)
    if (pkey) await client.query(`ALTER TABLE ${DATASTORE_SCHEMA}.${quoteIdent(staging)} DROP CONSTRAINT ${quoteIdent(pkey)}`)
    count = await fill(
      client,
      staging,
      columns.map((c) => c.id),
    )
    if (pkey) await client.query(`ALTER TABLE ${DATASTORE_SCHEMA}.${quoteIdent(staging)} ADD CONSTRAINT ${quoteIdent(pkey)} PRIMARY KEY ("_id")`)
    // the resource may have been deleted meanwhile (its delete dropped the old table): then the load is void.
    // The row lock also waits for a write to the resource in flight, and is held to the commit.
    const { rows: found } = await client.query<{ state: string }>('SELECT state FROM resource WHERE id = $1 FOR NO KEY UPDATE', [resourceId])
    if (found[0]?.state !== 'active') throw new LoadError('The resource was deleted while it was loading')
    await sql`DROP TABLE IF EXISTS ${tableRef(resourceId)} CASCADE`.execute(db)
    await sql`ALTER TABLE ${tableRef(staging)} RENAME TO ${sql.id(resourceId)}`.execute(db)
    await renameOwnedObjects(client, staging, resourceId)
    await addFullTextTrigger(db, resourceId)
    await syncReaderAccess(db, resourceId)
    await setDatastoreActive(db, resourceId, true)
    await opts.onSwap?.(db)
    // package_show caches of every process hold the old datastore_active: dropped when this commits
    await notifyInvalidation(db)
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
    await db.destroy()
  }
  return count
}

/**
 * The primary key's index and the `_id` sequence are named after the table they were created
 * with: named again after the final table, so the next load's staging table can take the same
 * names (index names are unique per schema), and the table looks as datastore_create makes it.
 */
async function renameOwnedObjects(client: pg.PoolClient, from: string, to: string): Promise<void> {
  const rel = `${DATASTORE_SCHEMA}.${quoteIdent(to)}`
  const { rows } = await client.query<{ pkey: string | null; seq: string | null }>(
    `SELECT (SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid WHERE k.conrelid = $1::regclass AND k.contype = 'p') AS pkey,
            (SELECT c.relname FROM pg_class c WHERE c.oid = pg_get_serial_sequence($1::text, '_id')::regclass) AS seq`,
    [rel],
  )
  const { pkey, seq } = rows[0] ?? {}
  if (pkey && pkey.startsWith(from)) await client.query(`ALTER INDEX ${DATASTORE_SCHEMA}.${quoteIdent(pkey)} RENAME TO ${quoteIdent((to + pkey.slice(from.length)).slice(0, 63))}`)
  if (seq && seq.startsWith(from)) await client.query(`ALTER SEQUENCE ${DATASTORE_SCHEMA}.${quoteIdent(seq)} RENAME TO ${quoteIdent((to + seq.slice(from.length)).slice(0, 63))}`)
}

async function primaryKeyName(client: pg.PoolClient, table: string): Promise<string | null> {
  const { rows } = await client.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [`${DATASTORE_SCHEMA}.${quoteIdent(table)}`])
  return rows[0]?.conname ?? null
}

/** Kysely over one checked-out client: the table helpers run inside the COPY's transaction. */
function clientKysely(client: pg.PoolClient): Kysely<Database> {
  const pool = {
    connect: async () => ({ query: client.query.bind(client), release: () => undefined }),
    end: async () => undefined,
  }
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as never }) })
}
