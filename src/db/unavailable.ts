/**
 * Whether an error means "the database cannot be reached right now" (as opposed to a query the
 * database refused): the API answers those 503 and the pool reconnects on its own once Postgres is
 * back. Recognised from pg's and Node's own signals, never from our queries.
 */

/** SQLSTATEs of a server going away or not accepting connections yet (class 08, 57P0x, too many connections). */
const SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '57P05', '53300'])

/** Socket errors while connecting: refused, socket file missing (embedded cluster down), unreachable. */
const CONNECT_ERRNOS = new Set(['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND'])

/** Errors on an established connection: the server died under the query. */
const SOCKET_ERRNOS = new Set(['ECONNRESET', 'EPIPE'])

/** pg's own messages for a connection lost or never made (they carry no code). */
const PG_MESSAGES =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end on the pool)$/

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false
  const e = err as { code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.code === 'string') {
    if (SQLSTATES.has(e.code)) return true
    if (CONNECT_ERRNOS.has(e.code) && e.syscall === 'connect') return true
    if (SOCKET_ERRNOS.has(e.code) && (e.syscall === 'read' || e.syscall === 'write')) return true
  }
  if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return true
  // Node reports a refused connection to several addresses as an AggregateError
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => isDatabaseUnavailable(x, depth + 1))) return true
  return e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1)
}
