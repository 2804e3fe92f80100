import { sql } from 'kysely'
import { defineAction } from '../define.js'
import { ValidationError } from '../../errors.js'
import { decodeCursor, encodeCursor } from './cursor.js'

/** Changes per page when `limit` is not given, and the most one page returns. */
export const CHANGES_LIMIT_DEFAULT = 100
export const CHANGES_LIMIT_MAX = 10_000

export interface FeedChange {
  seq: number
  type: 'created' | 'updated' | 'deleted' | 'hidden'
  id: string
  name: string
  metadata_modified: string | null
}

export default defineAction({
  name: 'changes_since',
  description:
    'The public change feed (an Abierto addition): what changed in the public catalogue after `cursor`, in commit order.\n\nParams: cursor (opaque string from a previous answer; absent or empty = the start of the feed), limit (default 100; above 10000 it is 10000).\n\nReturns {cursor, changes: [{seq, type, id, name, metadata_modified}]}: type is created (new, or public again), updated, deleted (deleted or purged) or hidden (made private or a draft); `cursor` is where the next call starts (the same cursor when nothing is new). No change is skipped or repeated across pages, whatever writers do meanwhile. Only publicly visible datasets ever appear. Also answered at GET /api/3/changes?cursor=&limit= (same envelope).',
  sideEffectFree: true,
  params: {
    type: 'object',
    additionalProperties: true,
    properties: {
      cursor: { type: 'string' },
      limit: { type: 'integer', minimum: 1 },
    },
  },
  // the log holds public visibility transitions only: there is nothing in it to hide from anyone
  auth: 'public',
  handler: async (ctx, p) => {
    const after = decodeCursor(p.cursor)
    const limit = Math.min(p.limit ?? CHANGES_LIMIT_DEFAULT, CHANGES_LIMIT_MAX)
    // numbers every committed change not numbered yet, above all earlier numbers: a reader past
    // seq N can never see a change numbered below N appear later
    await sql`SELECT abierto_stamp_changes()`.execute(ctx.db)
    const { rows } = await sql<{ seq: string; change: FeedChange['type']; package_id: string; name: string; metadata_modified: string | null }>`
      SELECT seq, change, package_id, name, metadata_modified FROM package_change
       WHERE seq IS NOT NULL AND seq > ${after} ORDER BY seq LIMIT ${limit}`.execute(ctx.db)
    if (rows.length === 0 && after > 0) {
      // a cursor past the end came from another feed (another site, a restored database): say so rather than wait forever
      const { rows: top } = await sql<{ max: string | null }>`SELECT max(seq) AS max FROM package_change WHERE seq IS NOT NULL`.execute(ctx.db)
      if (Number(top[0]?.max ?? 0) < after) throw new ValidationError({ cursor: ['Cursor is past the end of this feed'] })
    }
    const changes: FeedChange[] = rows.map((r) => ({ seq: Number(r.seq), type: r.change, id: r.package_id, name: r.name, metadata_modified: r.metadata_modified }))
    const cursor = changes.length ? encodeCursor(changes[changes.length - 1].seq) : p.cursor ? p.cursor : encodeCursor(0)
    return { cursor, changes }
  },
})
