import { STATUS_CODES } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { BadRequest, IntegrityError, NotAuthorized, NotFound, RequestRefused, SearchConnectionError, SearchError, SearchQueryError, ServiceUnavailable, ValidationError } from '../errors.js'
import { isDatabaseUnavailable } from '../db/unavailable.js'

export function helpUrl(siteUrl: string, action: string): string {
  return `${siteUrl}/api/3/action/help_show?name=${encodeURIComponent(action)}`
}

export interface ErrorAnswer {
  status: number
  body: unknown
}

/**
 * The one place where errors become CKAN answers: `__type`, message prefixes and status codes
 * (ckan/views/api.py). Anything unknown is a 500 without internals, logged with the request id.
 */
export function errorAnswer(err: unknown, help: string, req: FastifyRequest): ErrorAnswer {
  const fail = (status: number, error: Record<string, unknown>) => ({ status, body: { help, success: false, error } })
  if (err instanceof BadRequest) return { status: 400, body: err.text }
  if (err instanceof RequestRefused) return fail(err.status, { __type: err.type ?? STATUS_CODES[err.status] ?? 'Bad Request', message: err.detail })
  if (err instanceof ValidationError) return fail(409, { __type: 'Validation Error', ...err.fields })
  if (err instanceof NotFound) return fail(404, { __type: 'Not Found Error', message: err.detail ? `Not found: ${err.detail}` : 'Not found' })
  if (err instanceof NotAuthorized) return fail(403, { __type: 'Authorization Error', message: err.detail ? `Access denied: ${err.detail}` : 'Access denied' })
  if (err instanceof SearchQueryError) return fail(400, { __type: 'Search Query Error', message: `Search Query is invalid: ${pyRepr(err.message)}` })
  if (err instanceof SearchError) return fail(409, { __type: 'Search Error', message: `Search error: ${pyRepr(err.message)}` })
  if (err instanceof SearchConnectionError) return fail(500, { __type: 'Search Connection Error', message: err.message })
  if (err instanceof IntegrityError) return fail(400, { __type: 'Integrity Error', message: err.message, data: err.data })
  if (err instanceof ServiceUnavailable || isDatabaseUnavailable(err)) {
    req.log.warn({ err }, 'database unavailable')
    return fail(503, { __type: 'Service Unavailable', message: new ServiceUnavailable().message })
  }
  req.log.error({ err }, 'action failed')
  return fail(500, { __type: 'Internal Server Error', message: 'Internal Server Error' })
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json;charset=utf-8').send(JSON.stringify(body))
}

/** Python's repr() of a str, which CKAN's search error messages embed. */
function pyRepr(s: string): string {
  if (s.includes("'") && !s.includes('"')) return `"${s}"`
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
