import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

/**
 * Descriptions (dataset notes, resource descriptions) are Markdown that harvested portals often
 * fill with HTML. markdown-it passes that HTML through and sanitize-html then keeps only an
 * allow-list of tags and attributes, so the result is safe to insert with `| safe`.
 */
const md = new MarkdownIt({ html: true, linkify: true, breaks: false, typographer: false })

const TAGS = ['p', 'br', 'hr', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'abbr', 'cite', 'q', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img']
const TABLE_TAGS = ['table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td']
const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']

/** Relative links stay (a portal's own pages); absolute ones only with these schemes. */
const LINK_SCHEMES = ['http', 'https', 'mailto', 'ftp']
/** The CSP lets pages show remote images; a data: or javascript: source is never kept. */
const IMAGE_SCHEMES = ['http', 'https']

export interface MarkdownOptions {
  /**
   * The level the description's top heading becomes (default 2: right under the page's h1).
   * Deeper headings follow without skipping a level, so the page's outline stays in order.
   */
  headingLevel?: number
}

function sanitizeOptions(headingLevel: number): sanitizeHtml.IOptions {
  // each render walks its own headings in document order
  let last = headingLevel - 1
  let top: number | null = null
  const heading: sanitizeHtml.Transformer = (tagName, attribs) => {
    const written = Number(tagName.slice(1))
    top ??= written
    const wanted = Math.max(headingLevel, Math.min(6, headingLevel + written - top))
    const level = Math.min(wanted, last + 1, 6)
    last = level
    return { tagName: `h${level}`, attribs: attribs }
  }
  return {
    allowedTags: [...TAGS, ...TABLE_TAGS, ...HEADINGS],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      abbr: ['title'],
      th: ['scope', 'colspan', 'rowspan'],
      td: ['colspan', 'rowspan'],
      ol: ['start'],
      code: [],
    },
    allowedSchemes: LINK_SCHEMES,
    allowedSchemesByTag: { img: IMAGE_SCHEMES },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    // script, style and the like lose their content too, not only their tags
    disallowedTagsMode: 'discard',
    transformTags: {
      h1: heading,
      h2: heading,
      h3: heading,
      h4: heading,
      h5: heading,
      h6: heading,
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
      // an image without alt fails WCAG; an empty alt marks it decorative
      img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, alt: attribs.alt ?? '' } }),
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  }
}

/**
 * Rendering and sanitising cost more than reading the dataset (a few KB of notes: about a
 * millisecond), and the same notes are shown again and again: results are kept by their source
 * text, so an edited description is simply a new entry. Least recently used go first.
 */
class TextCache {
  private readonly entries = new Map<string, string>()
  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyLength: number,
  ) {}
  get(key: string, make: () => string): string {
    if (key.length > this.maxKeyLength) return make()
    const hit = this.entries.get(key)
    if (hit !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const value = make()
    this.entries.set(key, value)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    return value
  }
}

// at most 2,000 × 2 × 32 K characters; most notes are well under 2 K
const htmlCache = new TextCache(2000, 32 * 1024)
const textCache = new TextCache(2000, 32 * 1024)

/** Sanitised HTML from a Markdown description (which may contain HTML); '' for nothing. */
export function renderMarkdown(source: unknown, opts: MarkdownOptions = {}): string {
  if (typeof source !== 'string' || source.trim() === '') return ''
  const level = Math.min(Math.max(Math.floor(opts.headingLevel ?? 2), 1), 6)
  return htmlCache.get(`${level}\u0000${source}`, () => sanitizeHtml(md.render(source), sanitizeOptions(level)).trim())
}

/**
 * One line that Markdown would print as it is: no emphasis, code, link, HTML or entity
 * characters, and no block marker (heading, list, quote) at its start. (Links linkify would make
 * keep their text, so dots and colons are plain.)
 */
const PLAIN = /^[^\\`*_[\]<>&~\n\r]*$/
const BLOCK_START = /^\s*(#|[-+>]|\d+[.)])/

/** The description as plain text on one line (meta description, Open Graph, JSON-LD). */
export function markdownText(source: unknown): string {
  if (typeof source !== 'string' || source.trim() === '') return ''
  if (PLAIN.test(source) && !BLOCK_START.test(source)) return source.replace(/\s+/g, ' ').trim()
  return textCache.get(source, () => plainText(source))
}

function plainText(source: string): string {
  // a break or the end of a block separates words once the tags are gone
  const spaced = md.render(source).replace(/<(br|\/p|\/li|\/h[1-6]|\/div|\/td|\/th|\/tr|\/dt|\/dd|\/blockquote)\b/gi, ' $&')
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard' })
  return decodeEntities(text).replace(/\s+/g, ' ').trim()
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' }

/** sanitize-html escapes the text it keeps; plain text is escaped again where it is written. */
function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|apos|nbsp|#x?[0-9a-f]+);/gi, (m, name: string) => {
    const lower = name.toLowerCase()
    if (Object.hasOwn(ENTITIES, lower)) return ENTITIES[lower]
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : lower.startsWith('#') ? parseInt(lower.slice(1), 10) : NaN
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m
  })
}
