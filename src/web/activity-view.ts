import type { FastifyRequest } from 'fastify'
import { NotAuthorized, NotFound } from '../errors.js'
import { act, type WebDeps } from './deps.js'

/**
 * Activity dicts (package_activity_list, recently_changed_packages_activity_list) turned into
 * what the activity templates print: who, what, which dataset, when. Everything here is plain
 * text or a path the portal builds itself; templates escape it.
 */

/** An activity dict as CKAN 2.11 returns it; only the fields the portal reads. */
export interface ActivityDict {
  id: string
  timestamp: string
  user_id: string
  object_id: string
  activity_type: string
  data?: { package?: { id?: unknown; name?: unknown; title?: unknown }; actor?: unknown } | null
}

/** One piece of a translated sentence: text as is, or a slot the template fills with markup. */

export interface ActivityItem {
  id: string
  /** `new`, `changed`, `deleted` or `other`: the CSS class of the item's marker */
  kind: string
  /** the actor's display name; null for an activity whose user is unknown */
  actor: string | null
  dataset: { title: string; page: string }
  /** the naive UTC timestamp with a zone, for `<time datetime>` */
  datetime: string
  timestamp: string
}

const KINDS: Record<string, string> = {
  'new package': 'new',
  'changed package': 'changed',
  'deleted package': 'deleted',
  'new resource view': 'view_new',
  'changed resource view': 'view_changed',
  'deleted resource view': 'view_deleted',
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

/**
 * The display names of the activities' actors, looked up with user_show as the visitor (CKAN's
 * stream shows the user's display name). The name stored in `data.actor` stands in for a user
 * who is gone.
 */
export async function actorNames(deps: WebDeps, req: FastifyRequest, activities: ActivityDict[]): Promise<Map<string, string>> {
  const ids = [...new Set(activities.map((a) => a.user_id).filter((id) => typeof id === 'string' && id !== ''))]
  const names = new Map<string, string>()
  await Promise.all(
    ids.map(async (id) => {
      try {
        const user = await act<{ display_name?: unknown; fullname?: unknown; name?: unknown }>(deps, req, 'user_show', { id })
        const name = str(user.display_name) ?? str(user.fullname) ?? str(user.name)
        if (name) names.set(id, name)
      } catch (err) {
        if (!(err instanceof NotFound || err instanceof NotAuthorized)) throw err
      }
    }),
  )
  return names
}

/** The template's items, in the order given (the actions answer newest first). */
export function activityItems(activities: ActivityDict[], names: Map<string, string>): ActivityItem[] {
  return activities.map((a) => {
    const kind = KINDS[a.activity_type] ?? 'other'
    const pkg = a.data?.package ?? {}
    const name = str(pkg.name)
    return {
      id: a.id,
      kind,
      actor: names.get(a.user_id) ?? str(a.data?.actor),
      // by id: the dataset page answers a renamed dataset at its new name
      dataset: { title: str(pkg.title) ?? name ?? a.object_id, page: `/dataset/${encodeURIComponent(a.object_id)}` },
      datetime: `${a.timestamp}Z`,
      timestamp: a.timestamp,
    }
  })
}
