import { withoutCutCharacter } from './decode.js'
import { PreviewFailure } from './failure.js'
import { readOds } from './ods.js'
import type { RandomAccess } from './source.js'
import { readXls, XLS_MAX_BYTES } from './xls.js'
import { readXlsx, type SheetPreview } from './xlsx.js'
import { openZip } from './zip.js'

export type SheetFormat = 'xlsx' | 'xls' | 'ods'

/** Runs at most `size` tasks at once; the rest wait their turn in order. */
class Slots {
  private active = 0
  private readonly waiting: (() => void)[] = []
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

/** SheetJS parses whole files synchronously: previews and loads share these few turns. */
export const sheetjsSlots = new Slots(2)

/**
 * A spreadsheet by what its bytes are rather than what its label says (portals label XLSX files
 * "XLS" and the reverse): a zip is XLSX or ODS by its parts, anything else goes to SheetJS, which
 * reads BIFF as well as the XML and HTML files saved with an .xls name. `text`: the file does not
 * look binary, and a label other than a spreadsheet's was given or none could be sniffed.
 */
export async function readSpreadsheet(ra: RandomAccess, maxRows: number): Promise<(SheetPreview & { format: SheetFormat }) | { format: 'text' }> {
  const magic = await ra.read(0, Math.min(ra.size, 512))
  if (magic.length >= 4 && magic.readUInt32BE(0) === 0x504b0304) {
    const zip = await openZip(ra)
    let binaryWorkbook = false
    try {
      if (zip.has('content.xml') && !zip.has('[Content_Types].xml')) return { format: 'ods', ...(await readOds(zip, maxRows)) }
      // XLSB: the same package with binary parts, which SheetJS reads (reported as the Excel workbook it is)
      binaryWorkbook = zip.has('xl/workbook.bin')
      if (zip.has('[Content_Types].xml') && !binaryWorkbook) return { format: 'xlsx', ...(await readXlsx(zip, maxRows)) }
      if (!binaryWorkbook) throw new PreviewFailure('unsupported', 'zip')
    } finally {
      zip.close()
    }
    return readWhole(ra, maxRows, 'xlsx')
  }
  const ole = magic.length >= 8 && magic.readUInt32BE(0) === 0xd0cf11e0 && magic.readUInt32BE(4) === 0xa1b11ae1
  if (!ole) {
    const kind = textKind(magic)
    if (kind === 'delimited') return { format: 'text' }
    // SheetJS reads nearly anything as some text format: only OLE files and markup are handed to it
    if (kind !== 'markup') throw new PreviewFailure('unreadable', 'unknown-format')
  }
  return readWhole(ra, maxRows, 'xls')
}

/** SheetJS parses the whole file in memory, synchronously: under a size cap, a few at a time whatever the traffic. */
function readWhole(ra: RandomAccess, maxRows: number, format: 'xls' | 'xlsx'): Promise<SheetPreview & { format: SheetFormat }> {
  if (ra.size > XLS_MAX_BYTES) throw new PreviewFailure('too-large')
  return sheetjsSlots.run(async () => ({ format, ...readXls(await ra.read(0, ra.size), maxRows) }))
}

/** Text that starts with markup (SpreadsheetML 2003, an HTML table: SheetJS's), other text (a CSV), or binary. */
export function textKind(bytes: Buffer): 'markup' | 'delimited' | 'binary' {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(withoutCutCharacter(bytes))
  } catch {
    // Latin-1 text has no C0 controls but tab, CR and LF
    if (bytes.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return 'binary'
    text = bytes.toString('latin1')
  }
  if (text.includes('\0')) return 'binary'
  const start = text.replace(/^\ufeff/, '').trimStart()
  return start.startsWith('<') ? 'markup' : 'delimited'
}
