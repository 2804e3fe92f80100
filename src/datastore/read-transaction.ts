import { sql, type Kysely, type Transaction } from 'kysely'
import { ValidationError } from '../errors.js'

/**
 * DataStore reads run in a read-only transaction with a statement timeout, so a client's query
 * can neither write nor hold a connection for long. Called from inside another transaction (an
 * action calling datastore_search while writing), the read joins it as it is: a SET LOCAL there
 * would outlive the read.
 */
export async function readOnly<T>(db: Kysely<any>, timeoutMs: number, fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  if ((db as Transaction<any>).isTransaction) return fn(db)
  return db.transaction().execute(async (trx) => {
    await sql`SET TRANSACTION READ ONLY`.execute(trx)
    await sql`SET LOCAL statement_timeout = ${sql.raw(String(Math.max(1, Math.floor(timeoutMs))))}`.execute(trx)
    return fn(trx)
  })
}

/** A Postgres error's SQLSTATE, when `err` is one. */
export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** The query's own fault (bad value, type, syntax, too big), not the server's: answered as a validation error. */
export function isQueryError(code: string | undefined): boolean {
  return code !== undefined && /^(22|42|0A|54|21|2F|39|P0)/.test(code)
}

/** CKAN's answers for a search the database refused: too slow, or invalid (the statement itself is not echoed). */
export function searchFailure(err: unknown, tooLong: string): unknown {
  const code = pgCode(err)
  if (code === '57014') return new ValidationError({ query: [tooLong] })
  if (isQueryError(code)) return new ValidationError({ query: ['Invalid query'], info: { orig: [(err as Error).message] } })
  return err
}
