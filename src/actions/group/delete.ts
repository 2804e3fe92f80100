import { defineAction } from '../define.js'
import { deleteGroup } from '../../model/group-save.js'
import { actorOf, recordGroupActivity } from '../../activity/record.js'
import { GROUP, requireGroup, requireGroupPermission, type GroupKind } from './kind.js'

export function deleteAction(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_delete`,
    description: `Delete ${kind.isOrganization ? 'an organization' : 'a group'}: its state becomes 'deleted' and its memberships end.${kind.isOrganization ? ' Refused while it still owns datasets that are not deleted.' : ''} :param id: the id or name.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${noun}` } },
    },
    auth: requireGroupPermission(kind, 'delete', `delete ${noun}`, 'Group was not found.'),
    handler: async (ctx, p) =>
      ctx.transaction(async (tx) => {
        const group = await requireGroup(tx, kind, p.id, 'Group was not found.')
        await deleteGroup(tx.db, group, tx.config.createUnownedDataset)
        const actor = actorOf(tx)
        if (actor) await recordGroupActivity(tx.db, actor, 'deleted', { ...group, state: 'deleted' })
        return null
      }),
  })
}

export default deleteAction(GROUP)
