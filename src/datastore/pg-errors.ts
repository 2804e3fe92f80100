import { ValidationError } from '../errors.js'
import { isDatabaseUnavailable } from '../db/unavailable.js'

/**
 * Postgres errors raised while writing a DataStore table, as the field errors CKAN answers with.
 * Only a refused statement (an error with a SQLSTATE) is translated; anything else goes on as it is.
 */

export interface PgError {
  code: string
  message: string
}

/** A statement Postgres refused (not a lost connection: that stays a 503). */
export function isPgError(err: unknown): err is PgError {
  if (!(err instanceof Error) || isDatabaseUnavailable(err)) return false
  const code = (err as Error & { code?: unknown }).code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
}

/** The first line of the message, without the statement (CKAN's _programming_error_summary). */
export function pgSummary(err: PgError): string {
  return err.message.split('\n')[0]
}

export const UNIQUE_VIOLATION = '23505'

/** A row the database refused: `{"records": [...], "records_row": n}`. */
export function recordsError(err: unknown, row: number): unknown {
  if (!isPgError(err)) return err
  return new ValidationError({ records: [pgSummary(err)], records_row: row })
}

/** Building a unique index over rows that repeat the key, or another index that cannot be built. */
export function indexError(err: unknown): unknown {
  if (!isPgError(err)) return err
  if (err.code === UNIQUE_VIOLATION) {
    return new ValidationError({
      constraints: ['Cannot insert records or create index because of uniqueness constraint'],
      info: { orig: pgSummary(err), pgcode: err.code },
    })
  }
  return new ValidationError({ index: [pgSummary(err)] })
}

/** Wraps a database step, turning its Postgres errors into `translate(err)`. */
export async function translating<T>(step: () => Promise<T>, translate: (err: unknown) => unknown): Promise<T> {
  try {
    return await step()
  } catch (err) {
    throw translate(err)
  }
}
