import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Config } from '../config.js'
import type { SearchIndex } from './port.js'
import { PostgresSearchIndex } from './postgres.js'

/** The configured search backend (SEARCH), prepared for use. */
export async function openSearchIndex(config: Config, db: Kysely<Database>): Promise<SearchIndex> {
  if (config.search === 'meilisearch') {
    if (!config.meilisearch.url) throw new Error('SEARCH=meilisearch needs MEILISEARCH_URL')
    const { MeilisearchIndex } = await import('./meilisearch/index.js')
    const index = new MeilisearchIndex({
      url: config.meilisearch.url,
      apiKey: config.meilisearch.apiKey,
      index: config.meilisearch.index,
      // documents carry vocabulary ids; queries name vocabularies (vocab_<name>)
      vocabularyId: async (name) => (await db.selectFrom('vocabulary').select('id').where('name', '=', name).executeTakeFirst())?.id ?? null,
    })
    await index.prepare()
    return index
  }
  const index = new PostgresSearchIndex(db)
  await index.prepare()
  return index
}
