import { defineAction } from '../define.js'
import { findVocabulary } from './vocabulary.js'
import { contains } from '../group/list.js'
import { carriedFor } from './list.js'
import type { ActionContext } from '../context.js'

/** Params shared by tag_search and tag_autocomplete (CKAN's _tag_search). */
export const TAG_SEARCH_PARAMS = {
  type: 'object',
  additionalProperties: true,
  properties: {
    query: { type: ['string', 'array'], items: { type: 'string' }, description: 'text the tag name contains, or a list of texts it must all contain (case-insensitive)' },
    q: { type: ['string', 'array'], items: { type: 'string' }, description: 'same as query' },
    vocabulary_id: { type: ['string', 'null'], description: 'id or name of a vocabulary: search its tags instead of the free tags' },
    fields: { type: 'object', description: 'deprecated: {"tag": text} or {"tags": text} adds a term' },
    limit: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 0 },
  },
} as const

export interface TagSearchParams {
  query?: string | string[]
  q?: string | string[]
  vocabulary_id?: string | null
  fields?: Record<string, unknown>
  limit?: number
  offset?: number
}

function termsOf(value: string | string[] | undefined): string[] {
  const list = value === undefined ? [] : typeof value === 'string' ? [value] : value
  return list.map((t) => t.trim()).filter((t) => t !== '')
}

/**
 * Tags whose name contains every term, by name, with the total before paging. Free tags count
 * only while some dataset the caller may see carries them (the rule tag_list uses; CKAN counts
 * every dataset, hidden ones included), vocabulary tags always. No terms find nothing.
 */
export async function tagSearch(ctx: ActionContext, p: TagSearchParams) {
  const terms = termsOf(p.query !== undefined && termsOf(p.query).length > 0 ? p.query : p.q)
  for (const [field, value] of Object.entries(p.fields ?? {})) {
    if ((field === 'tag' || field === 'tags') && typeof value === 'string' && value.trim() !== '') terms.push(value.trim())
  }
  if (terms.length === 0) return { count: 0, tags: [] }
  let query = ctx.db.selectFrom('tag')
  if (p.vocabulary_id !== undefined) {
    const vocab = p.vocabulary_id === null || p.vocabulary_id === '' ? undefined : await findVocabulary(ctx.db, p.vocabulary_id)
    if (!vocab) return { count: 0, tags: [] }
    query = query.where('tag.vocabulary_id', '=', vocab.id)
  } else {
    query = query.where('tag.vocabulary_id', 'is', null).where(carriedFor(ctx))
  }
  for (const term of terms) query = query.where('tag.name', 'ilike', contains(term))
  const { count } = await query.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()
  let page = query.select(['tag.id', 'tag.name', 'tag.vocabulary_id']).orderBy('tag.name').orderBy('tag.id')
  if (p.offset) page = page.offset(p.offset)
  if (p.limit !== undefined) page = page.limit(p.limit)
  return { count: Number(count), tags: await page.execute() }
}

export default defineAction({
  name: 'tag_search',
  description:
    "Return the tags whose names contain the given text(s), as {count, results: [{id, name, vocabulary_id}]}. By default the free tags some visible dataset carries; with vocabulary_id that vocabulary's tags (an unknown vocabulary finds nothing). No query finds nothing.\n\nParams: query (or q): a string or a list of strings, all of which the name must contain (case-insensitive); vocabulary_id; limit; offset; fields (deprecated).",
  sideEffectFree: true,
  params: TAG_SEARCH_PARAMS,
  auth: 'public',
  handler: async (ctx, p) => {
    const { count, tags } = await tagSearch(ctx, p as TagSearchParams)
    return { count, results: tags.map((t) => ({ id: t.id, name: t.name, vocabulary_id: t.vocabulary_id })) }
  },
})
