/** What a request was, as bounded metric labels: the kind of route and, for actions, the action's name. */
export interface RouteLabels {
  route: string
  action: string
}

/** The portal's pages (the dataset page shares `/dataset/:id` with DCAT and is counted there). */
const PAGE_ROUTES = /^\/(?:$|dataset$|dataset\/:id\/resource\/:rid$|dataset\/activity\/:id$|organization|group|sitemap|robots\.txt$)/

const ACTION_ROUTE = /^\/api(?:\/3)?\/action\/(.+)$/

/**
 * From the route pattern Fastify matched (never the raw URL, so no user string becomes a label):
 * a registered action's route names it; `/api/3/action/:name` (an unknown action) is `unknown`;
 * other routes get their kind. Requests that matched no route are `not_found`.
 */
export function routeLabels(pattern: string | undefined): RouteLabels {
  if (pattern === undefined) return { route: 'not_found', action: '' }
  const m = ACTION_ROUTE.exec(pattern)
  if (m) return { route: 'action', action: m[1].startsWith(':') ? 'unknown' : m[1] }
  if (pattern.startsWith('/dataset/:id/resource/:rid/download')) return { route: 'download', action: '' }
  if (pattern === '/catalog.:ext' || pattern === '/dataset/:id') return { route: 'dcat', action: '' }
  if (pattern === '/data.json') return { route: 'data.json', action: '' }
  if (pattern === '/health') return { route: 'health', action: '' }
  if (pattern === '/metrics') return { route: 'metrics', action: '' }
  if (pattern.startsWith('/api/docs')) return { route: 'docs', action: '' }
  if (/^\/api(?:\/\d)?\/?$/.test(pattern)) return { route: 'api_version', action: '' }
  if (pattern.startsWith('/assets/')) return { route: 'asset', action: '' }
  if (PAGE_ROUTES.test(pattern)) return { route: 'page', action: '' }
  return { route: 'other', action: '' }
}
