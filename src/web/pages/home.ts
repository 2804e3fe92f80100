import type { FastifyReply, FastifyRequest } from 'fastify'
import { act, pageError, type WebDeps } from '../deps.js'
import { actorNames, activityItems, type ActivityDict } from '../activity-view.js'
import { visibleDataset } from './dataset-show.js'

interface FacetItem {
  name: string
  display_name: string
  count: number
}

function byCount(items: FacetItem[] | undefined): FacetItem[] {
  return [...(items ?? [])].sort((a, b) => b.count - a.count || a.display_name.localeCompare(b.display_name))
}

/** How many of the latest dataset activities the home page's "recent changes" box shows. */
const RECENT_CHANGES = 5

/**
 * The activities whose dataset the visitor may still read. An activity's labels are frozen when
 * it is written, so a dataset made private (or deleted) afterwards keeps its public activities in
 * recently_changed_packages_activity_list, as in CKAN; the home page would link to a 404 and keep
 * the title of a dataset its publisher withdrew in view. Twice as many are asked for, to have
 * enough left.
 */
async function stillVisible(deps: WebDeps, req: FastifyRequest, activities: ActivityDict[]): Promise<ActivityDict[]> {
  const ids = [...new Set(activities.map((a) => a.object_id))]
  const seen = await Promise.all(ids.map(async (id) => ((await visibleDataset(deps, req, id)) ? id : null)))
  const visible = new Set(seen.filter((id): id is string => id !== null))
  return activities.filter((a) => visible.has(a.object_id)).slice(0, RECENT_CHANGES)
}

/**
 * `/`: one package_search gives the count, the recent datasets and the organization, group and
 * format counts; recently_changed_packages_activity_list the recent changes, as the visitor may
 * see them (public datasets only, for anonymous visitors).
 */
export async function homePage(deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  try {
    const [search, organizations, groups, changes] = await Promise.all([
      act(deps, req, 'package_search', { q: '', rows: 6, sort: 'metadata_modified desc', 'facet.field': JSON.stringify(['organization', 'groups', 'res_format']), 'facet.limit': 12 }),
      act<string[]>(deps, req, 'organization_list', {}),
      act<string[]>(deps, req, 'group_list', {}),
      act<ActivityDict[]>(deps, req, 'recently_changed_packages_activity_list', { limit: RECENT_CHANGES * 2 }),
    ])
    // independent lookups, side by side: the names of a few actors whose activities end up not shown cost less than a second wait
    const [shown, names] = await Promise.all([stillVisible(deps, req, changes), actorNames(deps, req, changes)])
    return deps.render.send(req, reply, 'home.njk', {
      count: search.count,
      recent: search.results,
      organizations: byCount(search.search_facets.organization?.items),
      groups: byCount(search.search_facets.groups?.items),
      formats: byCount(search.search_facets.res_format?.items),
      organizationCount: organizations.length,
      groupCount: groups.length,
      changes: activityItems(shown, names),
    })
  } catch (err) {
    return pageError(deps, req, reply, err)
  }
}
