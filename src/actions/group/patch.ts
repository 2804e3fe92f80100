import { defineAction } from '../define.js'
import { GROUP, requireGroup, requireGroupPermission, type GroupKind } from './kind.js'
import { GROUP_FIELDS } from './fields.js'
import { showGroup } from './show.js'
import { updateGroup } from './update.js'

export function patchAction(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_patch`,
    description: `Change only the given fields of ${kind.isOrganization ? 'an organization' : 'a group'}: its ${noun}_show dict, shallowly merged with the input, is passed to ${noun}_update. A list given (extras, users, groups) replaces the whole list. :param id: the id or name.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      properties: { id: { type: 'string', description: `id or name of the ${noun}` }, ...GROUP_FIELDS },
    },
    auth: requireGroupPermission(kind, 'update', `edit ${noun}`),
    handler: async (ctx, p) =>
      ctx.transaction(async (tx) => {
        const current = await showGroup(tx, await requireGroup(tx, kind, p.id))
        delete current.display_name
        return updateGroup(tx, kind, { ...current, ...p }, true)
      }),
  })
}

export default patchAction(GROUP)
