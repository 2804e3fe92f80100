import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { RandomAccess } from '../../../preview/source.js'

/** A RandomAccess over a local file (the loader's download), with the handle to close once read. */
export async function fileRandomAccess(file: string): Promise<RandomAccess & { close(): Promise<void> }> {
  const handle = await open(file, 'r')
  const { size } = await handle.stat()
  return {
    size,
    async read(start, end) {
      end = Math.min(end, size)
      if (start >= end) return Buffer.alloc(0)
      const buf = Buffer.allocUnsafe(end - start)
      let done = 0
      while (done < buf.length) {
        const { bytesRead } = await handle.read(buf, done, buf.length - done, start + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return buf.subarray(0, done)
    },
    async stream(start, end) {
      end = Math.min(end, size)
      return createReadStream(file, { start, end: Math.max(start, end) - 1, highWaterMark: 64 * 1024, emitClose: true }).on('error', () => undefined)
    },
    close: () => handle.close(),
  }
}
