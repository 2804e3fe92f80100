import { defineAction } from '../define.js'
import { isSysadmin, type ActionContext } from '../context.js'
import { NotAuthorized, NotFound, ValidationError } from '../../errors.js'
import { issueToken } from '../../auth/tokens.js'
import { parseIsoDate } from '../../model/time.js'
import { findUserRow, requireLoggedIn } from '../user/dict.js'
import type { UserRow } from '../../db/schema.js'

/** api_token_create/list/revoke: your own tokens only, unless you are a sysadmin (no message, as CKAN). */
export function requireOwnTokens(ctx: ActionContext, user: UserRow | undefined): void {
  if (isSysadmin(ctx)) return
  if (!user || ctx.caller.user?.name !== user.name) throw new NotAuthorized()
}

const MAX_LIFETIME_S = 100 * 365 * 24 * 3600

/** The expiry as a stored timestamp, from expires_in × unit seconds or an ISO expires_at; null for none. */
function expiry(p: { expires_in?: number; unit?: number; expires_at?: string }, now: number): string | null {
  const errors: Record<string, string[]> = {}
  let at: number | null = null
  if (p.expires_in !== undefined && p.expires_at !== undefined) errors.expires_at = ['Give expires_in or expires_at, not both']
  else if (p.expires_in !== undefined) {
    const unit = p.unit ?? 1
    if (p.expires_in < 1) errors.expires_in = ['Must be a positive integer']
    if (unit < 1) errors.unit = ['Must be a positive integer']
    else if (p.expires_in >= 1 && p.expires_in * unit > MAX_LIFETIME_S) errors.expires_in = ['Must be at most 100 years']
    at = now + p.expires_in * unit * 1000
  } else if (p.expires_at !== undefined) {
    const parsed = parseIsoDate(p.expires_at)
    if (parsed === null) errors.expires_at = ['Date format incorrect']
    else if (Date.parse(`${parsed}Z`) <= now) errors.expires_at = ['Must be in the future']
    else if (Date.parse(`${parsed}Z`) - now > MAX_LIFETIME_S * 1000) errors.expires_at = ['Must be at most 100 years']
    else return parsed
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return at === null ? null : new Date(at).toISOString().replace('Z', '')
}

export default defineAction({
  name: 'api_token_create',
  description:
    'Create an API token for a user: yourself, or anyone if you are a sysadmin. The token is returned once, as {"token": "..."}, and only its hash is stored.\n\nParams: user (id or name), name (a label for the token); optional expiry: expires_in (positive integer) times unit (seconds, default 1; as ckanext-expire_api_token) or expires_at (ISO datetime, UTC). Without them the token does not expire.',
  sideEffectFree: false,
  params: {
    type: 'object',
    required: ['user', 'name'],
    additionalProperties: true,
    properties: {
      user: { type: 'string', minLength: 1, description: 'id or name of the user' },
      name: { type: 'string', minLength: 1, description: 'label of the token' },
      expires_in: { type: 'integer', description: 'lifetime in units' },
      unit: { type: 'integer', description: 'seconds per unit (60, 3600, 86400, ...); default 1' },
      expires_at: { type: 'string', description: 'expiry as an ISO datetime (UTC unless a zone is given)' },
    },
  },
  auth: async (ctx, p) => {
    const user = await findUserRow(ctx.db, p.user)
    if (!user) throw new NotFound('User not found')
    requireLoggedIn(ctx, 'api_token_create')
    requireOwnTokens(ctx, user)
  },
  handler: async (ctx, p) => {
    const user = await findUserRow(ctx.db, p.user)
    if (!user) throw new NotFound('User not found')
    const expiresAt = expiry(p, Date.now())
    const { token } = await issueToken(ctx.db, user.id, p.name, expiresAt)
    return { token }
  },
})
