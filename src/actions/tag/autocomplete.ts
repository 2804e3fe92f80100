import { defineAction } from '../define.js'
import { TAG_SEARCH_PARAMS, tagSearch, type TagSearchParams } from './search.js'

export default defineAction({
  name: 'tag_autocomplete',
  description:
    "Return the names of the tags whose names contain the given text(s), as tag_search finds them: free tags some visible dataset carries, or with vocabulary_id that vocabulary's tags.\n\nParams: query (or q): a string or a list of strings; vocabulary_id; limit; offset; fields (deprecated).",
  sideEffectFree: true,
  params: TAG_SEARCH_PARAMS,
  auth: 'public',
  handler: async (ctx, p) => (await tagSearch(ctx, p as TagSearchParams)).tags.map((t) => t.name),
})
