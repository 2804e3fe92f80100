import { sql, type SqlBool } from 'kysely'
import { ValidationError } from '../../errors.js'
import { defineAction } from '../define.js'
import { groupDatasets } from '../../model/group-dict.js'
import { GROUP, type GroupKind } from './kind.js'
import { SHOW_FLAGS, showGroup, type ShowFlags } from './show.js'

/** CKAN's ckan.group_and_organization_list_max and …_all_fields_max defaults. */
const MAX_NAMES = 1000
const MAX_DICTS = 25

type SortField = 'name' | 'title' | 'package_count'

/**
 * CKAN's sort string: one `field [asc|desc]`; `packages` is another name for `package_count`,
 * which alone sorts descending.
 */
export function parseSort(sort: string): { field: SortField; desc: boolean } {
  const bare = sort.trim()
  const parts = (bare === 'packages' || bare === 'package_count' ? 'package_count desc' : sort).split(',')
  const sorts = parts.map((part) => {
    const [field = '', order = 'asc'] = part.trim().split(/\s+/)
    if (!['name', 'title', 'packages', 'package_count'].includes(field)) throw ValidationError.message(`Cannot sort by field \`${field}\``)
    const dir = order.toLowerCase()
    if (dir !== 'asc' && dir !== 'desc') throw ValidationError.message(`Invalid sort direction \`${dir}\``)
    return { field: (field === 'packages' ? 'package_count' : field) as SortField, desc: dir === 'desc' }
  })
  if (sorts.length > 1) throw ValidationError.message('Too many sort criteria provided only 1 allowed')
  return sorts[0]
}

function names(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  const list = Array.isArray(value) ? value : value.split(',')
  return list.map((s) => s.trim()).filter((s) => s !== '')
}

/** ILIKE pattern for a literal substring: the user's % and _ match themselves. */
export function contains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

export function listAction(kind: GroupKind) {
  const noun = kind.prefix
  const filterKey = kind.isOrganization ? 'organizations' : 'groups'
  return defineAction({
    name: `${noun}_list`,
    description: `Return the names of the site's active ${noun}s, or with all_fields their ${noun}_show dicts (package_count included; extras, users, groups off unless asked). :param sort: name, title or package_count, with asc/desc (default title asc). :param limit, offset: paging (at most ${MAX_NAMES} names or ${MAX_DICTS} dicts). :param q: text in name, title or description. :param ${filterKey}: only these names. :param type: ${noun} type (default '${noun}').`,
    sideEffectFree: true,
    params: {
      type: 'object',
      additionalProperties: true,
      properties: {
        all_fields: { type: 'boolean', description: `return ${noun}_show dicts instead of names (default false)` },
        sort: { type: 'string', description: "'name', 'title' or 'package_count', optionally followed by asc/desc (default 'title asc')" },
        order_by: { type: 'string', description: 'deprecated: sort, when sort is not given' },
        limit: { type: 'integer', minimum: 0, description: `at most this many (and never more than ${MAX_NAMES}, or ${MAX_DICTS} with all_fields)` },
        offset: { type: 'integer', minimum: 0 },
        q: { type: 'string', description: 'case-insensitive text in name, title or description' },
        [filterKey]: { type: ['array', 'string'], items: { type: 'string' }, description: 'only these names (list or comma-separated)' },
        type: { type: 'string', description: `the ${noun} type (default '${noun}')` },
        ...SHOW_FLAGS,
      },
    },
    auth: 'public',
    handler: async (ctx, p) => {
      const sort = parseSort(p.sort || p.order_by || 'title')
      const max = p.all_fields ? MAX_DICTS : MAX_NAMES
      // CKAN reads a limit of 0 as "no limit", which would slip past the cap
      const limit = p.limit === undefined || p.limit === 0 || p.limit > max ? max : p.limit
      const only = names((p as Record<string, unknown>)[filterKey] as string | string[] | undefined)
      const q = (p.q ?? '').trim()
      let query = ctx.db
        .selectFrom('group')
        .selectAll('group')
        .where('group.state', '=', 'active')
        .where('group.is_organization', '=', kind.isOrganization)
        .where('group.type', '=', p.type ?? noun)
      if (only.length > 0) query = query.where('group.name', 'in', only)
      if (q !== '') {
        // accents and case ignored (CKAN: case only), so "educacion" finds "Ministerio de Educación"
        const like = sql`abierto_fold(${contains(q)})`
        const has = (col: string) => sql<SqlBool>`abierto_fold(${sql.ref(col)}) LIKE ${like}`
        query = query.where((eb) => eb.or([has('group.name'), has('group.title'), has('group.description')]))
      }
      const dir = sort.desc ? 'desc' : 'asc'
      if (sort.field === 'package_count') {
        // the count each group shows, as a correlated subquery: the order agrees with every package_count
        const count = groupDatasets(ctx, kind.isOrganization, sql.ref<string>('group.id')).select((eb) => eb.fn.countAll().as('n'))
        query = query.orderBy(count, dir)
      } else {
        query = query.orderBy(`group.${sort.field}`, dir)
      }
      // ties in a stable order, so pages do not overlap
      query = query.orderBy('group.name').limit(limit)
      if (p.offset) query = query.offset(p.offset)
      const rows = await query.execute()
      if (!p.all_fields) return rows.map((r) => r.name)
      const out = []
      for (const row of rows) out.push(await showGroup(ctx, row, p as ShowFlags, true))
      return out
    },
  })
}

export default listAction(GROUP)
