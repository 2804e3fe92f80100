import pino from 'pino'
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Kysely } from 'kysely'
import type { Database } from './db/schema.js'
import type { Config } from './config.js'
import { ActionRunner } from './actions/runner.js'
import { defaultRegistry, type ActionRegistry } from './actions/registry.js'
import { actionRoutes } from './api/action-routes.js'
import { clientErrorHandler, frameworkErrors, installErrorAnswers } from './api/framework-errors.js'
import { authRateLimit } from './api/auth-rate-limit.js'
import { TokenCache } from './auth/token-cache.js'
import type { Caller, PackageCacheMeta } from './actions/context.js'
import type pg from 'pg'
import { ReadCache } from './cache/read-cache.js'
import { listenForInvalidations, notifyInvalidation } from './cache/listener.js'
import type { SearchIndex } from './search/port.js'
import { openSearchIndex } from './search/open.js'
import { SearchIndexer } from './search/indexer.js'
import { healthRoutes } from './api/health-routes.js'
import multipart from '@fastify/multipart'
import type { BlobStore } from './storage/blob-store.js'
import { openBlobStore } from './storage/open.js'
import { downloadRoutes } from './storage/download-routes.js'
import { dumpRoutes } from './datastore/dump/routes.js'
import { HarvestPipeline } from './harvest/pipeline/pipeline.js'
import { outboundPolicy } from './net/outbound.js'
import { harvestTasks, HARVEST_CRONTAB } from './harvest/pipeline/tasks.js'
import { startJobWorker } from './jobs/queue.js'
import { datastoreLoadTasks } from './datastore/load/job.js'
import { afterLoadHook } from './datastore/load/after-load.js'
import { dcatRoutes } from './dcat/routes.js'
import { LOG_REDACT, requestId, requestLog } from './api/request-log.js'
import { AppMetrics } from './metrics/app-metrics.js'
import { metricsPlugin } from './api/metrics-routes.js'
import { PageRenderer } from './web/render.js'
import { rewriteLocalePrefix } from './web/locale-prefix.js'
import { cachedPage, webRoutes } from './web/plugin.js'
import { notFoundPage } from './web/deps.js'
import { datasetPage } from './web/pages/dataset-show.js'
import type { WebDeps } from './web/deps.js'

export interface AppDeps {
  db: Kysely<Database>
  config: Config
  registry?: ActionRegistry
  logger?: FastifyServerOptions['logger']
  /** The pool behind `db`: used to LISTEN for cache invalidations. Without it nothing is cached. */
  pool?: pg.Pool
  /** The search backend; default: the one SEARCH configures. */
  search?: SearchIndex
  /** Run the search outbox retry worker in this process (default true). */
  indexWorker?: boolean
  /** File storage; default: the one STORAGE configures. */
  storage?: BlobStore
  /** Run the job queue worker (harvest gather/import tasks, schedules) in this process (default true; needs `pool`). */
  jobWorker?: boolean
}

export const API_VERSION = '0.1.0'

