import type { FastifyPluginAsync } from 'fastify'
import { sendJson } from './envelope.js'
import type { SearchIndexer } from '../search/indexer.js'

/**
 * GET /health for load balancers and operators: 200 while the database answers, with the search
 * index lag (changes not yet applied, failing ones, age of the oldest).
 */
export const healthRoutes: FastifyPluginAsync<{ indexer: SearchIndexer }> = async (app, { indexer }) => {
  app.get('/health', { schema: { hide: true } }, async (req, reply) => {
    try {
      const search = await indexer.lag()
      return sendJson(reply, 200, { status: 'ok', search })
    } catch (err) {
      req.log.error({ err }, 'health check failed')
      return sendJson(reply, 503, { status: 'unavailable' })
    }
  })
}
