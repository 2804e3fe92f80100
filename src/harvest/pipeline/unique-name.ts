import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'

const NAME_MAX = 100

const stemOf = (base: string) => (base || 'dataset').slice(0, NAME_MAX)

/**
 * A free dataset name from `base`: itself, else base1…base999 (cut to 100 characters), as
 * ckanext-harvest. `reserved`: names already given out but not written yet (the same batch).
 */
export async function uniqueName(db: Kysely<Database>, base: string, reserved: ReadonlySet<string> = new Set()): Promise<string> {
  const stem = stemOf(base)
  const candidates = [stem, ...Array.from({ length: 999 }, (_, i) => `${stem.slice(0, NAME_MAX - String(i + 1).length)}${i + 1}`)]
  for (let i = 0; i < candidates.length; i += 50) {
    const slice = candidates.slice(i, i + 50)
    const taken = new Set((await db.selectFrom('package').select('name').where('name', 'in', slice).execute()).map((r) => r.name))
    const free = slice.find((c) => !taken.has(c) && !reserved.has(c))
    if (free) return free
  }
  return `${stem.slice(0, NAME_MAX - 6)}-${randomUUID().slice(0, 5)}`
}

/** Free names for several new datasets, all different: one query when the bases themselves are free (the usual case). */
export async function uniqueNames(db: Kysely<Database>, bases: string[]): Promise<string[]> {
  if (bases.length === 0) return []
  const stems = bases.map(stemOf)
  const { rows } = await sql<{ name: string }>`SELECT name FROM package WHERE name = ANY(${stems}::text[])`.execute(db)
  const taken = new Set(rows.map((r) => r.name))
  const given = new Set<string>()
  const names: string[] = []
  for (const stem of stems) {
    const name = taken.has(stem) || given.has(stem) ? await uniqueName(db, stem, given) : stem
    given.add(name)
    names.push(name)
  }
  return names
}
