import { requireMemberEdit } from './auth.js'
import { NotAuthorized, NotFound } from '../../errors.js'
import { defineAction } from '../define.js'
import { findGroup } from '../../model/group-dict.js'
import { findMember, upsertMember, type MemberRow } from '../../model/group-save.js'
import { memberObject } from './object.js'

/** CKAN's member_dictize: the row's columns. */
export function memberDict(row: MemberRow) {
  return { id: row.id, table_name: row.table_name, table_id: row.table_id, capacity: row.capacity, group_id: row.group_id, state: row.state }
}

export default defineAction({
  name: 'member_create',
  description:
    "Make an object (a dataset, a user or a group) a member of a group or organization; an existing membership is re-activated with the new capacity. Returns the membership {id, table_name, table_id, capacity, group_id, state}. :param id: the group's id or name. :param object: the object's id or name. :param object_type: 'package', 'user' or 'group'. :param capacity: e.g. 'public' for datasets, 'admin'/'editor'/'member' for users.",
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['id', 'object', 'object_type', 'capacity'],
    additionalProperties: true,
    properties: {
      id: { type: 'string', description: 'id or name of the group or organization' },
      object: { type: 'string', description: 'id or name of the dataset, user or group' },
      object_type: { type: 'string', description: "'package', 'user' or 'group'" },
      capacity: { type: 'string', description: 'the role in the group' },
    },
  },
  auth: async (ctx, p) => void (await requireMemberEdit(ctx, p)),
  handler: async (ctx, p) =>
    ctx.transaction(async (tx) => {
      const group = await findGroup(tx.db, p.id)
      if (!group) throw new NotFound('Group was not found.')
      const object = await memberObject(tx.db, p.object_type, p.object)
      const existing = await findMember(tx.db, group.id, object.table, object.id)
      const me = tx.caller.user
      if (existing && object.table === 'user' && existing.table_id === me?.id && existing.capacity === 'admin' && p.capacity !== 'admin') {
        throw new NotAuthorized('Administrators cannot revoke their own admin status')
      }
      return memberDict(await upsertMember(tx.db, group.id, object.table, object.id, p.capacity, existing))
    }),
})
