import type { Config } from '../config.js'
import type { Preview } from '../preview/index.js'
import { imageSrc } from './urls.js'

/** The template's side of a preview: the engine's answer plus what the page needs to show it. */
export type PreviewView =
  | { kind: 'table'; columns: Array<{ name: string; blank: boolean }>; rows: string[][]; truncated: boolean; encoding: string | null; delimiter: string | null; sheets: string[]; sheet: string | null }
  | { kind: 'json' | 'text'; text: string; truncated: boolean }
  | { kind: 'image'; src: string }
  | { kind: 'pdf'; src: string | null; link: string | null }
  | { kind: 'none'; reason: string }

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }

/**
 * A PDF is embedded only from this origin (the CSP's frame-src 'self'): an upload served by the
 * download route (inline, with the file's own type). On S3 without proxying the route redirects
 * to the bucket, another origin, so the page links to it instead.
 */
function embedsPdf(config: Config, resource: { mimetype: string | null }, embeddable: boolean): boolean {
  if (!embeddable) return false
  if (config.storage === 's3' && !config.s3ProxyDownloads) return false
  // served as octet-stream a browser would download it rather than show it in the frame
  return (resource.mimetype ?? '').toLowerCase() === 'application/pdf'
}

export function previewView(p: Preview, resource: { url: string | null; mimetype: string | null; upload: boolean; download: string | null }, config: Config): PreviewView {
  switch (p.kind) {
    case 'table':
      return {
        kind: 'table',
        columns: p.columns.map((name) => ({ name, blank: name.trim() === '' })),
        rows: p.rows,
        truncated: p.truncated,
        encoding: p.encoding ?? null,
        delimiter: p.delimiter !== undefined ? (DELIMITERS[p.delimiter] ?? null) : null,
        sheets: p.sheets ?? [],
        sheet: p.sheet ?? null,
      }
    case 'json':
    case 'text':
      return { kind: p.kind, text: p.text, truncated: p.truncated }
    case 'image': {
      const src = resource.upload ? resource.download : imageSrc(resource.url)
      return src ? { kind: 'image', src } : { kind: 'none', reason: 'unsupported' }
    }
    case 'pdf':
      return { kind: 'pdf', src: embedsPdf(config, resource, p.embeddable) ? resource.download : null, link: resource.download }
    case 'none':
      return { kind: 'none', reason: p.reason }
  }
}
