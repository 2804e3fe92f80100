import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, UserRow } from '../db/schema.js'
import { nowIso } from '../model/time.js'

/** Only the sha256 of a token is stored: tokens carry 256 random bits, so no KDF is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export interface IssuedToken {
  id: string
  token: string
}

export async function issueToken(db: Kysely<Database>, userId: string, name: string, expiresAt: string | null = null): Promise<IssuedToken> {
  const id = randomUUID()
  const token = `abt_${randomBytes(32).toString('base64url')}`
  await db
    .insertInto('api_token')
    .values({ id, user_id: userId, name, token_hash: hashToken(token), created_at: nowIso(), expires_at: expiresAt, last_access: null, revoked_at: null })
    .execute()
  return { id, token }
}

/**
 * The user a token belongs to, or null for an unknown, revoked or expired token (CKAN then
 * treats the request as anonymous) or a deleted user.
 */
export async function userForToken(db: Kysely<Database>, token: string): Promise<UserRow | null> {
  const row = await db
    .selectFrom('api_token')
    .innerJoin('user', 'user.id', 'api_token.user_id')
    .selectAll('user')
    .select(['api_token.expires_at', 'api_token.revoked_at'])
    .where('api_token.token_hash', '=', hashToken(token))
    .executeTakeFirst()
  if (!row || row.revoked_at !== null || row.state !== 'active') return null
  if (row.expires_at !== null && row.expires_at < nowIso()) return null
  const { expires_at: _e, revoked_at: _r, ...user } = row
  return user
}

/** The token in `Authorization` (raw or `Bearer …`) or `X-CKAN-API-Key`. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || null
  const auth = pick(headers.authorization)
  if (auth) return auth.replace(/^Bearer\s+/i, '')
  return pick(headers['x-ckan-api-key'])
}
