import { NotFound, ValidationError } from '../../errors.js'
import { defineAction } from '../define.js'
import { findGroup } from '../../model/group-dict.js'
import { requireReadGroup } from './kind.js'

interface SearchPage {
  results: Record<string, unknown>[]
}

const LIMIT_MESSAGE = 'Limit must be a positive integer'

/** CKAN reads the limit with int(): integers and their decimal strings; negative or anything else is refused. */
function parseLimit(value: unknown): number | undefined {
  // CKAN: a falsy limit is no limit, and package_search then gives its default page of 10
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  if (typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value)) return Number(value)
  throw ValidationError.message(LIMIT_MESSAGE)
}

export default defineAction({
  name: 'group_package_show',
  description:
    "Return the datasets of a group, as package_search results (package_show dicts), newest change first. Like CKAN it searches `groups:<name>`: public active datasets only, whoever asks, and an organization (no dataset is in a group of its name) gives []. :param id: the group's id or name. :param limit: at most this many (default 10, at most 1000).",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', minLength: 1, description: 'id or name of the group' },
      limit: { type: ['integer', 'string'], description: 'the maximum number of datasets to return (default 10)' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const limit = parseLimit(p.limit)
    // any group or organization, deleted ones too, as model.Group.get finds them; group_show's rule then decides
    const group = await findGroup(ctx.db, p.id)
    if (!group) throw new NotFound()
    await requireReadGroup(ctx, group)
    const page = await ctx.call<SearchPage>('package_search', { fq: `groups:"${group.name}"`, ...(limit === undefined ? {} : { rows: limit }) })
    return page.results
  },
})
