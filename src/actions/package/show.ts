import { defineAction } from '../define.js'
import { NotFound, ValidationError } from '../../errors.js'
import { packageDictByRef, type PackageDict } from '../../model/package-dict.js'
import { requireReadPackage } from '../../auth/authz.js'
import { RawJson, type CachedEntry } from '../../cache/read-cache.js'
import type { PackageCacheMeta } from '../context.js'
import { isUuid } from '../../model/validators.js'
import { isHarvestSource } from '../../harvest/sources/show.js'
import { sourceShowFields } from '../../harvest/sources/sources.js'

export default defineAction({
  name: 'package_show',
  description:
    'Return the metadata of a dataset (package) and its resources.\n\nParams: id (id or name of the dataset; name_or_id also accepted), use_default_schema, include_plugin_data (sysadmins). Private, draft and deleted datasets are answered with 403 to callers who may not read them.',
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
    const key = isUuid(ref) ? packageIdKey(ref) : `package:ref:${ref}`
    const hit = ctx.cache.get(key)
    if (hit) {
      await requireReadPackage(ctx, hit.meta)
      return hit.raw
    }
    const generation = ctx.cache.generation
    const dict = await packageDictByRef(ctx.db, ref, ctx.config.siteUrl)
    if (!dict) throw new NotFound()
    const entry = packageCacheEntry(dict)
    await requireReadPackage(ctx, entry.meta)
    // a source's status moves with its jobs, which no API write announces: never cached
    if (isHarvestSource(dict)) return sourceShowFields(ctx.db, dict)
    ctx.cache.set([key, packageIdKey(entry.meta.id)], entry, generation)
    return entry.raw
  },
})

/** The read-cache key of a dataset's package_show answer by id (package_search reads it too). */
export function packageIdKey(id: string): string {
  return `package:id:${id}`
}

/** A package_show dict as the read cache keeps it: the JSON answer, and what visibility needs. */
export function packageCacheEntry(dict: PackageDict): CachedEntry<PackageCacheMeta> {
  const meta = {
    id: dict.id as string,
    state: dict.state as string,
    private: dict.private as boolean,
    owner_org: dict.owner_org as string | null,
    creator_user_id: dict.creator_user_id as string | null,
  }
  return { raw: new RawJson(JSON.stringify(dict)), meta }
}
