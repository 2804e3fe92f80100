import { defineAction } from '../define.js'
import { NotFound } from '../../errors.js'
import { packageDict } from '../../model/package-dict.js'
import { requireReadPackage } from '../../auth/authz.js'
import { resourcePackageId } from './write.js'
import { userName } from '../context.js'

export default defineAction({
  name: 'resource_show',
  description: "Return the metadata of a resource: the same dict as in its dataset's package_show. The dataset's visibility applies.",
  sideEffectFree: true,
  params: { type: 'object', required: ['id'], additionalProperties: true, properties: { id: { type: 'string' } } },
  // visibility is checked against the loaded dataset, in the handler
  auth: 'public',
  handler: async (ctx, p) => {
    const packageId = await resourcePackageId(ctx, p.id)
    const dict = await packageDict(ctx.db, packageId, ctx.config.siteUrl)
    if (!dict) throw new NotFound('Resource was not found.')
    await requireReadPackage(
      ctx,
      { id: packageId, state: dict.state as string, private: dict.private as boolean, owner_org: dict.owner_org as string | null, creator_user_id: dict.creator_user_id as string | null },
      `User ${userName(ctx)} not authorized to read resource ${p.id}`,
    )
    const res = (dict.resources as Record<string, unknown>[]).find((r) => r.id === p.id)
    if (!res) throw new NotFound('Resource was not found.')
    return res
  },
})
