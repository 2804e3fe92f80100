import { createHash } from 'node:crypto'
import { createWriteStream, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { OutboundPolicy } from '../../net/outbound.js'
import { guardedGet } from '../../preview/http-source.js'
import { PreviewFailure } from '../../preview/failure.js'
import { resourceKey, type BlobStore } from '../../storage/blob-store.js'
import { LoadError, RetryableLoadError } from './errors.js'
import type { LoadFile } from './row-source.js'

/**
 * The resource's bytes, copied to a temporary file: the loader reads them more than once (the
 * encoding check, then the rows, again when a column's type had to be widened), and a remote
 * server must not be asked twice. Uploads come from the BlobStore; links over HTTP(S) through the
 * outbound policy (the SSRF guard on every connection and redirect), both capped in size and time.
 */

export interface FetchedFile extends LoadFile {
  sha256: string
  /** removes the temporary file */
  dispose(): Promise<void>
}

export interface FetchDeps {
  storage: BlobStore
  outbound: OutboundPolicy
  maxBytes: number
  signal: AbortSignal
}

export interface FetchTarget {
  id: string
  url: string | null
  url_type: string | null
  /** the upload's sha256 and size as recorded on the resource */
  hash?: string | null
  size?: number | null
}

/** How long an upload's job waits for its file to be moved into place (the move follows the commit that queued the job). */
const UPLOAD_WAIT_MS = 3000

/** Statuses of a remote worth asking again later (xloader retries the same ones). */
const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504, 507, 522, 524])

export async function fetchResourceFile(target: FetchTarget, deps: FetchDeps): Promise<FetchedFile> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'abierto-load-'))
  const file = path.join(dir, 'data')
  const dispose = () => fs.rm(dir, { recursive: true, force: true })
  try {
    const body = target.url_type === 'upload' ? await openUpload(target, deps) : await openLink(target.url ?? '', deps)
    const hash = createHash('sha256')
    let size = 0
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length
        if (size > deps.maxBytes) return done(new LoadError(`Data too large to load into DataStore: more than ${deps.maxBytes} bytes (DATASTORE_LOAD_MAX_MB)`))
        hash.update(chunk)
        done(null, chunk)
      },
    })
    try {
      await pipeline(body, meter, createWriteStream(file), { signal: deps.signal })
    } catch (err) {
      if (err instanceof LoadError) throw err
      if (deps.signal.aborted) throw new LoadError('Timed out fetching the file (DATASTORE_LOAD_TIMEOUT_S)')
      throw new RetryableLoadError(`The file could not be read: ${(err as Error).message}`)
    }
    const sha256 = hash.digest('hex')
    // an upload's job can start before its file is moved into place (the move follows the commit)
    if (target.url_type === 'upload' && target.hash && /^[0-9a-f]{64}$/i.test(target.hash) && target.hash.toLowerCase() !== sha256) {
      throw new RetryableLoadError('The uploaded file is not in place yet')
    }
    return { path: file, size, sha256, dispose }
  } catch (err) {
    await dispose()
    throw err
  }
}

async function openUpload(target: FetchTarget, deps: FetchDeps): Promise<Readable> {
  const key = resourceKey(target.id)
  const expected = typeof target.size === 'number' ? target.size : null
  let info = await deps.storage.stat(key)
  // the job may start the moment the write commits, a few milliseconds before the file is in place
  for (const until = Date.now() + UPLOAD_WAIT_MS; (!info || (expected !== null && info.size !== expected)) && Date.now() < until && !deps.signal.aborted;) {
    await new Promise((r) => setTimeout(r, 50))
    info = await deps.storage.stat(key)
  }
  if (!info) throw new RetryableLoadError('The uploaded file is not in place yet')
  if (info.size > deps.maxBytes) throw new LoadError(`Data too large to load into DataStore: ${info.size} bytes > max ${deps.maxBytes} bytes (DATASTORE_LOAD_MAX_MB)`)
  return deps.storage.read(key)
}

async function openLink(url: string, deps: FetchDeps): Promise<Readable> {
  if (!/^https?:\/\//i.test(url.trim())) throw new LoadError('Only http and https resources may be fetched.')
  let res
  try {
    res = await guardedGet(url.trim(), { policy: deps.outbound, signal: deps.signal }, { 'user-agent': 'Abierto-datastore-loader/0.1' })
  } catch (err) {
    if (!(err instanceof PreviewFailure)) throw err
    const detail = err.detail ?? err.reason
    const status = /^http-(\d+)$/.exec(detail)
    if (status) {
      const code = Number(status[1])
      const message = `Could not fetch the file: the server answered HTTP ${code}`
      throw RETRYABLE_STATUS.has(code) ? new RetryableLoadError(message) : new LoadError(message)
    }
    if (detail === 'blocked') throw new LoadError('Could not fetch the file: its host is not a public address')
    if (detail === 'timeout') throw new RetryableLoadError('Could not fetch the file: timed out')
    if (detail === 'invalid-url' || detail === 'scheme' || detail === 'redirects') throw new LoadError(`Could not fetch the file: ${detail}`)
    throw new RetryableLoadError(`Could not fetch the file: ${detail}`)
  }
  const length = Number(res.headers['content-length'] ?? NaN)
  if (Number.isFinite(length) && length > deps.maxBytes) {
    res.destroy()
    throw new LoadError(`Data too large to load into DataStore: ${length} bytes > max ${deps.maxBytes} bytes (DATASTORE_LOAD_MAX_MB)`)
  }
  return res
}
