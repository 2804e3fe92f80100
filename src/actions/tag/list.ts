import type { ExpressionBuilder } from 'kysely'
import type { Database } from '../../db/schema.js'
import { NotFound } from '../../errors.js'
import { defineAction } from '../define.js'
import { findVocabulary, tagDict } from './vocabulary.js'
import { contains } from '../group/list.js'
import { visiblePackages } from '../../auth/authz.js'
import type { ActionContext } from '../context.js'

/**
 * A free tag is listed once some dataset the caller may see carries it. CKAN lists tags of every
 * dataset, private and deleted ones included; that leaks words of hidden datasets, so here only
 * datasets visible to the caller (as package_search finds them: active, private ones to those
 * who may read them) count.
 */
export function carriedFor(ctx: ActionContext) {
  return (eb: ExpressionBuilder<Database, 'tag'>) =>
    eb.exists(
      eb
        .selectFrom('package_tag')
        .innerJoin('package', 'package.id', 'package_tag.package_id')
        .select('package_tag.tag_id')
        .whereRef('package_tag.tag_id', '=', 'tag.id')
        .where('package_tag.state', '=', 'active')
        .where(visiblePackages(ctx, { includePrivate: true })),
    )
}

export default defineAction({
  name: 'tag_list',
  description:
    "Return the names of the site's free tags (those some dataset carries), or with vocabulary_id the tags of that vocabulary. :param query: only tags whose name contains this (also `q`). :param vocabulary_id: id or name of a vocabulary. :param all_fields: return {id, name, vocabulary_id, display_name} dicts (default false).",
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      query: { type: 'string', description: 'text the tag name contains (case-insensitive)' },
      q: { type: 'string', description: 'same as query' },
      vocabulary_id: { type: ['string', 'null'], description: 'id or name of a vocabulary' },
      all_fields: { type: 'boolean', description: 'return tag dicts instead of names (default false)' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const carried = carriedFor(ctx)
    const text = (p.query || p.q || '').trim()
    let query = ctx.db.selectFrom('tag').select(['tag.id', 'tag.name', 'tag.vocabulary_id']).orderBy('tag.name').orderBy('tag.id')
    if (text !== '') {
      // the search path (CKAN's _tag_search): an unknown vocabulary finds nothing
      if (p.vocabulary_id !== undefined) {
        const vocab = p.vocabulary_id === null ? undefined : await findVocabulary(ctx.db, p.vocabulary_id)
        if (!vocab) return []
        query = query.where('tag.vocabulary_id', '=', vocab.id)
      } else {
        query = query.where('tag.vocabulary_id', 'is', null).where(carried)
      }
      query = query.where('tag.name', 'ilike', contains(text))
    } else if (p.vocabulary_id) {
      const vocab = await findVocabulary(ctx.db, p.vocabulary_id)
      if (!vocab) throw new NotFound(`could not find vocabulary '${p.vocabulary_id}'`)
      query = query.where('tag.vocabulary_id', '=', vocab.id)
    } else {
      query = query.where('tag.vocabulary_id', 'is', null).where(carried)
    }
    const tags = await query.execute()
    return p.all_fields ? tags.map(tagDict) : tags.map((t) => t.name)
  },
})
