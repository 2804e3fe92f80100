import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { NotFound, ValidationError } from '../../errors.js'
import type { MemberKind } from '../../model/group-save.js'
import { idOf } from '../../model/group-validate.js'

/** Python's str.title(): CKAN names the object type with it in its messages ("Package was not found."). */
function pythonTitle(text: string): string {
  let out = ''
  let afterLetter = false
  for (const ch of text) {
    const cased = ch.toLowerCase() !== ch.toUpperCase()
    out += cased ? (afterLetter ? ch.toLowerCase() : ch.toUpperCase()) : ch
    afterLetter = cased
  }
  return out
}

const KINDS: readonly MemberKind[] = ['package', 'user', 'group']

/**
 * The member table row a (type, id or name) pair names. CKAN accepts any model class name its
 * title-casing finds; the member table only holds these three.
 */
export async function memberObject(db: Kysely<Database>, objectType: string, ref: string): Promise<{ table: MemberKind; id: string }> {
  const title = pythonTitle(objectType)
  const table = KINDS.find((k) => pythonTitle(k) === title)
  if (!table) throw ValidationError.message(`${title} isn't a valid model`)
  const id = await idOf(db, table, ref)
  if (!id) throw new NotFound(`${title} was not found.`)
  return { table, id }
}
