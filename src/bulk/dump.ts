import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { packageDicts } from '../model/package-dict.js'

export interface DumpOptions {
  siteUrl: string
  includePrivate?: boolean
  includeDrafts?: boolean
  includeDeleted?: boolean
  /** datasets per page */
  batch?: number
  onProgress?: (done: number, total: number) => void
}

/**
 * `abierto dump`: every dataset package_list would name (type `dataset`, active, public), or also
 * private / draft / deleted ones when asked, as package_show dicts, one JSON line each, ordered by
 * name in byte order. Pages of ids are turned into dicts one page at a time and written with
 * backpressure, so memory stays flat whatever the catalogue's size.
 */
export async function dumpDatasets(db: Kysely<Database>, out: Writable, opts: DumpOptions): Promise<number> {
  const batch = opts.batch ?? 500
  const states = ['active', ...(opts.includeDrafts ? ['draft'] : []), ...(opts.includeDeleted ? ['deleted'] : [])]
  const visible = sql`type = 'dataset' AND state = ANY(${states}::text[]) AND (${opts.includePrivate === true} OR NOT private)`
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM package WHERE ${visible}`.execute(db)
  const total = rows[0].n
  let after: string | null = null
  let done = 0
  for (;;) {
    const page: { id: string; name: string }[] = (
      await sql<{ id: string; name: string }>`
      SELECT id, name FROM package WHERE ${visible} AND (${after}::text IS NULL OR name COLLATE "C" > ${after})
       ORDER BY name COLLATE "C" LIMIT ${batch}`.execute(db)
    ).rows
    if (page.length === 0) break
    const dicts = await packageDicts(
      db,
      page.map((r) => r.id),
      opts.siteUrl,
    )
    const text = dicts.map((d) => JSON.stringify(d)).join('\n') + '\n'
    if (!out.write(text)) await once(out, 'drain')
    done += dicts.length
    after = page[page.length - 1].name
    opts.onProgress?.(done, Math.max(total, done))
  }
  return done
}
