import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, UserRow } from '../db/schema.js'
import type { ReadCache } from '../cache/read-cache.js'
import { resolveToken, touchToken, TOUCH_INTERVAL_MS } from './tokens.js'

interface Entry {
  user: UserRow
  tokenId: string
  expiresMs: number | null
  touchedMs: number
  generation: number
}

const MAX_ENTRIES = 10_000

/**
 * Token → user answers kept in memory, so an authenticated read costs no extra query. An entry
 * lives only as long as the read cache's generation: every write (a revoke, a user deleted or
 * demoted, a membership change) clears it in every process, and expiry is checked on each hit.
 * Unknown tokens are never cached, so each guess still reaches the database and the rate limit.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly reads: ReadCache<unknown>,
  ) {}

  async user(token: string): Promise<UserRow | null> {
    const key = createHash('sha256').update(token).digest('base64')
    const now = Date.now()
    const hit = this.entries.get(key)
    if (hit && hit.generation === this.reads.generation && this.reads.isEnabled && (hit.expiresMs === null || hit.expiresMs > now)) {
      if (now - hit.touchedMs >= TOUCH_INTERVAL_MS) {
        hit.touchedMs = now
        void touchToken(this.db, hit.tokenId)
      }
      return hit.user
    }
    if (hit) this.entries.delete(key)
    const generation = this.reads.generation
    const resolved = await resolveToken(this.db, token)
    if (!resolved) return null
    if (this.reads.isEnabled && generation === this.reads.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
      this.entries.set(key, { ...resolved, touchedMs: now, generation })
    }
    return resolved.user
  }
}
