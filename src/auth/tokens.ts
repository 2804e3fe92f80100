import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
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

/** last_access is written at most this often per token: a read-heavy client must not turn every request into a write. */
export const TOUCH_INTERVAL_MS = 60_000

/** Milliseconds since the epoch of a stored (naive UTC) timestamp. */
export function timestampMs(value: string): number {
  return Date.parse(`${value}Z`)
}

/**
 * The user a token belongs to, or null for an unknown, revoked or expired token (CKAN then
 * treats the request as anonymous) or a user who is not active (deleted users cannot act).
 * One indexed query (token_hash is unique); last_access, and the owner's last_active, are
 * updated in one more statement at most once a minute per token.
 */
export async function userForToken(db: Kysely<Database>, token: string): Promise<UserRow | null> {
  return (await resolveToken(db, token))?.user ?? null
}

export interface ResolvedToken {
  user: UserRow
  tokenId: string
  /** Expiry in ms since the epoch, or null for a token that never expires. */
  expiresMs: number | null
}

/** userForToken with what a cache needs to keep the answer honest (expiry, id for touching). */
export async function resolveToken(db: Kysely<Database>, token: string): Promise<ResolvedToken | null> {
  const row = await db
    .selectFrom('api_token')
    .innerJoin('user', 'user.id', 'api_token.user_id')
    .selectAll('user')
    .select(['api_token.id as token_id', 'api_token.expires_at', 'api_token.revoked_at', 'api_token.last_access as token_last_access'])
    .where('api_token.token_hash', '=', hashToken(token))
    .executeTakeFirst()
  if (!row || row.revoked_at !== null || row.state !== 'active') return null
  const now = Date.now()
  if (row.expires_at !== null && timestampMs(row.expires_at) <= now) return null
  const { expires_at: _e, revoked_at: _r, token_id: tokenId, token_last_access: lastAccess, ...user } = row
  if (lastAccess === null || now - timestampMs(lastAccess) >= TOUCH_INTERVAL_MS) await touchToken(db, tokenId)
  return { user, tokenId, expiresMs: row.expires_at === null ? null : timestampMs(row.expires_at) }
}

export async function touchToken(db: Kysely<Database>, tokenId: string): Promise<void> {
  const at = nowIso()
  const cutoff = new Date(Date.now() - TOUCH_INTERVAL_MS).toISOString().replace('Z', '')
  // the WHERE makes concurrent requests of one token write once; a failure must not fail the request
  await sql`WITH t AS (
      UPDATE api_token SET last_access = ${at} WHERE id = ${tokenId} AND (last_access IS NULL OR last_access < ${cutoff}) RETURNING user_id
    ) UPDATE "user" SET last_active = ${at} WHERE id IN (SELECT user_id FROM t)`
    .execute(db)
    .catch(() => undefined)
}

/** Deletes a token (CKAN's revoke); true when there was one. */
export async function revokeToken(db: Kysely<Database>, tokenId: string): Promise<boolean> {
  const res = await db.deleteFrom('api_token').where('id', '=', tokenId).executeTakeFirst()
  return Number(res.numDeletedRows) > 0
}

/** The token row's id for a full token string, or null. */
export async function tokenIdFor(db: Kysely<Database>, token: string): Promise<string | null> {
  const row = await db.selectFrom('api_token').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirst()
  return row?.id ?? null
}

/** The token in `Authorization` (raw or `Bearer …`) or `X-CKAN-API-Key`. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || null
  const auth = pick(headers.authorization)
  if (auth) return auth.replace(/^Bearer\s+/i, '')
  return pick(headers['x-ckan-api-key'])
}
