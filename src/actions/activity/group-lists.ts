import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { GROUP, ORGANIZATION, requireGroup, requireReadGroup, type GroupKind } from '../group/kind.js'
import { FILTER_PARAMS, PAGING_PARAMS, readListParams } from './params.js'
import { listActivities, type Where } from './query.js'
import { streamFilter } from './visibility.js'

/**
 * An organization's stream: the organization itself and the datasets it owns now and that are
 * public now (CKAN's rule, sysadmins included). A group's: the group and its public member
 * datasets, active ones or deleted with their membership. Dataset activities are still read
 * through their frozen labels.
 */
function scope(kind: GroupKind, groupId: string): Where {
  if (kind.isOrganization) {
    return (eb) => eb('activity.object_id', 'in', sql<string>`(SELECT p.id FROM package p WHERE p.owner_org = ${groupId} AND NOT p.private UNION ALL SELECT ${groupId}::text)`)
  }
  return (eb) =>
    eb(
      'activity.object_id',
      'in',
      sql<string>`(SELECT m.table_id FROM member m JOIN package p ON p.id = m.table_id
         WHERE m.group_id = ${groupId} AND m.table_name = 'package' AND NOT p.private
           AND ((m.state = 'active' AND p.state = 'active') OR (m.state = 'deleted' AND p.state = 'deleted'))
        UNION ALL SELECT ${groupId}::text)`,
    )
}

function groupActivityList(kind: GroupKind) {
  const noun = kind.prefix
  return defineAction({
    name: `${noun}_activity_list`,
    description: `Return ${kind.isOrganization ? "an organization's" : "a group's"} activity stream, newest first: its own activities and those of its public datasets (activity dicts as package_activity_list's).\n\nParams: id (id or name), offset, limit, after, before (UTC epoch seconds), activity_types, include_hidden_activity (sysadmins). Needs ${noun}_show's rights.`,
    sideEffectFree: true,
    params: {
      type: 'object',
      required: ['id'],
      additionalProperties: true,
      // exclude_activity_types is checked, then ignored, as in CKAN
      properties: { id: { type: 'string', description: `id or name of the ${noun}` }, ...PAGING_PARAMS, ...FILTER_PARAMS },
    },
    auth: 'public',
    handler: async (ctx, p) => {
      const params = readListParams(ctx, p)
      const group = await requireGroup(ctx, kind, p.id)
      await requireReadGroup(ctx, group)
      const filter = await streamFilter(ctx, { includeHidden: params.includeHidden, types: params.types })
      return listActivities(ctx.db, [scope(kind, group.id)], filter, params)
    },
  })
}

export const organizationActivityList = groupActivityList(ORGANIZATION)
export const groupActivityListAction = groupActivityList(GROUP)