/** Builds the Fastify instance from typed dependencies. Tests build it too; nothing is read from the environment. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { db, config } = deps
  // Buffered, asynchronous log writes: a synchronous write per request line cost ~15 % of
  // throughput. Flushed on close, so shutdown loses nothing.
  const logDestination = deps.logger === undefined ? pino.destination({ dest: 1, sync: false, minLength: 4096 }) : null
  const app = Fastify({
    logger: deps.logger === undefined ? { level: config.logLevel, stream: logDestination!, redact: LOG_REDACT } : typeof deps.logger === 'object' ? { redact: LOG_REDACT, ...deps.logger } : deps.logger,
    bodyLimit: config.bodyLimitMb * 1024 * 1024,
    // x-request-id is honoured by requestId (when it looks like an id), not taken blindly
    requestIdHeader: false,
    genReqId: requestId,
    return503OnClosing: true,
    ...(config.trustProxy > 0 ? { trustProxy: (_address: string, hop: number) => hop < config.trustProxy } : {}),
    // one log line per request (api/request-log.ts) instead of Fastify's two
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 500 },
    rewriteUrl: (req) => rewriteLocalePrefix(req.url ?? '/'),
    // Fastify's and Node's own refusals answered in CKAN's envelope too
    frameworkErrors: frameworkErrors(config.siteUrl),
    clientErrorHandler: clientErrorHandler(config.siteUrl),
  })

  // Every body arrives as text; api/request-data.ts decides how to read it, as CKAN does.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))

  const pages = new PageRenderer(config)
  installErrorAnswers(app, config.siteUrl, config.bodyLimitMb, { notFound: (req, reply) => notFoundPage({ render: pages }, req, reply) })
  // before every other route and hook: all answers are logged and counted, 429s of the auth hook included
  await app.register(requestLog)
  const metrics = config.metrics.enabled ? new AppMetrics() : null
  if (metrics) await app.register(metricsPlugin, { metrics, token: config.metrics.token })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Abierto Action API',
        version: API_VERSION,
        description: "CKAN 2.11-compatible Action API. Every action answers on GET (side-effect-free ones) or POST at /api/3/action/{name} and /api/action/{name}, with CKAN's envelope {help, success, result|error}.",
      },
      components: { securitySchemes: { apiToken: { type: 'apiKey', in: 'header', name: 'Authorization' } } },
      security: [{ apiToken: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })

  const registry = deps.registry ?? defaultRegistry()
  if (logDestination) app.addHook('onClose', async () => logDestination.flushSync())
  const cache = new ReadCache<PackageCacheMeta>(config.cacheMb * 1024 * 1024)
  if (deps.pool && config.cacheMb > 0) {
    const listener = listenForInvalidations(deps.pool, cache as ReadCache<unknown>, app.log)
    app.addHook('onClose', () => listener.close())
  } else {
    cache.setEnabled(false)
  }
  const search = deps.search ?? (await openSearchIndex(config, db))
  const indexer = new SearchIndexer(db, search, app.log, async () => {
    cache.clear()
    await notifyInvalidation(db).catch((err: unknown) => app.log.warn({ err }, 'cache invalidation NOTIFY failed after a search index update: other processes may serve stale searches until their next write'))
  })
  if (deps.indexWorker !== false) {
    indexer.start()
    app.addHook('onClose', () => indexer.stop())
  }
  if (!deps.search) app.addHook('onClose', () => search.close())
  await app.register(healthRoutes, { indexer })
  const storage = deps.storage ?? (await openBlobStore(config))
  if (!deps.storage) app.addHook('onClose', () => storage.close())
  // multipart bodies are streamed (limits per request in storage/multipart.ts), never buffered under bodyLimit
  await app.register(multipart)
  const runner = new ActionRunner({ db, pool: deps.pool, config, registry, cache, search, indexer, storage })
  metrics?.watch({ pool: deps.pool, cache: cache as ReadCache<unknown>, indexer, db })
  // the API token is resolved once, in an onRequest hook that also rate-limits failed attempts
  const users = new TokenCache(db, cache as ReadCache<unknown>)
  await app.register(authRateLimit, {
    users,
    siteUrl: config.siteUrl,
    failuresPerMinute: config.authRateLimitPerMinute,
    writesPerMinute: config.writeRateLimitPerMinute,
    isWriteAction: (name) => registry.get(name)?.sideEffectFree === false,
  })
  const resolveCaller = async (req: FastifyRequest): Promise<Caller> => ({ user: req.authUser })
  await app.register(actionRoutes, { runner, siteUrl: config.siteUrl, resolveCaller, uploads: { store: storage, maxBytes: config.maxResourceSizeMb * 1024 * 1024 }, aliases: { '/api/3/changes': 'changes_since' } })
  await app.register(downloadRoutes, { runner, store: storage, resolveCaller, proxy: config.s3ProxyDownloads })
  await app.register(dumpRoutes, { runner, db, pool: deps.pool, resolveCaller })
  const harvest = new HarvestPipeline({ db, runner, log: app.log, indexer, outbound: outboundPolicy(config.fetchAllowPrivate) })
  if (deps.jobWorker !== false && deps.pool) {
    // started beside the server rather than before it: its schema check and LISTEN need not delay the first request
    const tasks = {
      ...harvestTasks(db, harvest),
      ...datastoreLoadTasks({ db, pool: deps.pool, storage, outbound: outboundPolicy(config.fetchAllowPrivate), config, log: app.log, afterLoad: afterLoadHook({ db, runner, indexer, log: app.log }) }),
    }
    metrics?.watch({ tasks: Object.keys(tasks) })
    const worker = startJobWorker({ pool: deps.pool, tasks, crontab: HARVEST_CRONTAB, log: app.log, events: metrics?.jobEvents }).catch((err: unknown) => {
      app.log.error({ err }, 'job worker failed to start: harvest jobs will not run in this process')
      return null
    })
    app.addHook('onClose', async () => (await worker)?.stop())
  }
  const outbound = outboundPolicy(config.fetchAllowPrivate)
  const web: WebDeps = { runner, resolveCaller, config, storage, outbound, render: pages }
  pages.useCache(cache as ReadCache<unknown>)
  await app.register(dcatRoutes, { runner, resolveCaller, config, page: cachedPage(web, datasetPage) })
  await app.register(webRoutes, web)
  app.decorate('actions', runner)
  app.decorate('indexer', indexer)
  app.decorate('harvest', harvest)
  return app
}

declare module 'fastify' {
  interface FastifyInstance {
    actions: ActionRunner
    indexer: SearchIndexer
    harvest: HarvestPipeline
  }
}
