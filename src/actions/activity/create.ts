import { randomUUID } from 'node:crypto'
import { defineAction } from '../define.js'
import { isSysadmin } from '../context.js'
import { NotAuthorized, ValidationError } from '../../errors.js'
import { requireLoggedIn } from '../user/dict.js'
import { nowIso } from '../../model/time.js'
import { activityDict, type ActivityRecord } from './record.js'

/** The types activity_create accepts, and where each one's object_id must exist (by id only, as CKAN). */
const OBJECT_TABLES: Record<string, { table: 'package' | 'group' | 'user'; noun: string }> = {}
for (const t of ['new package', 'changed package', 'deleted package', 'follow dataset', 'new resource view', 'changed resource view', 'deleted resource view']) OBJECT_TABLES[t] = { table: 'package', noun: 'Dataset' }
for (const t of ['new user', 'changed user', 'follow user']) OBJECT_TABLES[t] = { table: 'user', noun: 'User' }
for (const t of ['new group', 'changed group', 'deleted group', 'follow group', 'new organization', 'changed organization', 'deleted organization', 'follow organization']) OBJECT_TABLES[t] = { table: 'group', noun: 'Group' }

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)

export default defineAction({
  name: 'activity_create',
  description:
    "Record an activity (sysadmins only). Params: user_id (name or id of the actor), object_id (the object's id), activity_type (new/changed/deleted package, group, organization; new/changed user; follow …; resource view types), data (a dict, default {}), permission_labels (list: who may read a dataset activity). Returns the activity dict, or null when ACTIVITY_STREAMS_ENABLED is false.",
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      user_id: { description: 'name or id of the user who did it' },
      object_id: { description: 'id of the dataset, group, organization or user' },
      activity_type: { description: "e.g. 'changed package'" },
      data: { description: 'a dict (default {})' },
      permission_labels: { description: 'list of labels; readers of a dataset activity need one of them' },
    },
  },
  auth: (ctx) => {
    requireLoggedIn(ctx, 'activity_create')
    if (!isSysadmin(ctx)) throw new NotAuthorized()
  },
  handler: async (ctx, p) => {
    if (!ctx.config.activityStreamsEnabled) return null
    const errors: Record<string, string[]> = {}
    const text = (key: 'user_id' | 'object_id' | 'activity_type'): string | null => {
      const v = p[key]
      if (v === undefined || v === null || v === '') errors[key] = ['Missing value']
      else if (typeof v !== 'string' && typeof v !== 'number') errors[key] = ['Must be a string']
      else return String(v)
      return null
    }
    const userRef = text('user_id')
    const objectId = text('object_id')
    const type = text('activity_type')

    let userId: string | null = null
    if (userRef !== null) {
      const byId = await ctx.db.selectFrom('user').select('id').where('id', '=', userRef).executeTakeFirst()
      const user = byId ?? (await ctx.db.selectFrom('user').select('id').where('name', '=', userRef).executeTakeFirst())
      if (user) userId = user.id
      else errors.user_id = ['Not found: User']
    }
    const target = type !== null && Object.hasOwn(OBJECT_TABLES, type) ? OBJECT_TABLES[type] : undefined
    if (type !== null && !target) errors.activity_type = ['Not found: Activity type']
    if (objectId !== null && type !== null) {
      if (!target) errors.object_id = [`There is no object_id validator for activity type "${type}"`]
      else if (!(await ctx.db.selectFrom(target.table).select('id').where('id', '=', objectId).executeTakeFirst())) errors.object_id = [`Not found: ${target.noun}`]
    }
    let data: Record<string, unknown> = {}
    if (!isEmpty(p.data)) {
      if (typeof p.data === 'object' && !Array.isArray(p.data)) data = p.data as Record<string, unknown>
      else errors.data = ['Not a dict']
    }
    let labels: string[] | null = null
    if (!isEmpty(p.permission_labels)) {
      if (!Array.isArray(p.permission_labels)) errors.permission_labels = ['Not a list']
      else {
        const bad = (p.permission_labels as unknown[]).find((l) => typeof l !== 'string')
        if (bad !== undefined) errors.permission_labels = [`Not a string: ${String(bad)}`]
        else labels = p.permission_labels as string[]
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors)

    const row: ActivityRecord = { id: randomUUID(), timestamp: nowIso(), user_id: userId!, object_id: objectId!, activity_type: type!, data, permission_labels: labels, seq: '' }
    await ctx.db
      .insertInto('activity')
      .values({ id: row.id, timestamp: row.timestamp, user_id: row.user_id, object_id: row.object_id, activity_type: row.activity_type, data: JSON.stringify(data), permission_labels: labels })
      .execute()
    return activityDict(row)
  },
})
