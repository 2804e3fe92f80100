import { visiblePackages } from '../../auth/authz.js'
import { NotFound } from '../../errors.js'
import { defineAction } from '../define.js'
import { packageDicts } from '../../model/package-dict.js'
import { findVocabulary, tagDict } from './vocabulary.js'
import { carriedFor } from './list.js'

/** CKAN's tag_show lists at most this many datasets (one search of 1000 rows). */
const MAX_DATASETS = 1000

export default defineAction({
  name: 'tag_show',
  description:
    "Return a tag {id, name, vocabulary_id, display_name}; with include_datasets also `packages`, the public datasets carrying it. :param id: the tag's id or name. :param vocabulary_id: id or name of its vocabulary (without it a name finds a free tag). :param include_datasets: default false.",
  sideEffectFree: true,
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: 'id or name of the tag' },
      vocabulary_id: { type: ['string', 'null'], description: 'id or name of the vocabulary the tag is in' },
      include_datasets: { type: 'boolean', description: 'add `packages`, up to 1000 public datasets (default false)' },
    },
  },
  auth: 'public',
  handler: async (ctx, p) => {
    const vocab = p.vocabulary_id ? await findVocabulary(ctx.db, p.vocabulary_id) : undefined
    if (p.vocabulary_id && !vocab) throw new NotFound()
    const columns = ['id', 'name', 'vocabulary_id'] as const
    // the id finds a tag of any vocabulary (unless another was named); a name only looks in the one named, or among free tags
    let tag = await ctx.db.selectFrom('tag').select(columns).where('id', '=', p.id).executeTakeFirst()
    if (tag && vocab && tag.vocabulary_id !== vocab.id) throw new NotFound()
    tag ??= await ctx.db
      .selectFrom('tag')
      .select(columns)
      .where('name', '=', p.id)
      .where('vocabulary_id', vocab ? '=' : 'is', vocab ? vocab.id : null)
      .executeTakeFirst()
    if (!tag) throw new NotFound()
    // a free tag only hidden datasets carry does not exist for this caller (no leak of their words)
    if (tag.vocabulary_id === null) {
      const seen = await ctx.db.selectFrom('tag').select('tag.id').where('tag.id', '=', tag.id).where(carriedFor(ctx)).executeTakeFirst()
      if (!seen) throw new NotFound()
    }
    const dict: Record<string, unknown> = tagDict(tag)
    if (p.include_datasets) {
      // CKAN searches public datasets only here, whoever asks
      const rows = await ctx.db
        .selectFrom('package')
        .innerJoin('package_tag', 'package_tag.package_id', 'package.id')
        .select('package.id')
        .where('package_tag.tag_id', '=', tag.id)
        .where('package_tag.state', '=', 'active')
        .where(visiblePackages(ctx))
        .orderBy('package.name')
        .limit(MAX_DATASETS)
        .execute()
      dict.packages = await packageDicts(
        ctx.db,
        rows.map((r) => r.id),
        ctx.config.siteUrl,
      )
    }
    return dict
  },
})
