import { requireMemberEdit } from './auth.js'
import { NotFound } from '../../errors.js'
import { defineAction } from '../define.js'
import { findGroup } from '../../model/group-dict.js'
import { memberObject } from './object.js'

export default defineAction({
  name: 'member_delete',
  description:
    "Remove an object (a dataset, a user or a group) from a group or organization. Returns null, also when it was not a member. :param id: the group's id or name. :param object: the object's id or name. :param object_type: 'package', 'user' or 'group'.",
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['id', 'object', 'object_type'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: 'id or name of the group or organization' },
      object: { type: 'string', description: 'id or name of the dataset, user or group' },
      object_type: { type: 'string', description: "'package', 'user' or 'group'" },
    },
  },
  auth: async (ctx, p) => void (await requireMemberEdit(ctx, p)),
  handler: async (ctx, p) =>
    ctx.transaction(async (tx) => {
      const group = await findGroup(tx.db, p.id)
      if (!group) throw new NotFound('Group was not found.')
      const object = await memberObject(tx.db, p.object_type, p.object)
      await tx.db.updateTable('member').set({ state: 'deleted' }).where('group_id', '=', group.id).where('table_name', '=', object.table).where('table_id', '=', object.id).where('state', '=', 'active').execute()
      return null
    }),
})
