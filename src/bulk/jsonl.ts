import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'

export interface Line {
  /** 1-based line number in the input */
  number: number
  text: string
}

/** The input `-` is stdin; anything else a file path. */
export function openInput(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file)
}

/** Non-blank lines of a JSON-lines stream with their line numbers (blank ones still count). */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  let number = 0
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    number++
    if (text.trim() !== '') yield { number, text }
  }
}
