import { isLocale } from './i18n.js'

const PREFIX = /^\/([a-z]{2})(\/[^?]*)?(\?.*)?$/

/**
 * CKAN portals put the language in the path (`/en/dataset/x`), and such links are shared and
 * indexed; they are answered as the same page with `?lang=`. The API has no language prefix.
 */
export function rewriteLocalePrefix(url: string): string {
  const m = PREFIX.exec(url)
  if (!m || !isLocale(m[1])) return url
  const rest = m[2] ?? '/'
  if (rest.startsWith('/api/') || rest === '/api') return url
  const query = m[3] ? `${m[3]}&lang=${m[1]}` : `?lang=${m[1]}`
  return `${rest}${query}`
}
