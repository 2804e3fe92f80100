import { requireSysadmin } from '../../auth/authz.js'
import { defineAction } from '../define.js'
import { purgeGroup } from '../../model/group-save.js'
import { GROUP, requireGroup, type GroupKind } from './kind.js'

export function purgeAction(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_purge`,
    description: `Remove ${kind.isOrganization ? 'an organization' : 'a group'} from the database for good, with its memberships${kind.isOrganization ? '; refused while it still owns datasets that are not deleted, and deleted ones become unowned' : '; its datasets stay'}. Sysadmins only. :param id: the id or name.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${noun}` } },
    },
    auth: requireSysadmin(`purge ${noun}s`),
    handler: async (ctx, p) =>
      ctx.transaction(async (tx) => {
        const group = await requireGroup(tx, kind, p.id, kind.isOrganization ? 'Organization was not found' : 'Group was not found')
        await purgeGroup(tx.db, group, tx.config.createUnownedDataset)
        return null
      }),
  })
}

export default purgeAction(GROUP)
