import type { FastifyReply, FastifyRequest } from 'fastify'
import { act, notFoundPage, one, pageError, type WebDeps } from '../deps.js'
import { datasetView } from '../dataset-view.js'
import { actorNames, activityItems, type ActivityDict } from '../activity-view.js'
import { streamPage } from '../activity-paging.js'
import { visibleDataset } from './dataset-show.js'

/** The kinds of change the stream can be narrowed to (CKAN's activity type filter on this page). */
const TYPES = ['new package', 'changed package', 'deleted package']

/**
 * `/dataset/activity/{name-or-id}`: the dataset's activity stream (CKAN's "Activity Stream" tab),
 * newest first, paged with `before`/`after`. The dataset is read with package_show and its
 * activities with package_activity_list, both as the visitor: a dataset they may not see is a
 * 404 like its own page, and its activities never reach them.
 */
export async function datasetActivityPage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const id = (req.params as { id: string }).id
  const query = req.query as Record<string, unknown>
  // an empty value (`?before=`) is no bound, as an empty form field would mean
  const bound = (v: unknown) => one(v) || undefined
  const asked = { before: bound(query.before), after: bound(query.after) }
  // an unknown type filters nothing rather than showing an empty stream
  const askedType = one(query.activity_type)
  const type = askedType !== undefined && TYPES.includes(askedType) ? askedType : null
  try {
    const dict = await visibleDataset(deps, req, id)
    if (!dict) return notFoundPage(deps, req, reply)
    if (id === dict.id && id !== dict.name) {
      const q = req.url.indexOf('?')
      return reply.redirect(`/dataset/activity/${encodeURIComponent(String(dict.name))}${q >= 0 ? req.url.slice(q) : ''}`, 302)
    }
    // one below the maximum, so the extra activity that tells whether there is more is not clamped away
    const { default: limit, max } = deps.config.activityListLimit
    const size = Math.max(1, Math.min(limit, max - 1))
    const fetched = await act<ActivityDict[]>(deps, req, 'package_activity_list', {
      id: dict.id,
      limit: size + 1,
      ...(type && { activity_types: [type] }),
      ...(asked.before !== undefined && { before: asked.before }),
      ...(asked.after !== undefined && { after: asked.after }),
    })
    const page = streamPage(fetched, size, asked)
    const dataset = datasetView(dict, deps.config.siteUrl)
    // a resource view's activity keeps no copy of the dataset: it is named by its title now
    const items = activityItems(page.items, await actorNames(deps, req, page.items)).map((item) => ({ ...item, dataset: { title: item.kind.startsWith('view_') ? dataset.title : item.dataset.title, page: dataset.page } }))
    const path = dataset.activity
    const keepType = type ? `&activity_type=${encodeURIComponent(type)}` : ''
    return deps.render.send(req, reply, 'dataset/activity.njk', {
      title: dataset.title,
      section: 'dataset',
      canonical: `${deps.config.siteUrl}${path}`,
      dataset,
      items,
      older: page.older && `${path}${page.older}${keepType}`,
      newer: page.newer && `${path}${page.newer}${keepType}`,
      paged: asked.before !== undefined || asked.after !== undefined,
      filtered: type !== null,
      types: TYPES.map((value) => ({ value, kind: value.split(' ')[0], selected: value === type })),
      // the stream of a dataset the public cannot see, or another page than the first, is not for search engines
      noindex: dataset.private || dataset.state !== 'active' || asked.before !== undefined || asked.after !== undefined || type !== null,
    })
  } catch (err) {
    return pageError(deps, req, reply, err)
  }
}
