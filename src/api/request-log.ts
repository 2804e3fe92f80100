import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

/**
 * pino paths never written, whatever a log call passes: API tokens travel in these headers.
 * Nothing logs headers today; this keeps a future `{ req }` or `{ headers }` from leaking them.
 */
export const LOG_REDACT = {
  paths: ['req.headers.authorization', 'req.headers["x-ckan-api-key"]', 'headers.authorization', 'headers["x-ckan-api-key"]', 'request.headers.authorization', 'request.headers["x-ckan-api-key"]'],
  censor: '[REDACTED]',
}

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/

/** The caller's `x-request-id` when it is a plausible id (it goes into every log line), else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
}

/** Query parameters whose values are secrets when someone puts them in a URL (CKAN only reads tokens from headers). */
const SECRET_PARAM = /token|key|password|secret|auth/i

/** The URL as logged: values of secret-looking query parameters replaced. */
export function loggedUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const name = eq < 0 ? pair : pair.slice(0, eq)
      return eq >= 0 && SECRET_PARAM.test(safeDecode(name)) ? `${name}=[REDACTED]` : pair
    })
  return `${url.slice(0, q)}?${params.join('&')}`
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/**
 * The request id echoed in `x-request-id` (a client or proxy can match its logs to ours), and one
 * log line per answered request.
 */
async function requestLogging(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id)
    done()
  })
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info({ method: req.method, url: loggedUrl(req.url), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request')
    done()
  })
}

export const requestLog = fp(requestLogging, { name: 'abierto-request-log', fastify: '5.x' })
