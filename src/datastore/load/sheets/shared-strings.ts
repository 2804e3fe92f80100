import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Estimated bytes of strings kept in memory before the table moves to a temporary file. */
const MEMORY_BUDGET = 48 * 1024 * 1024
/** What V8 spends on a short string and its array slot besides the characters, roughly. */
const PER_STRING = 40
/** Strings read back from the file kept at hand: columns of repeated values cost one read each. */
const CACHED = 8192
const WRITE_BUFFER = 1024 * 1024

/**
 * An XLSX's shared strings table, which every text cell of a sheet points into by index and which
 * has to be read whole before the sheet's first row. Held in memory while small (nearly always);
 * past MEMORY_BUDGET the strings go to a temporary file, UTF-8 back to back, and only their
 * offsets stay in memory, so a sheet with millions of distinct texts loads in bounded memory.
 */
export class SharedStrings {
  private memory: string[] | null = []
  private estimate = 0
  private file: { dir: string; fd: number; offsets: Float64Array; count: number; size: number; pending: Buffer; used: number } | null = null
  private readonly cache = new Map<number, string>()

  constructor(private readonly budget = MEMORY_BUDGET) {}

  get count(): number {
    return this.memory ? this.memory.length : (this.file as { count: number }).count
  }

  /** Whether the table went to a temporary file. */
  get spilled(): boolean {
    return this.file !== null
  }

  add(text: string): void {
    if (this.memory) {
      this.memory.push(text)
      this.estimate += text.length * 2 + PER_STRING
      if (this.estimate > this.budget) this.spill()
      return
    }
    this.append(text)
  }

  /** Entry `i`; '' for an index the table does not have (a broken file, as Excel would show it). */
  get(i: number): string {
    if (this.memory) return this.memory[i] ?? ''
    const f = this.file as NonNullable<SharedStrings['file']>
    if (i < 0 || i >= f.count) return ''
    const hit = this.cache.get(i)
    if (hit !== undefined) return hit
    this.flush()
    const start = f.offsets[i]
    const end = i + 1 < f.count ? f.offsets[i + 1] : f.size
    const buf = Buffer.allocUnsafe(end - start)
    let read = 0
    while (read < buf.length) {
      const n = readSync(f.fd, buf, read, buf.length - read, start + read)
      if (n === 0) break
      read += n
    }
    const text = buf.toString('utf8', 0, read)
    if (this.cache.size >= CACHED) this.cache.delete(this.cache.keys().next().value as number)
    this.cache.set(i, text)
    return text
  }

  /** Removes the temporary file, if any. */
  close(): void {
    if (!this.file) return
    closeSync(this.file.fd)
    rmSync(this.file.dir, { recursive: true, force: true })
    this.file = null
    this.memory = []
  }

  private spill(): void {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-sst-'))
    const fd = openSync(path.join(dir, 'strings'), 'w+')
    const strings = this.memory as string[]
    this.file = { dir, fd, offsets: new Float64Array(Math.max(1024, strings.length * 2)), count: 0, size: 0, pending: Buffer.allocUnsafe(WRITE_BUFFER), used: 0 }
    this.memory = null
    for (const s of strings) this.append(s)
  }

  private append(text: string): void {
    const f = this.file as NonNullable<SharedStrings['file']>
    if (f.count === f.offsets.length) {
      const grown = new Float64Array(f.offsets.length * 2)
      grown.set(f.offsets)
      f.offsets = grown
    }
    f.offsets[f.count++] = f.size
    const bytes = Buffer.byteLength(text)
    if (f.used + bytes > f.pending.length) this.flush()
    if (bytes > f.pending.length) writeAll(f.fd, Buffer.from(text), f.size - f.used)
    else f.used += f.pending.write(text, f.used)
    f.size += bytes
  }

  private flush(): void {
    const f = this.file
    if (!f || f.used === 0) return
    writeAll(f.fd, f.pending.subarray(0, f.used), f.size - f.used)
    f.used = 0
  }
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done)
}
