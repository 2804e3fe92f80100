import type { FastifyReply, FastifyRequest } from 'fastify'
import { NotAuthorized, NotFound } from '../../errors.js'
import type { PackageDict } from '../../model/package-dict.js'
import { act, notFoundPage, pageError, type WebDeps } from '../deps.js'
import { datasetJsonLd, scriptJson } from '../dataset-jsonld.js'
import { datasetView } from '../dataset-view.js'
import { markdownText, renderMarkdown } from '../markdown.js'

/**
 * The dataset as the visitor may see it, or null: CKAN's dataset and resource views answer 404
 * both for a dataset that does not exist and for one the visitor may not read (private, draft,
 * deleted), so a page never reveals that a hidden dataset exists.
 */
export async function visibleDataset(deps: WebDeps, req: FastifyRequest, id: string): Promise<PackageDict | null> {
  try {
    return await act<PackageDict>(deps, req, 'package_show', { id })
  } catch (err) {
    if (err instanceof NotFound || err instanceof NotAuthorized) return null
    throw err
  }
}

/** `/dataset/{name-or-id}` for browsers (RDF Accept headers are answered by the DCAT routes). */
export async function datasetPage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = (req.params as { id: string }).id
  try {
    const dict = await visibleDataset(deps, req, id)
    if (!dict) return notFoundPage(deps, req, reply)
    // CKAN's read view sends a visit by id to the dataset's name: one address per dataset
    if (id === dict.id && id !== dict.name) {
      const query = req.url.indexOf('?')
      return reply.redirect(`/dataset/${encodeURIComponent(String(dict.name))}${query >= 0 ? req.url.slice(query) : ''}`, 302)
    }
    const site = deps.config.siteUrl
    const dataset = datasetView(dict, site)
    return deps.render.send(req, reply, 'dataset/show.njk', {
      title: dataset.title,
      description: markdownText(dict.notes),
      section: 'dataset',
      // by name whichever way it was reached: one address per dataset for search engines
      canonical: `${site}${dataset.page}`,
      dataset,
      notesHtml: renderMarkdown(dict.notes, { headingLevel: 2 }),
      jsonLd: scriptJson(datasetJsonLd(dict, { url: site, title: deps.config.siteTitle })),
      noindex: dataset.private || dataset.state !== 'active',
    })
  } catch (err) {
    return pageError(deps, req, reply, err)
  }
}
