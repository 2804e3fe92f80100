import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ResourceDict } from '../../model/package-dict.js'
import { previewResource } from '../../preview/index.js'
import { notFoundPage, pageError, type WebDeps } from '../deps.js'
import { datasetView, resourceExtraFields } from '../dataset-view.js'
import { markdownText, renderMarkdown } from '../markdown.js'
import { previewView } from '../preview-view.js'
import { datastorePreview } from '../datastore-preview.js'
import { visibleDataset } from './dataset-show.js'

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

/**
 * `/dataset/{id}/resource/{rid}`: as CKAN's resource read view, the dataset is read with
 * package_show as the visitor and the resource looked up among its resources, so a resource of
 * another dataset, or of one the visitor may not see, is a 404. The preview reads a bounded
 * start of the file whatever its size.
 */
export async function resourcePage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { id, rid } = req.params as { id: string; rid: string }
  try {
    const dict = await visibleDataset(deps, req, id)
    const raw = ((dict?.resources as ResourceDict[] | undefined) ?? []).find((r) => r.id === rid)
    if (!dict || !raw) return notFoundPage(deps, req, reply)
    const site = deps.config.siteUrl
    const dataset = datasetView(dict, site)
    const resource = dataset.resources.find((r) => r.id === rid)!
    const like = {
      id: rid,
      url: str(raw.url),
      url_type: str(raw.url_type),
      format: str(raw.format),
      mimetype: str(raw.mimetype),
      name: str(raw.name),
      size: typeof raw.size === 'number' ? raw.size : null,
    }
    // rows in the DataStore are read from there (sorted, searched, paged); the file is previewed otherwise
    const datastore = raw.datastore_active === true ? await datastorePreview(deps, req, rid, resource.page) : null
    const preview = datastore ? null : await previewResource(like, { storage: deps.storage, outbound: deps.outbound, log: req.log })
    return deps.render.send(req, reply, 'resource/show.njk', {
      title: `${resource.name ?? rid} · ${dataset.title}`,
      description: markdownText(raw.description) || markdownText(dict.notes),
      section: 'dataset',
      canonical: `${site}${resource.page}`,
      dataset,
      resource,
      descriptionHtml: renderMarkdown(raw.description, { headingLevel: 2 }),
      mimetype: like.mimetype,
      created: str(raw.created),
      modified: str(raw.last_modified) ?? str(raw.metadata_modified),
      fields: resourceExtraFields(raw),
      datastore,
      preview: preview ? previewView(preview, { url: like.url, mimetype: like.mimetype, upload: resource.upload, download: resource.download }, deps.config) : null,
      noindex: dataset.private || dataset.state !== 'active',
    })
  } catch (err) {
    return pageError(deps, req, reply, err)
  }
}
