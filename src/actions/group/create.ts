import { NotAuthorized, ValidationError } from '../../errors.js'
import { requireSysadmin } from '../../auth/authz.js'
import { isSysadmin, userName } from '../context.js'
import { defineAction } from '../define.js'
import { validateGroup } from '../../model/group-validate.js'
import { insertGroup, saveMembers, upsertMember } from '../../model/group-save.js'
import { GROUP, type GroupKind } from './kind.js'
import { GROUP_FIELDS } from './fields.js'
import { showGroup } from './show.js'
import { actorOf, recordGroupActivity } from '../../activity/record.js'

export function createAction(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_create`,
    description: `Create ${kind.isOrganization ? 'an organization' : 'a group'}; the caller becomes its admin. Returns the ${noun}_show dict. :param name: required. :param id: sysadmins only, a UUID.`,
    sideEffectFree: false,
    params: {
      type: 'object',
      additionalProperties: true,
      properties: { id: { description: 'UUID to use (sysadmins only)' }, ...GROUP_FIELDS },
    },
    // CKAN: any logged-in user may create groups (ckan.auth.user_create_groups, default true);
    // organizations are for sysadmins (ckan.auth.user_create_organizations, false on CKAN master)
    auth: kind.isOrganization
      ? requireSysadmin(`create ${noun}s`)
      : (ctx) => {
          if (!ctx.caller.user) throw new NotAuthorized(`User ${userName(ctx)} not authorized to create ${noun}s`)
        },
    handler: async (ctx, p) => {
      if (!kind.isOrganization && p.type === 'organization') throw ValidationError.message('Trying to create an organization as a group')
      return ctx.transaction(async (tx) => {
        const input = await validateGroup(tx.db, p, { mode: 'create', sysadmin: isSysadmin(tx) })
        const group = await insertGroup(tx.db, input, { isOrganization: kind.isOrganization, type: noun })
        // an organization's datasets are the ones it owns (owner_org), never member rows
        if (!kind.isOrganization) await saveMembers(tx.db, group.id, 'package', input.packages, true)
        await saveMembers(tx.db, group.id, 'user', input.users, true)
        await saveMembers(tx.db, group.id, 'group', input.groups, true)
        if (tx.caller.user) await upsertMember(tx.db, group.id, 'user', tx.caller.user.id, 'admin')
        const actor = actorOf(tx)
        if (actor) await recordGroupActivity(tx.db, actor, 'new', group)
        return showGroup(tx, group)
      })
    },
  })
}

export default createAction(GROUP)
