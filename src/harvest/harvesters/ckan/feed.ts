import { getText, RemoteError } from '../http.js'
import type { OutboundPolicy } from '../../../net/outbound.js'

/**
 * An Abierto remote's change feed (`changes_since`), for the `ckan` harvester: instead of listing
 * every dataset changed since a time (with an overlap window) and then every remote id to find
 * deletions, read what changed after the stored position and fetch only those datasets.
 */

type Dict = Record<string, any>
export type ChangeType = 'created' | 'updated' | 'deleted' | 'hidden'

export interface Remote {
  base: string
  headers: Record<string, string>
  timeoutMs: number
  policy: OutboundPolicy
  signal: AbortSignal
}

/** Changes per request: the feed's maximum page. */
const FEED_PAGE = 10_000
/** package_show requests in flight at once. */
const SHOW_CONCURRENCY = 8
const TYPES = new Set<ChangeType>(['created', 'updated', 'deleted', 'hidden'])

/** The remote refused the stored position (another feed, a restored database): start over from a full listing. */
export class FeedCursorRejected extends Error {}

export interface FeedRead {
  /** where the next read starts */
  cursor: string
  /** each changed dataset's last change, by remote id */
  last: Map<string, ChangeType>
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

/**
 * Reads the feed from `cursor` (null: its start) to its end. null: the remote has no feed (CKAN
 * answers an unknown action with a 400 whose body is a bare string).
 */
export async function readFeed(remote: Remote, cursor: string | null): Promise<FeedRead | null> {
  const last = new Map<string, ChangeType>()
  let position = cursor ?? ''
  for (;;) {
    if (remote.signal.aborted) throw new Error('Harvest job aborted')
    const u = new URL(`${remote.base}/api/3/action/changes_since`)
    u.searchParams.set('limit', String(FEED_PAGE))
    if (position) u.searchParams.set('cursor', position)
    const url = u.toString()
    const res = await getText(url, { policy: remote.policy, headers: remote.headers, timeoutMs: remote.timeoutMs })
    const body = parse(res.body) as Dict | string | undefined
    if (res.status === 400 && typeof body === 'string' && body.includes('Action name not known')) return null
    if (res.status === 409 && body && typeof body === 'object' && body.error && 'cursor' in body.error) throw new FeedCursorRejected(`the remote refused the feed position ${position}`)
    if (res.status !== 200 || !body || typeof body !== 'object' || body.success !== true) throw new RemoteError(`Error reading the change feed ${url}: HTTP ${res.status}`, res.status)
    const { cursor: next, changes } = (body.result ?? {}) as Dict
    if (typeof next !== 'string' || !Array.isArray(changes)) throw new RemoteError(`Error reading the change feed ${url}: not a change feed answer`)
    for (const c of changes as Dict[]) {
      if (!c || typeof c.id !== 'string' || !TYPES.has(c.type)) throw new RemoteError(`Error reading the change feed ${url}: not a change feed answer`)
      // a later change of the same dataset replaces the earlier one: only the latest state matters
      last.delete(c.id)
      last.set(c.id, c.type as ChangeType)
    }
    if (changes.length < FEED_PAGE || next === position) return { cursor: next, last }
    position = next
  }
}

/** The remote's package_show of `id`; null when it is not (or no longer) public and active. */
async function show(remote: Remote, id: string): Promise<Dict | null> {
  const url = `${remote.base}/api/3/action/package_show?id=${encodeURIComponent(id)}`
  const res = await getText(url, { policy: remote.policy, headers: remote.headers, timeoutMs: remote.timeoutMs })
  // gone, or made private, after the feed was read: its own change comes in a later read
  if (res.status === 404 || res.status === 403) return null
  const body = parse(res.body) as Dict | undefined
  if (res.status !== 200 || !body || body.success !== true || !body.result || typeof body.result !== 'object') throw new RemoteError(`Error reading ${url}: HTTP ${res.status}`, res.status)
  const d = body.result as Dict
  // an api_key may let the harvester see private or draft datasets: the mirror holds public ones only
  if (d.private === true || (d.state !== undefined && d.state !== 'active')) return null
  return d
}

/** package_show of every id, a few at a time, in the order given; null for the ones no longer public. */
export async function showAll(remote: Remote, ids: string[], onPage: (dicts: Array<[string, Dict | null]>) => Promise<void>, pageSize = 100): Promise<void> {
  for (let i = 0; i < ids.length; i += pageSize) {
    if (remote.signal.aborted) throw new Error('Harvest job aborted')
    const page = ids.slice(i, i + pageSize)
    const out: Array<[string, Dict | null]> = new Array(page.length)
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(SHOW_CONCURRENCY, page.length) }, async () => {
        while (next < page.length) {
          const k = next++
          out[k] = [page[k], await show(remote, page[k])]
        }
      }),
    )
    await onPage(out)
  }
}

/** Whether a dataset dict passes the source's organization and group filters (what filterTerms asks package_search for). */
export function passesFilters(d: Dict, config: Dict): boolean {
  const org = d.organization && typeof d.organization === 'object' ? [d.organization.name, d.organization.id] : []
  const groups = Array.isArray(d.groups) ? (d.groups as Dict[]).flatMap((g) => [g?.name, g?.id]) : []
  for (const [key, values] of [
    ['organizations', org],
    ['groups', groups],
  ] as const) {
    const include = config[`${key}_filter_include`]
    const exclude = config[`${key}_filter_exclude`]
    if (Array.isArray(include) && include.length && !include.some((v) => values.includes(v))) return false
    if (Array.isArray(exclude) && exclude.some((v) => values.includes(v))) return false
  }
  return true
}
