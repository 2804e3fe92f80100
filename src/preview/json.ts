import { decodeText } from './decode.js'
import { readUpTo, type Head } from './source.js'

/** JSON read for a preview; a larger document is shown from its start, indented all the same. */
export const JSON_MAX_BYTES = 256 * 1024
/** Lines of indented output shown at most (a minified GeoJSON of 256 KiB indents to tens of thousands). */
export const JSON_MAX_LINES = 1000

export async function previewJson(head: Head): Promise<{ text: string; truncated: boolean }> {
  const { bytes, more } = await readUpTo(head.body, JSON_MAX_BYTES)
  const complete = !more && (head.size === null || bytes.length >= head.size)
  const { text } = decodeText(bytes, complete)
  let pretty: string
  if (complete) {
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      pretty = indent(text)
    }
  } else pretty = indent(text)
  const lines = pretty.split('\n')
  const cut = lines.length > JSON_MAX_LINES
  return { text: cut ? lines.slice(0, JSON_MAX_LINES).join('\n') : pretty, truncated: !complete || cut }
}

/**
 * Indents JSON text token by token without parsing it, so the start of a document too large to
 * read whole (or slightly broken) still reads as JSON.stringify(…, null, 2) would print it.
 */
export function indent(text: string): string {
  let out = ''
  let depth = 0
  let inString = false
  let start = 0
  const pad = (): string => '\n' + '  '.repeat(depth)
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') {
      inString = true
      continue
    }
    if (ch !== '{' && ch !== '[' && ch !== '}' && ch !== ']' && ch !== ',' && ch !== ':' && ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') continue
    out += text.slice(start, i)
    start = i + 1
    if (ch === '{' || ch === '[') {
      // an empty object or array stays on one line
      let j = i + 1
      while (j < text.length && /\s/.test(text[j])) j++
      if (text[j] === (ch === '{' ? '}' : ']')) {
        out += ch + text[j]
        i = j
        start = j + 1
        continue
      }
      depth++
      out += ch + pad()
    } else if (ch === '}' || ch === ']') {
      depth = Math.max(0, depth - 1)
      out += pad() + ch
    } else if (ch === ',') out += ',' + pad()
    else if (ch === ':') out += ': '
  }
  return out + text.slice(start)
}
