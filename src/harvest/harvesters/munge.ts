/**
 * CKAN's name and tag mungers (ckan/lib/munge.py at ckan-2.11.5), reproduced exactly: harvested
 * datasets must get the names a CKAN harvester would give them, or re-harvesting the same source
 * into Abierto and into CKAN would diverge.
 */

const PACKAGE_NAME_MIN_LENGTH = 2
const PACKAGE_NAME_MAX_LENGTH = 100
const MIN_TAG_LENGTH = 2
const MAX_TAG_LENGTH = 100

// Latin-1 letters CKAN folds to ASCII; every other character ≥ 0x80 is dropped.
const ASCII_EQUIVALENTS: Record<number, string> = {
  0xc0: 'A',
  0xc1: 'A',
  0xc2: 'A',
  0xc3: 'A',
  0xc4: 'A',
  0xc5: 'A',
  0xc6: 'Ae',
  0xc7: 'C',
  0xc8: 'E',
  0xc9: 'E',
  0xca: 'E',
  0xcb: 'E',
  0xcc: 'I',
  0xcd: 'I',
  0xce: 'I',
  0xcf: 'I',
  0xd0: 'Th',
  0xd1: 'N',
  0xd2: 'O',
  0xd3: 'O',
  0xd4: 'O',
  0xd5: 'O',
  0xd6: 'O',
  0xd8: 'O',
  0xd9: 'U',
  0xda: 'U',
  0xdb: 'U',
  0xdc: 'U',
  0xdd: 'Y',
  0xde: 'th',
  0xdf: 'ss',
  0xe0: 'a',
  0xe1: 'a',
  0xe2: 'a',
  0xe3: 'a',
  0xe4: 'a',
  0xe5: 'a',
  0xe6: 'ae',
  0xe7: 'c',
  0xe8: 'e',
  0xe9: 'e',
  0xea: 'e',
  0xeb: 'e',
  0xec: 'i',
  0xed: 'i',
  0xee: 'i',
  0xef: 'i',
  0xf0: 'th',
  0xf1: 'n',
  0xf2: 'o',
  0xf3: 'o',
  0xf4: 'o',
  0xf5: 'o',
  0xf6: 'o',
  0xf8: 'o',
  0xf9: 'u',
  0xfa: 'u',
  0xfb: 'u',
  0xfc: 'u',
  0xfd: 'y',
  0xfe: 'th',
  0xff: 'y',
}

/** CKAN's substitute_ascii_equivalents: Latin-1 letters folded, anything else non-ASCII dropped. */
export function substituteAsciiEquivalents(text: string): string {
  let out = ''
  // for…of walks code points, as Python iterates a str: an astral character is one character to drop
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    const mapped = ASCII_EQUIVALENTS[code]
    if (mapped !== undefined) out += mapped
    else if (code < 0x80) out += ch
  }
  return out
}

function mungeToLength(s: string, min: number, max: number): string {
  if (s.length < min) s += '_'.repeat(min - s.length)
  if (s.length > max) s = s.slice(0, max)
  return s
}

// Python's str.strip() also strips the ASCII separators 0x1c–0x1f, which String.trim() keeps.
function pythonStrip(s: string): string {
  // eslint-disable-next-line no-control-regex -- the separators are the point (above)
  return s.replace(/^[\t\n\v\f\r \x1c-\x1f]+|[\t\n\v\f\r \x1c-\x1f]+$/g, '')
}

/** CKAN's munge_title_to_name: a dataset title made into a valid, probably unique, dataset name. */
export function mungeTitleToName(title: string): string {
  let name = substituteAsciiEquivalents(title)
  name = name.replace(/[ .:/]/g, '-')
  name = name.replace(/[^a-zA-Z0-9\-_]/g, '').toLowerCase()
  name = name.replace(/-+/g, '-')
  name = name.replace(/^-+|-+$/g, '')
  // five characters are kept free so a harvester can de-clash names with a suffix
  const maxLength = PACKAGE_NAME_MAX_LENGTH - 5
  if (name.length > maxLength) {
    const yearMatch = /^.*?[_-]((?:\d{2,4}[-/])?\d{2,4})$/.exec(name)
    if (yearMatch) {
      const year = yearMatch[1]
      name = `${name.slice(0, maxLength - year.length - 1)}-${year}`
    } else {
      name = name.slice(0, maxLength)
    }
  }
  return mungeToLength(name, PACKAGE_NAME_MIN_LENGTH, PACKAGE_NAME_MAX_LENGTH)
}

/** A name CKAN accepts as it is: 2–100 characters of a-z, 0-9, "-" and "_". */
export function isPackageName(name: string): boolean {
  return name.length >= PACKAGE_NAME_MIN_LENGTH && name.length <= PACKAGE_NAME_MAX_LENGTH && /^[a-z0-9_-]+$/.test(name)
}

/** CKAN's munge_tag (what `clean_tags` applies to harvested keywords). */
export function mungeTag(tag: string): string {
  let t = pythonStrip(substituteAsciiEquivalents(tag).toLowerCase())
  t = t.replace(/[^a-zA-Z0-9\- ]/g, '').replace(/ /g, '-')
  return mungeToLength(t, MIN_TAG_LENGTH, MAX_TAG_LENGTH)
}
