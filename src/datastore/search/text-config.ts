import { sql, type Kysely } from 'kysely'

/** The configuration `q` is matched in: `_full_text` is built in abierto_es (Spanish, accents folded). */
export const DEFAULT_TEXT_CONFIG = 'abierto_es'

/** `language` when it names a text search configuration the database has; abierto_es otherwise. */
export async function textConfig(db: Kysely<any>, language: string | undefined): Promise<string> {
  if (!language || language === DEFAULT_TEXT_CONFIG) return DEFAULT_TEXT_CONFIG
  const { rows } = await sql<{ ok: boolean }>`SELECT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = ${language}) AS ok`.execute(db)
  return rows[0]?.ok ? language : DEFAULT_TEXT_CONFIG
}
