/**
 * What the sheet readers hand the loader: the same shape as the loader's RowSource (headers, an
 * async iterable of rows, info for the load log), plus close() for a source given up before its
 * rows were read to the end (iterating to the end, or breaking out, closes it too).
 */
export interface SheetRowSource {
  headers: string[]
  rows: AsyncIterable<string[]>
  info: Record<string, unknown>
  close(): Promise<void>
}

/** Excel's row limit. ODS writes the empty rest of a sheet as one row repeated to this many. */
export const MAX_SHEET_ROWS = 1_048_576
/** Excel's column limit; empty trailing cells are never materialised, so wide styled rows cost nothing. */
export const MAX_SHEET_COLUMNS = 16_384

/** Rows handed on at a time: a run of a million repeated rows is written out this many at once. */
export const BATCH_ROWS = 1000

/**
 * Turns rows as a reader meets them (with repeats, empty rows included) into the rows a table
 * gets: empty rows dropped wherever they are (blank spacer rows, the styled empty tail), the first
 * non-empty row kept apart as the header, repeats written out as they are taken, at most
 * MAX_SHEET_ROWS in all.
 */
export class RowQueue {
  header: string[] | null = null
  private runs: { cells: string[]; count: number }[] = []
  private queued = 0
  private total = 0

  add(cells: string[], empty: boolean, repeat: number): void {
    if (empty || cells.every((c) => c === '')) return
    if (this.header === null) {
      this.header = cells
      repeat--
    }
    const count = Math.min(repeat, MAX_SHEET_ROWS - this.total)
    if (count <= 0) return
    this.runs.push({ cells, count })
    this.queued += count
    this.total += count
  }

  /** Up to `max` of the rows queued, oldest first. */
  take(max = BATCH_ROWS): string[][] {
    const rows: string[][] = []
    while (rows.length < max && this.runs.length > 0) {
      const run = this.runs[0]
      const n = Math.min(run.count, max - rows.length)
      for (let i = 0; i < n; i++) rows.push(run.count - i === 1 ? run.cells : [...run.cells])
      run.count -= n
      if (run.count === 0) this.runs.shift()
    }
    this.queued -= rows.length
    return rows
  }

  /** Rows queued and not yet taken. */
  get length(): number {
    return this.queued
  }
}

/** The rows a streamed sheet's XML handlers queue, taken after each parsed chunk (so a chunk's rows go out before the next is inflated). */
export async function* xmlBatches(queue: RowQueue, chunks: AsyncGenerator<void, unknown>): AsyncGenerator<string[][], void> {
  try {
    for (;;) {
      const next = await chunks.next()
      while (queue.length > 0) yield queue.take()
      if (next.done) return
    }
  } finally {
    await chunks.return('stopped')
  }
}

/**
 * A RowSource over a generator of queued batches: the header is read before it returns (so the
 * loader can name columns first), the rows come as the generator makes them. `cleanup` runs once,
 * when the rows end, fail, are given up, or close() is called.
 */
export async function sourceFromBatches(queue: RowQueue, batches: AsyncGenerator<string[][], void>, info: Record<string, unknown>, cleanup: () => Promise<void> | void): Promise<SheetRowSource> {
  let cleaned = false
  const clean = async (): Promise<void> => {
    if (cleaned) return
    cleaned = true
    await cleanup()
  }
  const pending: string[][] = []
  let ended = false
  try {
    while (queue.header === null) {
      const next = await batches.next()
      if (next.done) {
        ended = true
        break
      }
      pending.push(...next.value)
    }
  } catch (err) {
    await batches.return()
    await clean()
    throw err
  }
  if (ended) await clean()
  let started = false
  async function* rows(): AsyncGenerator<string[]> {
    if (started) throw new Error('the rows of a sheet can be read once')
    started = true
    try {
      yield* pending.splice(0)
      if (ended) return
      for (;;) {
        const next = await batches.next()
        if (next.done) break
        yield* next.value
      }
    } finally {
      await batches.return()
      await clean()
    }
  }
  return {
    headers: queue.header ?? [],
    rows: { [Symbol.asyncIterator]: rows },
    info,
    async close() {
      await batches.return()
      await clean()
    },
  }
}
