import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'

export interface Line {
  /** 1-based line number in the input */
  number: number
  text: string
}

/** The input `-` is stdin; anything else a file path. */
export function openInput(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 })
}

/**
 * Non-blank lines of a JSON-lines stream with their line numbers (blank ones still count).
 * Splits the bytes at "\n" itself: readline costs several times more on dump-sized lines.
 */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  let number = 0
  let rest: Buffer | null = null
  const emit = (bytes: Buffer): Line | null => {
    number++
    const text = bytes.toString('utf8', 0, bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length)
    return text.trim() === '' ? null : { number, text }
  }
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (rest) buf = Buffer.concat([rest, buf])
    let start = 0
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const line = emit(buf.subarray(start, nl))
      start = nl + 1
      if (line) yield line
    }
    rest = start < buf.length ? Buffer.from(buf.subarray(start)) : null
  }
  if (rest) {
    const line = emit(rest)
    if (line) yield line
  }
}
