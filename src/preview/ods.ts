import { odfDate } from './cells.js'
import { PreviewFailure } from './failure.js'
import { CellRow, RowCollector } from './rows.js'
import { scanXml } from './xml.js'
import type { SheetPreview } from './xlsx.js'
import type { Zip } from './zip.js'

/**
 * The first sheet of an ODS, streamed from content.xml. Cells are shown as their `text:p`
 * paragraphs, which ODF stores as displayed (numbers in the document's locale and format), except
 * dates, given as ISO from office:date-value.
 *
 * Sheet names: ODS has no workbook index; each sheet is a `table:table` in content.xml, in order.
 * After the first sheet's rows the scan goes on, looking only for table names, for at most
 * NAMES_SCAN_MAX more characters; when that is not enough to reach the end, the names in
 * settings.xml (where LibreOffice, the usual producer, lists every sheet) not seen yet are added
 * after the ones seen. A file from another producer that big may list only its first sheets.
 */

/** XML characters of content.xml read for the first sheet's rows (styles come first and can be large). */
const SCAN_MAX = 64 * 1024 * 1024
/** Characters read past the first sheet's rows looking for the other sheets' names. */
const NAMES_SCAN_MAX = 4 * 1024 * 1024
const SETTINGS_MAX = 4 * 1024 * 1024
/** ODS repeats cover whole sheets (16384 columns, 1048576 rows); this bounds a repeated non-empty row. */
const ROW_REPEAT_CAP = 1000

export async function readOds(zip: Zip, maxRows: number): Promise<SheetPreview> {
  if (!zip.has('content.xml')) throw new PreviewFailure('unreadable', 'ods-content-missing')
  const collector = new RowCollector<string>(maxRows + 1)
  const sheets: string[] = []
  let firstDone = false
  let doneAt = 0
  const end = await scanXml(
    await zip.open('content.xml'),
    (scan) => {
      let tableDepth = 0
      let row: CellRow<string> | null = null
      let rowRepeat = 1
      let cell: { repeat: number; type: string; date: string; value: string; paragraphs: string[] } | null = null
      let paragraph: string[] | null = null
      let annotation = 0
      const finish = (): void => {
        if (firstDone) return
        firstDone = true
        doneAt = scan.chars
      }
      return {
        open(name, attrs) {
          if (firstDone && scan.chars - doneAt > NAMES_SCAN_MAX) return scan.stop()
          if (name === 'table') {
            tableDepth++
            // a table nested in a cell (rare) is not a sheet
            if (tableDepth === 1) sheets.push(attrs.name ?? '')
            return
          }
          if (firstDone || sheets.length !== 1 || tableDepth !== 1) return
          if (name === 'table-row') {
            row = new CellRow<string>('')
            rowRepeat = repeatOf(attrs['number-rows-repeated'])
          } else if (row && (name === 'table-cell' || name === 'covered-table-cell')) {
            cell = { repeat: repeatOf(attrs['number-columns-repeated']), type: attrs['value-type'] ?? '', date: attrs['date-value'] ?? '', value: attrs.value ?? attrs['boolean-value'] ?? '', paragraphs: [] }
          } else if (cell) {
            if (name === 'annotation') annotation++
            else if (annotation > 0) return
            else if (name === 'p' || name === 'h') paragraph = []
            else if (paragraph && name === 's') paragraph.push(' '.repeat(Math.min(repeatOf(attrs.c), 1000)))
            else if (paragraph && name === 'tab') paragraph.push('\t')
            else if (paragraph && name === 'line-break') paragraph.push('\n')
          }
        },
        text(t) {
          if (paragraph && annotation === 0) paragraph.push(t)
        },
        close(name) {
          if (name === 'table') {
            tableDepth--
            if (tableDepth === 0 && sheets.length === 1) finish()
            return
          }
          if (firstDone || tableDepth !== 1) return
          if (cell && name === 'annotation') annotation--
          else if (cell && annotation > 0) return
          else if (paragraph && (name === 'p' || name === 'h')) {
            cell?.paragraphs.push(paragraph.join(''))
            paragraph = null
          } else if (row && cell && (name === 'table-cell' || name === 'covered-table-cell')) {
            const v = cellText(cell)
            row.add(v, cell.repeat, v === '')
            cell = null
          } else if (row && name === 'table-row') {
            collector.add(row.cells, row.isEmpty, row.isEmpty ? rowRepeat : Math.min(rowRepeat, ROW_REPEAT_CAP))
            row = null
            if (collector.full) finish()
          }
        },
      }
    },
    SCAN_MAX,
  ).catch((err: unknown) => {
    // a broken tail after the rows were read (a truncated download) still leaves a preview
    if (firstDone && collector.rows.length > 0) return 'budget' as const
    throw err
  })
  if (end === 'budget' && !firstDone && collector.rows.length > 0) collector.more = true
  return { records: collector.rows, more: collector.more, sheets: end === 'end' ? sheets : await withSettingsNames(zip, sheets), sheet: sheets[0] ?? '' }
}

function repeatOf(value: string | undefined): number {
  const n = Number(value ?? 1)
  return Number.isInteger(n) && n > 0 ? n : 1
}

function cellText(cell: { type: string; date: string; value: string; paragraphs: string[] }): string {
  if (cell.type === 'date' && cell.date) return odfDate(cell.date)
  if (cell.paragraphs.length > 0) return cell.paragraphs.join('\n')
  return cell.value
}

/** Sheet names from settings.xml's `Tables` map, after those seen in content.xml. */
async function withSettingsNames(zip: Zip, seen: string[]): Promise<string[]> {
  const names = [...seen]
  let settings: string | null
  try {
    settings = await zip.text('settings.xml', SETTINGS_MAX)
  } catch {
    return names
  }
  if (!settings) return names
  const { Readable } = await import('node:stream')
  await scanXml(
    Readable.from([Buffer.from(settings, 'utf8')], { objectMode: false }),
    (scan) => {
      let depth = 0
      let tablesDepth = -1
      return {
        open(name, attrs) {
          depth++
          if (name === 'config-item-map-named' && attrs.name === 'Tables') tablesDepth = depth
          else if (tablesDepth !== -1 && depth === tablesDepth + 1 && name === 'config-item-map-entry' && attrs.name && !names.includes(attrs.name)) names.push(attrs.name)
        },
        close() {
          if (depth === tablesDepth) scan.stop()
          depth--
        },
      }
    },
    SETTINGS_MAX,
  ).catch(() => 'end' as const)
  return names
}
