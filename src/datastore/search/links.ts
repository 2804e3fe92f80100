/**
 * datastore_search's `_links`: the request's own path and query string with `offset` moved
 * (start: none, next: offset + limit, prev: offset - limit when that is past the first page),
 * as CKAN builds them from the current URL. Internal calls have no URL and get `{}`.
 */

export interface SearchLinks {
  start?: string
  next?: string
  prev?: string
}

/** Python's urllib quote_plus: only letters, digits and `_.-~` stay as they are. */
function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%7E/gi, '~')
    .replace(/%20/g, '+')
}

function encode(args: Map<string, string>): string {
  return [...args].map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&')
}

export function searchLinks(requestUrl: string | undefined, limit: number, offset: number): SearchLinks {
  if (requestUrl === undefined) return {}
  const q = requestUrl.indexOf('?')
  const path = q >= 0 ? requestUrl.slice(0, q) : requestUrl
  // parse_qsl: blank values dropped, the last of a repeated key wins (in the first one's place)
  const args = new Map<string, string>()
  for (const [k, v] of new URLSearchParams(q >= 0 ? requestUrl.slice(q + 1) : '')) if (v !== '') args.set(k, v)
  const url = (a: Map<string, string>) => {
    const query = encode(a)
    return query ? `${path}?${query}` : path
  }
  const start = new Map(args)
  start.delete('offset')
  const links: SearchLinks = { start: url(start), next: url(new Map(args).set('offset', String(offset + limit))) }
  if (offset - limit > 0) links.prev = url(new Map(args).set('offset', String(offset - limit)))
  return links
}
