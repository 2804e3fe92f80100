import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { parseConfig } from '../sources/config.js'
import { sourceQuery } from '../sources/sources.js'
import type { SourceInfo } from '../harvesters/harvester.js'

export async function loadSource(db: Kysely<Database>, id: string): Promise<SourceInfo | null> {
  const row = await sourceQuery(db).where('hs.id', '=', id).executeTakeFirst()
  if (!row) return null
  let parsed: Record<string, unknown> = {}
  try {
    parsed = parseConfig(row.config)
  } catch {
    // stored configs were validated; an unreadable one harvests with defaults
  }
  return { id: row.id, name: row.name, title: row.title ?? row.name, url: row.url, type: row.type, config: parsed, owner_org: row.owner_org, watermark: row.watermark, feedCursor: row.feed_cursor }
}
