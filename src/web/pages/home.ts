import type { FastifyReply, FastifyRequest } from 'fastify'
import { act, pageError, type WebDeps } from '../deps.js'

interface FacetItem {
  name: string
  display_name: string
  count: number
}

function byCount(items: FacetItem[] | undefined): FacetItem[] {
  return [...(items ?? [])].sort((a, b) => b.count - a.count || a.display_name.localeCompare(b.display_name))
}

/** `/`: one package_search gives the count, the recent datasets and the organization, group and format counts. */
export async function homePage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const [search, organizations, groups] = await Promise.all([
      act(deps, req, 'package_search', { q: '', rows: 6, sort: 'metadata_modified desc', 'facet.field': JSON.stringify(['organization', 'groups', 'res_format']), 'facet.limit': 12 }),
      act<string[]>(deps, req, 'organization_list', {}),
      act<string[]>(deps, req, 'group_list', {}),
    ])
    return deps.render.send(req, reply, 'home.njk', {
      count: search.count,
      recent: search.results,
      organizations: byCount(search.search_facets.organization?.items),
      groups: byCount(search.search_facets.groups?.items),
      formats: byCount(search.search_facets.res_format?.items),
      organizationCount: organizations.length,
      groupCount: groups.length,
    })
  } catch (err) {
    return pageError(deps, req, reply, err)
  }
}
