import iconv from 'iconv-lite'

/**
 * Text encoding of a file's first bytes. Portals publish UTF-8 (often with a BOM, as Excel
 * writes it) and Windows-1252/Latin-1 (older Excel and LibreOffice exports in Spanish: Población,
 * Año). A byte order mark decides; else bytes that are valid UTF-8 are UTF-8 (Latin-1 text with
 * accents almost never is); else Windows-1252, a superset of Latin-1's printable range.
 */
export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252'

export interface Decoded {
  text: string
  encoding: TextEncodingName
}

/**
 * `complete`: the bytes are the whole file. When they are a prefix, a multi-byte character cut at
 * the end is dropped rather than counted as invalid UTF-8.
 */
export function decodeText(bytes: Buffer, complete: boolean): Decoded {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: utf8(bytes.subarray(3), complete), encoding: 'utf-8-bom' }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(evenLength(bytes.subarray(2), complete)), encoding: 'utf-16le' }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(evenLength(bytes.subarray(2), complete)), encoding: 'utf-16be' }
  const body = complete ? bytes : withoutCutCharacter(bytes)
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' }
  } catch {
    // iconv-lite, not TextDecoder: Node 20's 'windows-1252' decoder is ISO-8859-1 (0x80 comes out as a C1 control, not €)
    return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' }
  }
}

function utf8(bytes: Buffer, complete: boolean): string {
  return new TextDecoder('utf-8').decode(complete ? bytes : withoutCutCharacter(bytes))
}

function evenLength(bytes: Buffer, complete: boolean): Buffer {
  return complete || bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1)
}

/** `bytes` less a trailing UTF-8 sequence that its lead byte says is longer than what follows it. */
export function withoutCutCharacter(bytes: Buffer): Buffer {
  // a sequence is at most 4 bytes: look back at most 3 for its lead byte
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const b = bytes[i]
    if ((b & 0xc0) === 0x80) continue
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return bytes.length - i < need ? bytes.subarray(0, i) : bytes
  }
  return bytes
}
