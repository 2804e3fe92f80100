import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Registry } from 'prom-client'
import type { AppMetrics } from '../metrics/app-metrics.js'
import { processMetrics } from '../metrics/process-metrics.js'
import { routeLabels, type RouteLabels } from '../metrics/route-kind.js'
import { sendJson } from './envelope.js'

export interface MetricsRoutesOptions {
  metrics: AppMetrics
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  token: string | null
}

const TYPE_FIELD = /"__type":"((?:[^"\\]|\\.)*)"/

/**
 * GET /metrics in Prometheus text format, and the hooks that count every answer. Registered
 * before the authentication hook: the scrape's bearer token is checked here and then removed
 * from the request, so it is never taken for an API token (nor counted as a failed one).
 */
async function metricsRoutes(app: FastifyInstance, opts: MetricsRoutesOptions): Promise<void> {
  const { metrics } = opts
  const expected = opts.token === null ? null : digest(opts.token)
  // route patterns are finite, so this map is too
  const labelsByPattern = new Map<string | undefined, RouteLabels>()
  const labelsOf = (req: FastifyRequest): RouteLabels => {
    const pattern = req.routeOptions.url
    let labels = labelsByPattern.get(pattern)
    if (!labels) labelsByPattern.set(pattern, (labels = routeLabels(pattern)))
    return labels
  }

  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url !== '/metrics') return
    const auth = req.headers.authorization
    delete req.headers.authorization
    delete req.headers['x-ckan-api-key']
    if (expected === null) return
    const given = /^Bearer\s+(.+)$/i.exec(auth?.trim() ?? '')?.[1]
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      reply.header('www-authenticate', 'Bearer')
      return sendJson(reply, 401, { success: false, error: { __type: 'Authorization Error', message: 'Access denied: /metrics needs the bearer token METRICS_TOKEN configures' } })
    }
  })

  app.addHook('onSend', async (req, reply, payload) => {
    const status = reply.statusCode
    if (status < 400) return payload
    // error bodies are small JSON strings built by sendJson; their __type comes first in `error`
    const text = typeof payload === 'string' ? payload.slice(0, 4096) : Buffer.isBuffer(payload) ? payload.subarray(0, 4096).toString() : ''
    const m = TYPE_FIELD.exec(text)
    metrics.error(m ? safeJsonString(m[1]) : null, status)
    return payload
  })

  app.addHook('onResponse', async (req, reply) => {
    metrics.request(labelsOf(req), reply.statusCode, reply.elapsedTime / 1000)
  })

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = (await processMetrics().metrics()) + '\n' + (await metrics.registry.metrics())
    return reply.code(200).header('content-type', Registry.PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text)
  })
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

function safeJsonString(escaped: string): string {
  try {
    return JSON.parse(`"${escaped}"`) as string
  } catch {
    return escaped
  }
}

export const metricsPlugin = fp(metricsRoutes, { name: 'abierto-metrics', fastify: '5.x' })
