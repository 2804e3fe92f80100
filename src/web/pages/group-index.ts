import type { FastifyReply, FastifyRequest } from 'fastify'
import { act, one, type WebDeps } from '../deps.js'
import { pagination } from '../search/pagination.js'
import { excerpt } from '../search/plain-text.js'
import { readPage } from '../search/search-state.js'
import { searchPageError } from './dataset-search.js'

export type GroupKindName = 'organization' | 'group'

/** CKAN's index pages list 21 per page (three rows of a three-column grid). */
const PER_PAGE = 21

/** group_list's sort strings offered by the list pages; the first is the default. */
export const GROUP_SORTS = [
  { key: 'name_asc', value: 'title asc' },
  { key: 'name_desc', value: 'title desc' },
  { key: 'datasets', value: 'package_count desc' },
] as const

/** The fields of organization_show / group_show the portal's pages read. */
export interface GroupDict {
  name: string
  title?: string
  display_name?: string
  description?: string
  image_display_url?: string
  image_url?: string
  package_count?: number
}

/** `/organization` and `/group`: the list with counts and descriptions, a `q` filter box, a sort choice and paging. */
export function groupIndexPage(kind: GroupKindName) {
  return async (deps: WebDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      const query = (req.query ?? {}) as Record<string, unknown>
      const q = (one(query.q) ?? '').trim()
      const asked = one(query.sort) ?? ''
      const sort = GROUP_SORTS.find((s) => s.value === asked)?.value ?? GROUP_SORTS[0].value
      const page = readPage(query.page)
      const path = `/${kind}`
      const link = (next: { q?: string; sort?: string; page?: number }) => {
        const params = new URLSearchParams()
        const s = { q, sort, page: 1, ...next }
        if (s.q) params.append('q', s.q)
        if (s.sort !== GROUP_SORTS[0].value) params.append('sort', s.sort)
        if (s.page > 1) params.append('page', String(s.page))
        const text = params.toString()
        return text ? `${path}?${text}` : path
      }
      const list = `${kind}_list`
      // the names give the total for paging (as CKAN's index does), the dicts the page's items
      const [names, dicts] = await Promise.all([act<string[]>(deps, req, list, { q, sort }), act<GroupDict[]>(deps, req, list, { q, sort, all_fields: true, limit: PER_PAGE, offset: (page - 1) * PER_PAGE })])
      const items = dicts.map((g) => ({
        name: g.name,
        title: g.display_name || g.title || g.name,
        image: g.image_display_url || g.image_url || null,
        description: excerpt(g.description),
        count: g.package_count ?? 0,
        url: `/${kind}/${encodeURIComponent(g.name)}`,
      }))
      return deps.render.send(req, reply, 'group/index.njk', {
        section: kind,
        kind,
        q,
        count: names.length,
        items,
        sorts: GROUP_SORTS.map((s) => ({ key: s.key, value: s.value, selected: s.value === sort })),
        pagination: pagination(page, names.length, PER_PAGE, (n) => link({ page: n })),
        pastEnd: items.length === 0 && names.length > 0 ? { first: link({ page: 1 }) } : null,
        clearQuery: q ? link({ q: '' }) : null,
      })
    } catch (err) {
      return searchPageError(deps, req, reply, err)
    }
  }
}
