import { Readable } from 'node:stream'
import type { BlobStore } from '../storage/blob-store.js'
import { PreviewFailure } from './failure.js'

/**
 * The bytes of a file, by position: what the zip formats need (central directory at the end,
 * then one entry somewhere in the middle). Ranges are half-open: [start, end).
 */
export interface RandomAccess {
  readonly size: number
  /** A small range, whole: served from a block cache, so the zip reader's many tiny reads cost few requests. */
  read(start: number, end: number): Promise<Buffer>
  /** A range as a stream, for entries too large to hold; destroying it stops the transfer. */
  stream(start: number, end: number): Promise<Readable>
}

/** The start of a file, for the formats read from the top (CSV, text, JSON). */
export interface Head {
  body: Readable
  /** the whole file's size when known */
  size: number | null
  contentType: string | null
}

/**
 * Reads at most `max` bytes of `body` (fewer at its end, or once `enough` says so), then destroys
 * it. `more`: the stream had bytes left when reading stopped.
 */
export async function readUpTo(body: Readable, max: number, enough?: (total: number, chunk: Buffer) => boolean): Promise<{ bytes: Buffer; more: boolean }> {
  const chunks: Buffer[] = []
  let total = 0
  let more = false
  // a manual iterator: breaking out of for-await would destroy the stream before we can ask whether more was coming
  const it = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  try {
    for (;;) {
      const next = await it.next()
      if (next.done) break
      const chunk = next.value
      if (total + chunk.length >= max) {
        chunks.push(chunk.subarray(0, max - total))
        more = total + chunk.length > max || (await hasMore(it))
        total = max
        break
      }
      chunks.push(chunk)
      total += chunk.length
      if (enough?.(total, chunk)) {
        more = await hasMore(it)
        break
      }
    }
  } finally {
    body.destroy()
  }
  return { bytes: Buffer.concat(chunks, total), more }
}

async function hasMore(it: AsyncIterator<Buffer>): Promise<boolean> {
  for (;;) {
    const next = await it.next()
    if (next.done) return false
    if (next.value.length > 0) return true
  }
}

const BLOCK = 64 * 1024
const CACHED_BLOCKS = 64

/**
 * A block cache over a ranged reader: the zip central directory is read entry by entry (46 bytes,
 * then the name), which over HTTP would be one request per read without it.
 */
export function cachedRandomAccess(size: number, fetchRange: (start: number, end: number) => Promise<Readable>): RandomAccess {
  const blocks = new Map<number, Promise<Buffer>>()
  const block = (i: number): Promise<Buffer> => {
    let b = blocks.get(i)
    if (b) {
      // refresh its place in the LRU order
      blocks.delete(i)
      blocks.set(i, b)
      return b
    }
    const start = i * BLOCK
    b = fetchRange(start, Math.min(size, start + BLOCK)).then(async (s) => (await readUpTo(s, BLOCK)).bytes)
    b.catch(() => blocks.delete(i))
    blocks.set(i, b)
    if (blocks.size > CACHED_BLOCKS) blocks.delete(blocks.keys().next().value as number)
    return b
  }
  return {
    size,
    async read(start, end) {
      end = Math.min(end, size)
      if (start >= end) return Buffer.alloc(0)
      if (end - start > 4 * BLOCK) return (await readUpTo(await fetchRange(start, end), end - start)).bytes
      const parts: Buffer[] = []
      for (let i = Math.floor(start / BLOCK); i * BLOCK < end; i++) {
        const data = await block(i)
        const from = Math.max(start - i * BLOCK, 0)
        const to = Math.min(end - i * BLOCK, data.length)
        parts.push(data.subarray(from, to))
      }
      const out = Buffer.concat(parts)
      if (out.length !== end - start) throw new PreviewFailure('unreadable', 'short-read')
      return out
    },
    stream(start, end) {
      return fetchRange(start, Math.min(end, size))
    },
  }
}

/** The first ranged request's size: a preview of a CSV rarely needs more. */
export const FIRST_WINDOW = 64 * 1024
/** Later windows double up to this: few requests for long reads, little sent past where reading stops. */
const MAX_WINDOW = 1024 * 1024

/**
 * [start, end) as one stream made of successive ranged requests (HTTP Range, S3 GET with a
 * range), each made only once the previous one is consumed: a reader that stops early leaves the
 * rest unsent, where one big request would be pushed into socket buffers whether read or not.
 * `first`: the first window's response, when already made.
 */
export function windowedStream(fetchRange: (start: number, end: number) => Promise<Readable>, start: number, end: number, first?: { body: Readable; end: number }): Readable {
  let pos = start
  let window = FIRST_WINDOW
  let current: Readable | null = null
  async function* chunks(): AsyncGenerator<Buffer> {
    if (first) {
      current = first.body
      for await (const chunk of first.body as AsyncIterable<Buffer>) yield chunk
      pos = first.end
      window = Math.min(window * 2, MAX_WINDOW)
    }
    while (pos < end) {
      const to = Math.min(end, pos + window)
      current = await fetchRange(pos, to)
      let got = 0
      for await (const chunk of current as AsyncIterable<Buffer>) {
        got += chunk.length
        yield chunk
      }
      if (got !== to - pos) throw new PreviewFailure('unreadable', 'short-range')
      pos = to
      window = Math.min(window * 2, MAX_WINDOW)
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false, highWaterMark: 16 * 1024 })
  stream.on('close', () => current?.destroy())
  return stream
}

/** A file held in memory (an HTTP server that ignores Range requests). */
export function memoryRandomAccess(bytes: Buffer): RandomAccess {
  return {
    size: bytes.length,
    async read(start, end) {
      return bytes.subarray(start, end)
    },
    async stream(start, end) {
      return Readable.from([bytes.subarray(start, end)], { objectMode: false })
    },
  }
}

/** An uploaded file: its blob, read through the store's range reads. */
export async function blobSize(storage: BlobStore, key: string): Promise<number> {
  const info = await storage.stat(key)
  if (!info) throw new PreviewFailure('unreachable', 'missing-file')
  return info.size
}

/**
 * [start, end) of a blob. A local file is read as consumed anyway; an S3 object is asked for in
 * windows, so stopping early does not leave the rest of a long range in flight.
 */
function blobRange(storage: BlobStore, key: string): (start: number, end: number) => Promise<Readable> {
  const read = (start: number, end: number): Promise<Readable> => (end <= start ? Promise.resolve(Readable.from([], { objectMode: false })) : storage.read(key, { start, end: end - 1 }))
  if (storage.kind === 'fs') return read
  return async (start, end) => (end - start <= FIRST_WINDOW ? read(start, end) : windowedStream(read, start, end))
}

export async function blobHead(storage: BlobStore, key: string, maxBytes: number): Promise<Head> {
  const size = await blobSize(storage, key)
  if (size === 0) throw new PreviewFailure('empty')
  const body = await blobRange(storage, key)(0, Math.min(size, maxBytes))
  return { body, size, contentType: null }
}

export async function blobRandomAccess(storage: BlobStore, key: string): Promise<RandomAccess> {
  const size = await blobSize(storage, key)
  if (size === 0) throw new PreviewFailure('empty')
  return cachedRandomAccess(size, blobRange(storage, key))
}
