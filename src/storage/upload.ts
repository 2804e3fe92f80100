import { createHash, randomUUID } from 'node:crypto'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { resourceKey, type BlobStore } from './blob-store.js'
import { mungeFilename } from './filename.js'
import { guessMimetype } from '../model/formats.js'
import { ValidationError } from '../errors.js'

/** Bytes kept from the start of a file to sniff its type (xlsx needs the zip's first entries). */
const SNIFF_BYTES = 64 * 1024

/** Containers file-type reports for formats whose extension says more (xls, xlsx saved oddly, kml…). */
const GENERIC = new Set(['application/zip', 'application/x-cfb', 'application/xml', 'text/xml', 'application/gzip'])

export function tooLarge(limitMb: number): ValidationError {
  return new ValidationError({ upload: [`File upload too large: the limit is ${limitMb} MB (MAX_RESOURCE_SIZE_MB)`] })
}

/**
 * A file that reached the BlobStore under a staging key, with the facts measured while it
 * streamed. Actions receive it as the `upload` param: they promote it to the resource's key once
 * their transaction has committed; whoever received the request discards it otherwise.
 */
export class StagedUpload {
  private state: 'staged' | 'promoted' | 'discarded' = 'staged'

  constructor(
    private readonly store: BlobStore,
    /** a fresh id for the resource the file will belong to, when it is a new one */
    readonly suggestedId: string,
    readonly stagingKey: string,
    /** munged (CKAN's munge_filename): safe in URLs and headers */
    readonly filename: string,
    readonly size: number,
    readonly sha256: string,
    /** sniffed from the content, else guessed from the file name; null when neither knows */
    readonly mimetype: string | null,
  ) {}

  async promote(resourceId: string): Promise<void> {
    if (this.state !== 'staged') throw new Error(`upload already ${this.state}`)
    await this.store.promote(this.stagingKey, resourceKey(resourceId))
    this.state = 'promoted'
  }

  /** Removes the staged bytes unless they were promoted; safe to call more than once. */
  async discard(): Promise<void> {
    if (this.state !== 'staged') return
    this.state = 'discarded'
    await this.store.remove(this.stagingKey)
  }
}

/** Hashes, counts and keeps the head of the bytes passing through; fails past `maxBytes`. */
class Meter extends Transform {
  readonly hash = createHash('sha256')
  size = 0
  private head: Buffer[] = []
  private headBytes = 0

  constructor(
    private readonly maxBytes: number,
    private readonly limitMb: number,
  ) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length
    if (this.size > this.maxBytes) return done(tooLarge(this.limitMb))
    this.hash.update(chunk)
    if (this.headBytes < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headBytes)
      this.head.push(Buffer.from(part))
      this.headBytes += part.length
    }
    done(null, chunk)
  }

  firstBytes(): Buffer {
    return Buffer.concat(this.head)
  }
}

export interface StageOptions {
  /** The name the client gave (any path, any characters). */
  filename: string
  maxBytes: number
  /** true when the parser cut the stream at its own limit (busboy's `truncated`). */
  truncated?: () => boolean
}

/** Mimetype from the content, falling back on (or refined by) the file name's extension. */
export async function sniffMimetype(head: Buffer, filename: string): Promise<string | null> {
  const byName = guessMimetype(filename)
  // imported on the first upload, not at start-up: file-type loads dozens of modules
  const sniffed = head.length > 0 ? ((await (await import('file-type')).fileTypeFromBuffer(head))?.mime ?? null) : null
  if (sniffed && !(GENERIC.has(sniffed) && byName)) return sniffed
  return byName ?? sniffed
}

/** Streams `source` into a staging blob, measuring it; nothing remains when it fails. */
export async function stageUpload(store: BlobStore, source: Readable, opts: StageOptions): Promise<StagedUpload> {
  const limitMb = Math.max(1, Math.round(opts.maxBytes / (1024 * 1024)))
  const meter = new Meter(opts.maxBytes, limitMb)
  // the store attaches its own handlers only once it is ready to write (after opening a file):
  // an early failure must wait for it rather than crash the process
  meter.on('error', () => undefined)
  source.on('error', (err) => meter.destroy(err))
  source.on('close', () => {
    if (!source.readableEnded) meter.destroy(new Error('upload stream closed before its end'))
  })
  // The parser's own size limit: fail now (the staged part is removed), but keep draining the
  // rest of the part so the request is read to its end and the client gets the answer.
  source.once('limit', () => {
    source.unpipe(meter)
    source.resume()
    meter.destroy(tooLarge(limitMb))
  })
  source.pipe(meter)
  const suggestedId = randomUUID()
  const key = await store.stage(meter, resourceKey(suggestedId))
  if (opts.truncated?.()) {
    await store.remove(key)
    throw tooLarge(limitMb)
  }
  const filename = mungeFilename(opts.filename || 'upload')
  const mimetype = await sniffMimetype(meter.firstBytes(), filename)
  return new StagedUpload(store, suggestedId, key, filename, meter.size, meter.hash.digest('hex'), mimetype)
}
