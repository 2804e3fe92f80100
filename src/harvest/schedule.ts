// TEMP placeholder (helper branch harvest-actions replaces)
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
export async function scheduleDueSources(_db: Kysely<Database>, _now?: Date): Promise<string[]> { return [] }
