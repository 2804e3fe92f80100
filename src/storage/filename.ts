/** CKAN's munge_filename limits. */
const MAX_TOTAL = 100
const MIN_TOTAL = 3
const MAX_EXTENSION = 21

/**
 * CKAN's munge_filename: the last path segment (either separator), lower case, accents folded to
 * ASCII, only [a-z0-9_. -] kept, spaces to dashes, the extension kept within the length limits.
 * The result names the file in its URL and in Content-Disposition; it never reaches a path.
 */
export function mungeFilename(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? ''
  let name = base
    .toLowerCase()
    .trim()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/[^a-z0-9_. -]/g, '')
    .replace(/ /g, '-')
    .replace(/-+/g, '-')
  const dot = name.lastIndexOf('.')
  // Python's splitext: a leading dot (".bashrc") is no extension
  let ext = dot > 0 && !/^\.+$/.test(name.slice(0, dot)) ? name.slice(dot) : ''
  let stem = ext ? name.slice(0, dot) : name
  ext = ext.slice(0, MAX_EXTENSION)
  const min = Math.max(1, MIN_TOTAL - ext.length)
  if (stem.length < min) stem += '_'.repeat(min - stem.length)
  stem = stem.slice(0, MAX_TOTAL - ext.length)
  name = stem + ext
  return name
}

/**
 * Content-Disposition for a download: `inline` as CKAN's send_file(download_name=…), with an
 * ASCII fallback name and the RFC 5987 form for anything else, so no quote, CR/LF or path can
 * leak into the header.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\/]/g, '_') || 'download'
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `inline; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
