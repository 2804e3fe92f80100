import type { FastifyBaseLogger } from 'fastify'
import type { OutboundPolicy } from '../net/outbound.js'
import { resourceKey, type BlobStore } from '../storage/blob-store.js'
import { CSV_MAX_BYTES, previewDelimited, previewText, TEXT_MAX_BYTES } from './delimited.js'
import { PreviewFailure, type NoPreviewReason } from './failure.js'
import { previewFormat } from './format.js'
import { httpHead, httpRandomAccess, type HttpOptions } from './http-source.js'
import { JSON_MAX_BYTES, previewJson } from './json.js'
import { blobHead, blobRandomAccess, type Head, type RandomAccess } from './source.js'
import { readSpreadsheet } from './spreadsheet.js'
import { shapeTable } from './table.js'

/**
 * A resource's preview for its page: the first rows of a table, the start of a JSON or text file,
 * or what kind of embed to show. Whatever the file's size, only its start is read (for zip-based
 * spreadsheets: the central directory and the start of one entry), so a 2 GB file costs what a
 * 2 KB one does. Nothing here throws for a bad file or an unreachable link: those are
 * `{ kind: 'none', reason }`, with codes the page translates.
 */

export interface ResourceLike {
  id: string
  url: string | null
  url_type: string | null
  format: string | null
  mimetype: string | null
  name: string | null
  size: number | null
}

export interface PreviewDeps {
  storage: BlobStore
  /** which addresses a linked resource may be fetched from */
  outbound: OutboundPolicy
  log?: FastifyBaseLogger
}

export type Preview =
  | { kind: 'table'; format: 'csv' | 'tsv' | 'xlsx' | 'xls' | 'ods'; columns: string[]; rows: string[][]; truncated: boolean; encoding?: string; delimiter?: string; sheets?: string[]; sheet?: string }
  | { kind: 'json'; text: string; truncated: boolean }
  | { kind: 'text'; text: string; truncated: boolean; encoding: string }
  | { kind: 'image' }
  | { kind: 'pdf'; embeddable: boolean }
  | { kind: 'none'; reason: NoPreviewReason; detail?: string }

export type { NoPreviewReason }

export const DEFAULT_MAX_ROWS = 100
const MAX_ROWS_LIMIT = 1000
/** Connecting and reading a linked file, all told. */
export const REMOTE_TIMEOUT_MS = 10_000
/** A linked spreadsheet from a server that ignores Range requests is read whole, up to this. */
export const REMOTE_MEMORY_MAX = 32 * 1024 * 1024

export async function previewResource(resource: ResourceLike, deps: PreviewDeps, opts: { maxRows?: number } = {}): Promise<Preview> {
  const maxRows = Math.min(Math.max(Math.floor(opts.maxRows ?? DEFAULT_MAX_ROWS), 1), MAX_ROWS_LIMIT)
  const format = previewFormat(resource)
  const upload = resource.url_type === 'upload'
  if (!upload && !resource.url?.trim()) return { kind: 'none', reason: 'no-url' }
  if (!format) return { kind: 'none', reason: 'unsupported' }
  if (format === 'image') return { kind: 'image' }
  if (format === 'pdf') return { kind: 'pdf', embeddable: upload }
  if (resource.size === 0 && upload) return { kind: 'none', reason: 'empty' }

  const http: HttpOptions = { policy: deps.outbound, signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS) }
  const url = resource.url ?? ''
  const head = async (maxBytes: number): Promise<Head> => {
    const h = upload ? await blobHead(deps.storage, resourceKey(resource.id), maxBytes) : await httpHead(url, http, maxBytes)
    refuseHtml(h.contentType, h.body)
    return h
  }
  const randomAccess = async (): Promise<RandomAccess> => {
    if (upload) return blobRandomAccess(deps.storage, resourceKey(resource.id))
    const { ra, contentType } = await httpRandomAccess(url, http, REMOTE_MEMORY_MAX)
    refuseHtml(contentType)
    return ra
  }

  try {
    switch (format) {
      case 'csv':
      case 'tsv': {
        let t
        try {
          t = await previewDelimited(await head(CSV_MAX_BYTES), format, maxRows)
        } catch (err) {
          // a binary file under a CSV label: often the spreadsheet the CSV was exported from
          if (!(err instanceof PreviewFailure && err.detail === 'binary')) throw err
          const sheet = await readSpreadsheet(await randomAccess(), maxRows)
          if (sheet.format === 'text') throw err
          return { kind: 'table', format: sheet.format, ...shapeTable(sheet.records, maxRows, sheet.more), sheets: sheet.sheets, sheet: sheet.sheet }
        }
        return { kind: 'table', format, columns: t.columns, rows: t.rows, truncated: t.truncated, encoding: t.encoding, delimiter: t.delimiter }
      }
      case 'text': {
        const t = await previewText(await head(TEXT_MAX_BYTES), maxRows)
        return { kind: 'text', text: t.text, truncated: t.truncated, encoding: t.encoding }
      }
      case 'json': {
        const j = await previewJson(await head(JSON_MAX_BYTES))
        return { kind: 'json', text: j.text, truncated: j.truncated }
      }
      case 'xlsx':
      case 'xls':
      case 'ods': {
        const sheet = await readSpreadsheet(await randomAccess(), maxRows)
        if (sheet.format === 'text') {
          // a "spreadsheet" that is really a CSV export: a common mislabelling
          const t = await previewDelimited(await head(CSV_MAX_BYTES), 'csv', maxRows)
          return { kind: 'table', format: 'csv', columns: t.columns, rows: t.rows, truncated: t.truncated, encoding: t.encoding, delimiter: t.delimiter }
        }
        const t = shapeTable(sheet.records, maxRows, sheet.more)
        return { kind: 'table', format: sheet.format, columns: t.columns, rows: t.rows, truncated: t.truncated, sheets: sheet.sheets, sheet: sheet.sheet }
      }
    }
  } catch (err) {
    return failed(err, upload, http.signal, resource, deps.log)
  }
}

/** An HTML page where data was expected: a login wall, a landing page, a portal's error page. */
function refuseHtml(contentType: string | null, body?: { destroy(): void }): void {
  if (contentType && /^\s*(text\/html|application\/xhtml\+xml)/i.test(contentType)) {
    body?.destroy()
    throw new PreviewFailure('unsupported', 'html')
  }
}

function failed(err: unknown, upload: boolean, signal: AbortSignal, resource: ResourceLike, log?: FastifyBaseLogger): Preview {
  if (err instanceof PreviewFailure) return err.detail ? { kind: 'none', reason: err.reason, detail: err.detail } : { kind: 'none', reason: err.reason }
  // a linked file whose transfer broke off (timeout, reset) is unreachable, not unreadable
  if (!upload && (signal.aborted || isNetworkError(err))) return { kind: 'none', reason: 'unreachable', detail: signal.aborted ? 'timeout' : 'network' }
  log?.warn({ err, resource: resource.id }, 'resource preview failed')
  return { kind: 'none', reason: 'unreadable' }
}

function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; name?: string }
  return e?.name === 'AbortError' || (typeof e?.code === 'string' && /^(E[A-Z]+|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_.*)$/.test(e.code) && e.code !== 'ERR_INVALID_ARG_TYPE')
}
