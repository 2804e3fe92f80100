/**
 * Paging an activity stream as CKAN's activity views do: no page numbers (new activities would
 * shift them), but "older" = `before` the oldest shown and "newer" = `after` the newest shown,
 * asking one activity more than a page holds to know whether there is another page.
 */

/**
 * The epoch seconds the actions' `before`/`after` take, written from the naive UTC timestamp
 * with all its microseconds: going through a JS Date would drop them, and a cursor rounded down
 * to the millisecond would show the activity it stands for again on the next page.
 */
export function epochSeconds(timestamp: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(timestamp)
  if (!m) return null
  const seconds = Date.parse(`${m[1]}Z`) / 1000
  if (!Number.isFinite(seconds)) return null
  return m[2] && !/^0+$/.test(m[2]) ? `${seconds}.${m[2].padEnd(6, '0')}` : String(seconds)
}

export interface StreamPage<T> {
  items: T[]
  /** query strings (`?before=…`), or null when there is no such page */
  older: string | null
  newer: string | null
}

/**
 * One page of a stream fetched with `limit + 1` (newest first). Going back in time (`before`, or
 * the first page) the extra activity is the oldest; going forward (`after`) it is the newest.
 * The first page has nothing newer; a page reached with `after` always has something older (the
 * page it came from).
 */
export function streamPage<T extends { timestamp: string }>(fetched: T[], limit: number, asked: { before?: string; after?: string }): StreamPage<T> {
  const more = fetched.length > limit
  // the actions page forward only for `after` alone; with both they count back from `before`
  const forward = asked.after !== undefined && asked.before === undefined
  const items = more ? (forward ? fetched.slice(fetched.length - limit) : fetched.slice(0, limit)) : fetched
  if (items.length === 0) return { items, older: null, newer: null }
  const link = (key: 'before' | 'after', ts: string) => {
    const epoch = epochSeconds(ts)
    return epoch === null ? null : `?${key}=${epoch}`
  }
  const paged = asked.before !== undefined || asked.after !== undefined
  const older = forward || more ? link('before', items[items.length - 1].timestamp) : null
  const newer = paged && (!forward || more) ? link('after', items[0].timestamp) : null
  return { items, older, newer }
}
