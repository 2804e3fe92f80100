import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ActionRunner } from '../actions/runner.js'
import type { Caller } from '../actions/context.js'
import { NotAuthorized, NotFound, ValidationError } from '../errors.js'
import { RawJson } from '../cache/read-cache.js'
import { resourceKey, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js'
import { contentDisposition } from './filename.js'

export interface DownloadRoutesOptions {
  runner: ActionRunner
  store: BlobStore
  resolveCaller: (req: FastifyRequest) => Promise<Caller>
  /** S3: stream through this process instead of redirecting to a presigned URL. */
  proxy: boolean
}

/** Lifetime of a presigned S3 URL: long enough to start the download, too short to share. */
const PRESIGN_SECONDS = 60

type Params = { id: string; rid: string; filename?: string }

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range); null: send the whole file; 'invalid': 416. */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'invalid' {
  if (!header) return null
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim())
  // several ranges or another unit: answering with the whole file is allowed (RFC 9110 14.2)
  if (!m) return header.includes(',') || !header.startsWith('bytes=') ? null : 'invalid'
  const [, a, b] = m
  if (a === '' && b === '') return 'invalid'
  if (a === '') {
    const n = Number(b)
    if (n === 0 || size === 0) return 'invalid'
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(a)
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1)
  if (start >= size || end < start) return 'invalid'
  return { start, end }
}

/**
 * A stored link as a Location header can carry it: characters outside printable ASCII (spaces,
 * accents, €) percent-encoded as UTF-8, as Werkzeug's iri_to_uri does for CKAN's redirect; a
 * header with them would fail to be written at all.
 */
function asciiUri(url: string): string {
  return url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c))
}

function text(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/plain;charset=utf-8').send(message)
}

/**
 * CKAN's resource download view, /dataset/{id}/resource/{rid}/download[/{filename}]: the same
 * authorization as resource_show (then the file, or a redirect for a link resource). Files are
 * streamed from the BlobStore with Range/ETag, or, on S3, handed off to a presigned URL issued
 * only after that check.
 */
export async function downloadRoutes(app: FastifyInstance, opts: DownloadRoutesOptions): Promise<void> {
  const { runner, store, resolveCaller } = opts

  const handler = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const { id, rid } = req.params
    const caller = await resolveCaller(req)
    let resource: Record<string, unknown>
    try {
      resource = (await runner.run('resource_show', { id: rid }, caller, req.log)) as Record<string, unknown>
      if (resource.package_id !== id) {
        // the URL may name the dataset instead of giving its id
        const shown = await runner.run('package_show', { id }, caller, req.log)
        const dataset = (shown instanceof RawJson ? shown.value() : shown) as Record<string, unknown>
        if (dataset.id !== resource.package_id) throw new NotFound()
      }
    } catch (err) {
      if (err instanceof NotFound || err instanceof ValidationError) return text(reply, 404, 'Resource not found')
      if (err instanceof NotAuthorized) return text(reply, 403, 'Not authorized to download resource')
      throw err
    }

    if (resource.url_type !== 'upload') {
      if (typeof resource.url === 'string' && resource.url !== '') return reply.redirect(asciiUri(resource.url), 302)
      return text(reply, 404, 'No download is available')
    }

    const key = resourceKey(rid)
    const info = await store.stat(key)
    if (!info) return text(reply, 404, 'No download is available')
    const url = String(resource.url)
    const filename = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)) || 'download'
    const contentType = typeof resource.mimetype === 'string' && resource.mimetype !== '' ? resource.mimetype : 'application/octet-stream'

    if (!opts.proxy) {
      const direct = await store.downloadUrl(key, { filename, contentType, expiresSeconds: PRESIGN_SECONDS })
      if (direct) return reply.header('cache-control', 'no-store').redirect(direct, 302)
    }
    return sendBlob(req, reply, store, key, info, filename, contentType)
  }

  app.get('/dataset/:id/resource/:rid/download', { schema: { hide: true } }, handler)
  app.get('/dataset/:id/resource/:rid/download/:filename', { schema: { hide: true } }, handler)
}

async function sendBlob(req: FastifyRequest, reply: FastifyReply, store: BlobStore, key: string, info: BlobInfo, filename: string, contentType: string) {
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', info.etag)
    .header('last-modified', info.lastModified.toUTCString())
    .header('content-type', contentType)
    .header('content-disposition', contentDisposition(filename))
    // access was checked for this caller: shared caches must not hand it to another
    .header('cache-control', 'private, no-cache')

  const inm = req.headers['if-none-match']
  if (inm && inm.split(',').some((t) => t.trim() === info.etag || t.trim() === '*')) return reply.code(304).send()

  const ifRange = req.headers['if-range']
  const range = ifRange && ifRange !== info.etag ? null : parseRange(req.headers.range, info.size)
  if (range === 'invalid') {
    return reply.code(416).header('content-range', `bytes */${info.size}`).header('content-type', 'text/plain;charset=utf-8').send('Range Not Satisfiable')
  }
  if (req.method === 'HEAD') {
    reply.header('content-length', range ? range.end - range.start + 1 : info.size)
    return reply.code(range ? 206 : 200).send()
  }
  if (info.size === 0) return reply.code(200).header('content-length', 0).send('')
  const body = await store.read(key, range ?? undefined)
  if (range) {
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
      .header('content-length', range.end - range.start + 1)
      .send(body)
  }
  return reply.code(200).header('content-length', info.size).send(body)
}
