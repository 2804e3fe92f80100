import { defineAction } from '../define.js'
import { NotFound, ValidationError } from '../../errors.js'
import { packageDictByRef } from '../../model/package-dict.js'
import { requireReadPackage } from '../../auth/authz.js'
import { RawJson } from '../../cache/read-cache.js'
import { isUuid } from '../../model/validators.js'

export default defineAction({
  name: 'package_show',
  description: 'Return the metadata of a dataset (package) and its resources.\n\nParams: id (id or name of the dataset; name_or_id also accepted), use_default_schema, include_plugin_data (sysadmins). Private, draft and deleted datasets are answered with 403 to callers who may not read them.',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      id: { type: 'string' },
      name_or_id: { type: 'string' },
      use_default_schema: { type: 'boolean' },
      include_plugin_data: { type: 'boolean' },
    },
  },
  // Visibility needs the dataset itself: the handler applies the read rule to the row it loads,
  // so a show costs one query.
  auth: 'public',
  handler: async (ctx, p) => {
    const ref = p.id || p.name_or_id
    if (!ref) throw new ValidationError({ name_or_id: ['Missing value'] })
    // an id always wins over a name (CKAN's Package.get): a UUID-shaped ref is looked up by id only
    const key = isUuid(ref) ? `package:id:${ref}` : `package:ref:${ref}`
    const hit = ctx.cache.get(key)
    if (hit) {
      await requireReadPackage(ctx, hit.meta)
      return hit.raw
    }
    const generation = ctx.cache.generation
    const dict = await packageDictByRef(ctx.db, ref, ctx.config.siteUrl)
    if (!dict) throw new NotFound()
    const meta = {
      id: dict.id as string,
      state: dict.state as string,
      private: dict.private as boolean,
      owner_org: dict.owner_org as string | null,
      creator_user_id: dict.creator_user_id as string | null,
    }
    await requireReadPackage(ctx, meta)
    const raw = new RawJson(JSON.stringify(dict))
    ctx.cache.set([key, `package:id:${meta.id}`], { raw, meta }, generation)
    return raw
  },
})
