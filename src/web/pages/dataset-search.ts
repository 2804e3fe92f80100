import type { FastifyReply, FastifyRequest } from 'fastify'
import { pageError, type WebDeps } from '../deps.js'
import { datasetSearch } from '../search/dataset-search.js'
import { BadPageNumber } from '../search/search-state.js'

/** `/dataset`: CKAN's dataset search page. */
export async function datasetSearchPage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const search = await datasetSearch(deps, req, { path: '/dataset' })
    return deps.render.send(req, reply, 'dataset/search.njk', { section: 'dataset', search, canonical: `${deps.config.siteUrl}${search.canonicalPath}` })
  } catch (err) {
    return searchPageError(deps, req, reply, err)
  }
}

/** A `page` that is not a positive integer is the visitor's mistake (400, as CKAN); the rest as any page. */
export function searchPageError(deps: WebDeps, req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BadPageNumber) return deps.render.send(req, reply, 'error.njk', { status: 400, message: deps.render.base(req, reply).t('search_page.bad_page') }, 400)
  return pageError(deps, req, reply, err)
}
