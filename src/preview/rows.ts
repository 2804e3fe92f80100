import { MAX_COLUMNS } from './table.js'

/**
 * Collects a sheet's first rows as a streaming reader meets them, never materialising repeats
 * beyond what is shown: ODS writes the empty rest of a sheet as one row repeated 1,048,576 times
 * and the empty rest of a row as one cell repeated 16,384 times, and Excel leaves thousands of
 * styled empty rows after the data. Empty rows and cells are only counted, and written out when
 * something non-empty follows them (up to the limits).
 */
export class RowCollector<C> {
  readonly rows: C[][] = []
  /** a non-empty row exists past the limit */
  more = false
  private pendingEmpty = 0

  /** `limit`: rows kept, header included. */
  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.more
  }

  /** Adds a row seen `repeat` times in a row; `empty` when none of its cells has content. */
  add(cells: C[], empty: boolean, repeat = 1): void {
    if (this.more) return
    if (empty) {
      // empty rows before the first one with content are dropped: the header is the first row with content
      if (this.rows.length > 0) this.pendingEmpty += repeat
      return
    }
    if (this.rows.length + Math.min(this.pendingEmpty, this.limit) >= this.limit) {
      while (this.pendingEmpty > 0 && this.rows.length < this.limit) {
        this.rows.push([])
        this.pendingEmpty--
      }
      this.more = true
      return
    }
    for (; this.pendingEmpty > 0; this.pendingEmpty--) this.rows.push([])
    for (let i = 0; i < repeat; i++) {
      if (this.rows.length >= this.limit) {
        this.more = true
        return
      }
      this.rows.push(i === 0 ? cells : [...cells])
    }
  }
}

/**
 * A row's cells under construction with ODS-style repeats: empty cells are counted and written
 * out only before a later non-empty cell; at most `cap` cells are kept.
 */
export class CellRow<C> {
  readonly cells: C[] = []
  private pendingEmpty = 0

  /** `cap`: cells kept at most (the preview keeps one more than it shows, so the table knows it was cut). */
  constructor(
    private readonly empty: C,
    private readonly cap = MAX_COLUMNS + 1,
  ) {}

  get isEmpty(): boolean {
    return this.cells.length === 0
  }

  /** Places a cell at column `col` (0-based), leaving empties before it. */
  at(col: number, value: C): void {
    if (col > this.cells.length + this.pendingEmpty) this.pendingEmpty = col - this.cells.length
    this.add(value, 1, false)
  }

  add(value: C, repeat: number, isEmpty: boolean): void {
    if (isEmpty) {
      this.pendingEmpty += repeat
      return
    }
    const cap = this.cap
    for (; this.pendingEmpty > 0 && this.cells.length < cap; this.pendingEmpty--) this.cells.push(this.empty)
    this.pendingEmpty = 0
    for (let i = 0; i < repeat && this.cells.length < cap; i++) this.cells.push(value)
  }
}
