import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

const NAME_MAX = 100

/** A free dataset name from `base`: itself, else base1…base999 (cut to 100 characters), as ckanext-harvest. */
export async function uniqueName(db: Kysely<Database>, base: string): Promise<string> {
  const stem = (base || 'dataset').slice(0, NAME_MAX)
  const candidates = [stem, ...Array.from({ length: 999 }, (_, i) => `${stem.slice(0, NAME_MAX - String(i + 1).length)}${i + 1}`)]
  for (let i = 0; i < candidates.length; i += 50) {
    const slice = candidates.slice(i, i + 50)
    const taken = new Set((await db.selectFrom('package').select('name').where('name', 'in', slice).execute()).map((r) => r.name))
    const free = slice.find((c) => !taken.has(c))
    if (free) return free
  }
  return `${stem.slice(0, NAME_MAX - 6)}-${randomUUID().slice(0, 5)}`
}
