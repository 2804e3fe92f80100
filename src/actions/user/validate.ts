import type { UserRow } from '../../db/schema.js'
import type { ActionContext } from '../context.js'
import { isSysadmin } from '../context.js'
import { asBool } from '../params.js'
import { ValidationError } from '../../errors.js'
import { isUuid, nameError, unicodeSafe } from '../../model/validators.js'
import { findUserRow } from './dict.js'

/**
 * CKAN's default_user_schema (create) and default_update_user_schema (update), with the
 * messages of ckan/logic/validators.py at 2.11. Unknown keys are ignored. Update semantics are
 * 2.11's: only the keys sent are changed (the user table has no remove-if-not-provided column).
 */

// CKAN's email_pattern: the WHATWG address plus no leading, trailing or doubled dots
const EMAIL_RE = /^(?!\.)(?!.*\.$)(?!.*?\.\.)[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

export const USER_STATES = ['active', 'pending', 'deleted'] as const

export interface UserInput {
  id?: string
  name?: string
  fullname?: string
  email?: string
  /** Plain text: hashed by the caller before it is stored. */
  password?: string
  /** A ready hash (sysadmins importing users). */
  password_hash?: string
  about?: string
  image_url?: string
  sysadmin?: boolean
  state?: string
  activity_streams_email_notifications?: boolean
  plugin_extras?: Record<string, unknown> | null
}

const absent = (v: unknown) => v === undefined || v === null

/** boolean_validator: true for true/"true"/"yes"/"t"/"y"/"1", false for anything else. */
function booleanValue(v: unknown): boolean {
  if (typeof v === 'boolean') return v
  if (typeof v === 'string') return ['true', 'yes', 't', 'y', '1'].includes(v.toLowerCase())
  return asBool(v) ?? false
}

export async function validateUser(ctx: ActionContext, data: Record<string, unknown>, target?: UserRow): Promise<UserInput> {
  const errors: Record<string, string[]> = {}
  const add = (field: string, message: string) => (errors[field] ??= []).push(message)
  const sysadmin = isSysadmin(ctx)
  const out: UserInput = {}

  // id: sysadmins only (create drops it beforehand otherwise), a UUID
  if (!target && !absent(data.id)) {
    if (!isUuid(data.id)) add('id', 'Invalid id provided')
    else if (await findUserRow(ctx.db, data.id)) add('id', 'Id already exists')
    else out.id = data.id
  }

  // name: required on create, optional on update
  if (absent(data.name) || (!target && data.name === '')) {
    if (!target) add('name', 'Missing value')
  } else {
    const err = nameError(data.name)
    if (err) add('name', err)
    else {
      const name = data.name as string
      const existing = await findUserRow(ctx.db, name)
      if (existing && existing.id !== target?.id) add('name', 'That login name is not available.')
      else if (!existing && target && !sysadmin && target.state !== 'pending') add('name', 'That login name can not be modified.')
      else out.name = name
    }
  }

  if (!absent(data.fullname)) out.fullname = unicodeSafe(data.fullname) ?? undefined

  // password: at least 8 characters; required on create unless a sysadmin gives password_hash
  const hashGiven = sysadmin && !absent(data.password_hash)
  const password = data.password
  // null too: CKAN's user_password_validator lets only a missing key or a string through
  if (password !== undefined && typeof password !== 'string') add('password', 'Passwords must be strings')
  else if (typeof password === 'string' && password !== '' && password.length < 8) add('password', 'Your password must be 8 characters or longer')
  else if (typeof password === 'string' && password !== '') out.password = password
  if (!target && !hashGiven && !password) add('password', 'Missing value')
  if (hashGiven) out.password_hash = unicodeSafe(data.password_hash) ?? undefined

  // email: required (on update too), valid, not used by another active account
  const email = absent(data.email) ? '' : (unicodeSafe(data.email) ?? '').trim()
  if (email === '') add('email', 'Missing value')
  else {
    if (!EMAIL_RE.test(email)) add('email', `Email ${email} is not a valid format`)
    else {
      const owners = await ctx.db
        .selectFrom('user')
        .select(['id', 'name'])
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .where('state', '=', 'active')
        .execute()
      const ownId = target?.id
      const mine = owners.some((u) => u.id === ownId || u.name === data.name || u.name === data.id || u.id === data.id)
      if (owners.length > 0 && !mine) add('email', `The email address '${email}' belongs to a registered user.`)
      else out.email = email
    }
  }

  if (!absent(data.about)) {
    const about = unicodeSafe(data.about) ?? ''
    if (about.includes('http://') || about.includes('https://')) add('about', 'Edit not allowed as it looks like spam. Please avoid links in your description.')
    else out.about = about
  }

  if (!absent(data.image_url)) out.image_url = unicodeSafe(data.image_url) ?? undefined
  if (!absent(data.activity_streams_email_notifications)) out.activity_streams_email_notifications = booleanValue(data.activity_streams_email_notifications)

  // sysadmin-only fields are silently ignored for everyone else (ignore_not_sysadmin)
  if (sysadmin && !absent(data.sysadmin)) {
    const value = booleanValue(data.sysadmin)
    // CKAN master's guard against locking oneself out
    if (target && value !== target.sysadmin && target.id === ctx.caller.user?.id) add('sysadmin', 'Cannot modify your own sysadmin privileges')
    else out.sysadmin = value
  }
  if (sysadmin && !absent(data.state)) {
    if (!(USER_STATES as readonly unknown[]).includes(data.state)) add('state', `Value must be one of ${USER_STATES.join(', ')}`)
    else out.state = data.state as string
  }
  if (sysadmin && data.plugin_extras !== undefined && data.plugin_extras !== null) {
    const v = data.plugin_extras
    if (v === '') out.plugin_extras = null
    else if (typeof v !== 'object' || Array.isArray(v)) add('plugin_extras', 'The value should be a valid JSON object')
    else out.plugin_extras = v as Record<string, unknown>
  }

  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return out
}

/** A unique violation from a concurrent write, as the message the validator would have given. */
export function uniqueViolation(err: unknown, input: UserInput): ValidationError | null {
  const e = err as { code?: string; constraint?: string }
  if (e?.code !== '23505') return null
  if (e.constraint === 'user_active_email_idx') return ValidationError.field('email', `The email address '${input.email ?? ''}' belongs to a registered user.`)
  if (e.constraint === 'user_name_key') return ValidationError.field('name', 'That login name is not available.')
  if (e.constraint === 'user_pkey') return ValidationError.field('id', 'Id already exists')
  return null
}
