import type { FastifyReply, FastifyRequest } from 'fastify'
import { act, pageError, type WebDeps } from '../deps.js'

/** `/dataset/{name-or-id}` for browsers (RDF Accept headers are answered by the DCAT routes). */
export async function datasetPage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = (req.params as { id: string }).id
  try {
    const dataset = await act(deps, req, 'package_show', { id })
    return deps.render.send(req, reply, 'dataset/show.njk', { title: dataset.title || dataset.name, dataset, section: 'dataset' })
  } catch (err) {
    return pageError(deps, req, reply, err)
  }
}
