import { sql, type Kysely } from 'kysely'

/**
 * Field types and names as CKAN's DataStore accepts them: any Postgres type name (`int`, `text[]`,
 * `timestamp`...), `json` for nested values, and column names that cannot collide with the system
 * columns (`_id`, `_full_text`) or break out of their quotes.
 */

/** Postgres truncates longer identifiers silently (NAMEDATALEN 64 bytes). */
export const MAX_NAME_BYTES = 63

/** CKAN's is_valid_field_name: non-empty, not padded, not starting with `_`, no `"`. */
export function isValidFieldName(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && name === name.trim() && !name.startsWith('_') && !name.includes('"')
}

/** Alias names also may not contain `%` (CKAN's is_valid_table_name), nor be longer than Postgres keeps. */
export function isValidAliasName(name: unknown): name is string {
  return isValidFieldName(name) && !name.includes('%') && !nameTooLong(name)
}

export function nameTooLong(name: string): boolean {
  return Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES
}

/** CKAN stored json as its own composite type `nested`; both names mean a json column here. */
export function ddlTypeName(type: string): string {
  return type.trim().toLowerCase() === 'nested' ? 'json' : type
}

/**
 * True when `type` names one of Postgres' own data types (or an array of one): a base, enum,
 * range or domain type of pg_catalog. Pseudo-types (`void`, `record`) cannot be columns, and row
 * types (another table's, a system catalog's) or types of other schemas have no business in a
 * DataStore table: they would tie it to objects it does not own. Run inside a transaction: a
 * savepoint keeps a malformed name, which older Postgres versions answer with an error rather
 * than NULL, from aborting it. A name Postgres parsed whole as one type name is safe in DDL.
 */
export async function isColumnType(trx: Kysely<any>, type: unknown): Promise<boolean> {
  if (typeof type !== 'string' || type.trim() === '' || type.includes('\0')) return false
  await sql`SAVEPOINT datastore_type_check`.execute(trx)
  try {
    const { rows } = await sql<{ ok: boolean }>`
      SELECT t.typnamespace = 'pg_catalog'::regnamespace AND t.typtype IN ('b', 'e', 'r', 'm', 'd')
             AND (e.oid IS NULL OR e.typtype IN ('b', 'e', 'r', 'm', 'd')) AS ok
        FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
       WHERE t.oid = to_regtype(${ddlTypeName(type)})`.execute(trx)
    await sql`RELEASE SAVEPOINT datastore_type_check`.execute(trx)
    return rows.length === 1 && rows[0].ok === true
  } catch {
    await sql`ROLLBACK TO SAVEPOINT datastore_type_check`.execute(trx)
    return false
  }
}

const INT4_MIN = -2147483648
const INT4_MAX = 2147483647

// the date shapes CKAN guesses a timestamp from (its _DATE_FORMATS)
const DATE_SHAPES: { re: RegExp; order: 'ymd' | 'dmy' | 'mdy' }[] = [
  { re: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: 'ymd' },
  { re: /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})Z?$/, order: 'ymd' },
  { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
  { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'mdy' },
  { re: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: 'dmy' },
  { re: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: 'mdy' },
]

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function looksLikeDate(s: string): boolean {
  for (const { re, order } of DATE_SHAPES) {
    const m = re.exec(s)
    if (!m) continue
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])]
    const [y, mo, d] = order === 'ymd' ? [a, b, c] : order === 'dmy' ? [c, b, a] : [c, a, b]
    if (!validDate(y, mo, d)) continue
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 61)) continue
    return true
  }
  return false
}

/**
 * The type of a column CKAN guesses from the first record's value: objects and arrays are json,
 * JSON numbers int or float, strings that read as numbers integer or numeric, as dates timestamp,
 * anything else text. Two deliberate differences: integers beyond int4 are bigint (CKAN's int
 * column refused them at insert), and JSON booleans are bool (CKAN guessed int, then failed).
 */
export function guessType(value: unknown): string {
  if (value !== null && typeof value === 'object') return 'json'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'float'
    return value < INT4_MIN || value > INT4_MAX ? 'bigint' : 'int'
  }
  if (typeof value !== 'string') return 'text'
  const s = value.trim()
  if (/^[+-]?\d+$/.test(s)) {
    const n = BigInt(s)
    if (n >= BigInt(INT4_MIN) && n <= BigInt(INT4_MAX)) return 'integer'
    return n >= -(2n ** 63n) && n < 2n ** 63n ? 'bigint' : 'numeric'
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || /^[+-]?(nan|inf|infinity)$/i.test(s)) return 'numeric'
  if (looksLikeDate(value)) return 'timestamp'
  return 'text'
}

/**
 * CKAN's get_list for `primary_key`, `indexes`, `aliases`: a comma-separated string (items
 * trimmed) or a list; a list's string items lose surrounding spaces and double quotes only when
 * they start and end with the same character, as CKAN's _strip does.
 */
export function toList(value: unknown): (string | unknown[])[] | undefined {
  if (value === undefined || value === null) return undefined
  if (value === '') return []
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => stripItem(s.trim()))
      .filter((s) => s !== '')
  }
  const items: unknown[] = Array.isArray(value) ? value : [value]
  return items.map((x) => (typeof x === 'string' ? stripItem(x) : Array.isArray(x) ? x : String(x)))
}

function stripItem(s: string): string {
  return s.length > 0 && s[0] === s[s.length - 1] ? s.trim().replace(/^"+|"+$/g, '') : s
}
