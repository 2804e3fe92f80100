import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyStatic from '@fastify/static'
import { assetDirs } from './assets.js'
import type { WebDeps } from './deps.js'
import { homePage } from './pages/home.js'
import { resourcePage } from './pages/resource-show.js'
import { datasetActivityPage } from './pages/dataset-activity.js'
import { datasetSearchPage } from './pages/dataset-search.js'
import { groupIndexPage } from './pages/group-index.js'
import { groupReadPage } from './pages/group-read.js'
import { sitemapRoutes } from './pages/sitemap.js'

/** theme.css: the configured colour as CSS variables, so no page needs an inline style. */
function themeCss(color: string): string {
  return `:root { --brand: ${color}; }\n`
}

/**
 * The citizen portal: server-rendered pages at CKAN's URLs, reading through the action runner.
 * Registered after the API and DCAT routes; `/dataset/{id}` itself is answered by the DCAT
 * routes, which hand browsers over to `datasetPage`.
 */
export async function webRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const dirs = assetDirs(deps.config.theme.dir)
  await app.register(fastifyStatic, { root: dirs.static, prefix: '/assets/', maxAge: '1h', index: false, wildcard: true, decorateReply: false })
  const css = themeCss(deps.config.theme.color)
  app.get('/assets/theme.css', { schema: { hide: true } }, async (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css))

  const page = (handler: PageHandler) => cachedPage(deps, handler)
  app.get('/', { schema: { hide: true } }, page(homePage))
  app.get('/dataset/activity/:id', { schema: { hide: true } }, page(datasetActivityPage))
  app.get('/dataset/:id/resource/:rid', { schema: { hide: true } }, page(resourcePage))
  app.get('/dataset', { schema: { hide: true } }, page(datasetSearchPage))
  app.get('/organization', { schema: { hide: true } }, page(groupIndexPage('organization')))
  app.get('/organization/:name', { schema: { hide: true } }, page(groupReadPage('organization')))
  app.get('/group', { schema: { hide: true } }, page(groupIndexPage('group')))
  app.get('/group/:name', { schema: { hide: true } }, page(groupReadPage('group')))
  await sitemapRoutes(app, deps)
}

export type PageHandler = (deps: WebDeps, req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>

/** A page route's handler, answered from the page cache when it can be. */
export function cachedPage(deps: WebDeps, handler: PageHandler): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return (req, reply) => deps.render.cached(req, reply, () => handler(deps, req, reply))
}
