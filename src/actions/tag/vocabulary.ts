import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

/** CKAN's Vocabulary.get: by id, then by name. */
export async function findVocabulary(db: Kysely<Database>, idOrName: string): Promise<{ id: string; name: string } | undefined> {
  return db
    .selectFrom('vocabulary')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy((eb) => eb('id', '=', idOrName), 'desc')
    .executeTakeFirst()
}

/** A tag as CKAN's tag_dictize shows it: display_name is the name (a translation hook in CKAN). */
export function tagDict(tag: { id: string; name: string; vocabulary_id: string | null }) {
  return { id: tag.id, name: tag.name, vocabulary_id: tag.vocabulary_id, display_name: tag.name }
}
