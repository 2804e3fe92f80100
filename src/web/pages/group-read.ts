import type { FastifyReply, FastifyRequest } from 'fastify'
import { NotAuthorized, NotFound } from '../../errors.js'
import { act, notFoundPage, type WebDeps } from '../deps.js'
import { datasetSearch } from '../search/dataset-search.js'
import { markdownText } from '../markdown.js'
import { filterQuery } from '../search/search-state.js'
import { searchPageError } from './dataset-search.js'
import type { GroupKindName } from './group-index.js'
import type { GroupDict } from './group-index.js'

interface ShownGroup extends GroupDict {
  id: string
  state: string
}

/**
 * `/organization/{name}` and `/group/{name}`: its title, image and description above the search
 * page of its datasets (same facets, paging and help), with its own filter fixed. Unknown and
 * deleted ones are a 404 for visitors.
 */
export function groupReadPage(kind: GroupKindName) {
  return async (deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { name } = req.params as { name: string }
    let group: ShownGroup
    try {
      group = await act<ShownGroup>(deps, req, `${kind}_show`, {
        id: name,
        include_datasets: false,
        include_users: false,
        include_extras: false,
        include_groups: false,
        include_tags: false,
        include_followers: false,
      })
    } catch (err) {
      // a deleted one is refused to visitors (403 in the API): for the page it no longer exists
      if (err instanceof NotFound || err instanceof NotAuthorized) return notFoundPage(deps, req, reply)
      return searchPageError(deps, req, reply, err)
    }
    if (group.state !== 'active') return notFoundPage(deps, req, reply)
    try {
      // CKAN filters an organization by id (names change) and a group by name, as its index holds them
      const fixed = kind === 'organization' ? { field: 'organization' as const, fq: filterQuery('owner_org', group.id) } : { field: 'groups' as const, fq: filterQuery('groups', group.name) }
      const search = await datasetSearch(deps, req, { path: `/${kind}/${encodeURIComponent(group.name)}`, fixed })
      const description = markdownText(group.description)
      return deps.render.send(req, reply, 'group/read.njk', {
        section: kind,
        kind,
        group: {
          name: group.name,
          title: group.display_name || group.title || group.name,
          image: group.image_display_url || group.image_url || null,
          // paragraphs as written; markup reduced to text (descriptions may hold HTML)
          paragraphs: String(group.description ?? '')
            .split(/\n\s*\n/)
            .map(markdownText)
            .filter(Boolean),
        },
        description: description.slice(0, 300),
        search,
        canonical: `${deps.config.siteUrl}${search.canonicalPath}`,
      })
    } catch (err) {
      return searchPageError(deps, req, reply, err)
    }
  }
}
