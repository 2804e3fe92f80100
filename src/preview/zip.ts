import { Transform, type Readable } from 'node:stream'
import yauzl from 'yauzl'
import { PreviewFailure } from './failure.js'
import type { RandomAccess } from './source.js'

/** More entries than any spreadsheet has: a zip with more is not one we preview. */
const MAX_ENTRIES = 10_000
/** Compressed bytes handed to zlib at a time. */
const INFLATE_INPUT = 8 * 1024
/** Reads this small go through the block cache; larger ones stream. */
const SMALL_READ = 64 * 1024

/** yauzl's reader over a RandomAccess: reads the central directory and entries by position, nothing else. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly ra: RandomAccess) {
    super()
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // compressed bytes go to zlib in small pieces: it inflates a whole input chunk at once, and a
    // 1 MiB chunk of a sheet is 10 MB of XML inflated for the few rows a preview reads
    const out = new Transform({
      // little read-ahead: what is buffered between stages is read from the source whether used or not
      highWaterMark: INFLATE_INPUT,
      transform(chunk: Buffer, _encoding, callback) {
        for (let i = 0; i < chunk.length; i += INFLATE_INPUT) this.push(chunk.subarray(i, i + INFLATE_INPUT))
        callback()
      },
    })
    if (end - start <= SMALL_READ) {
      this.ra.read(start, end).then(
        (b) => out.end(b),
        (err: Error) => out.destroy(err),
      )
      return out
    }
    this.ra.stream(start, end).then(
      (s) => {
        if (out.destroyed) return s.destroy()
        s.on('error', (err) => out.destroy(err))
        out.on('close', () => s.destroy())
        s.pipe(out)
      },
      (err: Error) => out.destroy(err),
    )
    return out
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.ra.read(position, position + length).then(
      (b) => {
        if (b.length !== length) return callback(new PreviewFailure('unreadable', 'short-read'))
        b.copy(buffer, offset)
        callback(null)
      },
      (err: Error) => callback(err),
    )
  }
}

export interface Zip {
  has(name: string): boolean
  /** An entry's uncompressed bytes as a stream; destroy it to stop early. */
  open(name: string): Promise<Readable>
  /** A small entry whole, or null when it is missing; over `max` bytes uncompressed is a failure. */
  text(name: string, max: number): Promise<string | null>
  close(): void
}

/** Opens the zip in `ra` reading only its central directory. */
export async function openZip(ra: RandomAccess): Promise<Zip> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(new SourceReader(ra), ra.size, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true })
  } catch (err) {
    if (err instanceof PreviewFailure) throw err
    throw new PreviewFailure('unreadable', 'zip')
  }
  const entries = new Map<string, yauzl.Entry>()
  try {
    for await (const entry of zip.eachEntry()) {
      entries.set(entry.fileName, entry)
      if (entries.size > MAX_ENTRIES) throw new PreviewFailure('unreadable', 'zip-entries')
    }
  } catch (err) {
    zip.close()
    if (err instanceof PreviewFailure) throw err
    throw new PreviewFailure('unreadable', 'zip')
  }
  const open = async (name: string): Promise<Readable> => {
    const entry = entries.get(name)
    if (!entry) throw new PreviewFailure('unreadable', 'zip-entry-missing')
    if (entry.isEncrypted()) throw new PreviewFailure('unreadable', 'encrypted')
    return zip.openReadStreamPromise(entry)
  }
  return {
    has: (name) => entries.has(name),
    open,
    async text(name, max) {
      if (!entries.has(name)) return null
      const stream = await open(name)
      const chunks: Buffer[] = []
      let size = 0
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          size += chunk.length
          if (size > max) throw new PreviewFailure('too-large', 'zip-entry')
          chunks.push(chunk)
        }
      } finally {
        stream.destroy()
      }
      return Buffer.concat(chunks).toString('utf8')
    },
    close: () => zip.close(),
  }
}
