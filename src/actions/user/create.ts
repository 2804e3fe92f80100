import { recordUserActivity } from '../../activity/record.js'
import { defineAction } from '../define.js'
import { isSysadmin, userName } from '../context.js'
import { NotAuthorized } from '../../errors.js'
import { issueToken } from '../../auth/tokens.js'
import { findUserRow } from './dict.js'
import { showUser } from './show.js'
import { validateUser } from './validate.js'
import { insertUser } from './save.js'
import { USER_FIELDS } from './fields.js'

export default defineAction({
  name: 'user_create',
  description:
    'Create a user account. Only sysadmins may, unless CREATE_USER_VIA_API=true (ckan.auth.create_user_via_api).\n\nParams: name (2-100 characters: lowercase letters, digits, - and _), email, password (8 characters or more; sysadmins may give password_hash instead), fullname, about, image_url, activity_streams_email_notifications; sysadmins only: id (a UUID), sysadmin, state, plugin_extras. with_apitoken: also create an API token named "default", returned as `token`. Returns the user dict, with email.',
  sideEffectFree: false,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: { ...USER_FIELDS, with_apitoken: { type: 'boolean', default: false } },
  },
  auth: (ctx) => {
    if (isSysadmin(ctx) || ctx.config.createUserViaApi) return
    throw new NotAuthorized(`User ${userName(ctx)} not authorized to create users via the API`)
  },
  handler: async (ctx, p) => {
    const data: Record<string, unknown> = { ...p }
    // an id is for sysadmins only, and silently dropped when it is taken (CKAN's user_create)
    if (data.id !== undefined && data.id !== null && (!isSysadmin(ctx) || (typeof data.id === 'string' && (await findUserRow(ctx.db, data.id))))) delete data.id
    return ctx.transaction(async (tx) => {
      const input = await validateUser(tx, data)
      const user = await insertUser(tx.db, input)
      if (tx.config.activityStreamsEnabled) await recordUserActivity(tx.db, 'new', user.id)
      const dict = await showUser(tx, user, { keepEmail: true, includePluginExtras: isSysadmin(tx) && input.plugin_extras !== undefined })
      if (p.with_apitoken) dict.token = (await issueToken(tx.db, user.id, 'default')).token
      return dict
    })
  },
})
