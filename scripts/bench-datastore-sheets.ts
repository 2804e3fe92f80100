/**
 * Spreadsheet row reading for the DataStore loader (`node dist/scripts/bench-datastore-sheets.js`):
 * an XLSX and an ODS of BENCH_SHEET_ROWS rows (default 300,000) x 10 columns (integers, decimals,
 * dates, repeated and unique texts) are written to a temporary directory, then each is read to
 * the last row by openSheetFile in a child process, which reports rows/s and its peak RSS: the
 * reading is streamed, so memory must not grow with the sheet (shared strings aside, which spill
 * to disk past 48 MB). BENCH_SHEET_SPILL=1 adds an XLSX whose unique texts pass that budget.
 * Exported as benchSheets() for the DataStore benchmark to chain.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import yazl from 'yazl'
import { openSheetFile } from '../src/datastore/load/sheets/open-file.js'

/** Peak RSS of the reading process, MB: well under the loader's 300 MB. */
export const TARGET_PEAK_RSS_MB = 200

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Generated XML in blocks of rows, streamed into the zip. */
function xmlStream(rows: number, head: string, row: (i: number) => string, tail: string): Readable {
  function* blocks(): Generator<string> {
    yield head
    for (let i = 0; i < rows; i += 1000) {
      let block = ''
      for (let j = i; j < Math.min(rows, i + 1000); j++) block += row(j)
      yield block
    }
    yield tail
  }
  return Readable.from(blocks())
}

async function writeZip(file: string, entries: [string, string | Readable][]): Promise<void> {
  const z = new yazl.ZipFile()
  for (const [name, body] of entries) {
    if (typeof body === 'string') z.addBuffer(Buffer.from(body), name, { compress: name !== 'mimetype' })
    else z.addReadStream(body, name)
  }
  z.end()
  const chunks: Buffer[] = []
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c)
  writeFileSync(file, Buffer.concat(chunks))
}

const CANTONES = ['Quito', 'Guayaquil', 'Cuenca', 'Santo Domingo', 'Machala', 'Durán', 'Manta', 'Portoviejo', 'Loja', 'Ambato']

export async function writeXlsx(file: string, rows: number, uniqueText: (i: number) => string): Promise<void> {
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
  const header = ['id', 'cantón', 'población', 'tasa', 'fecha', 'código', 'nota', 'a', 'b', 'c']
  const inline = (t: string): string => `<c t="inlineStr"><is><t>${t}</t></is></c>`
  const sheet = xmlStream(
    rows,
    `<worksheet ${ns}><sheetData><row r="1">${header.map(inline).join('')}</row>`,
    (i) =>
      `<row r="${i + 2}"><c><v>${i + 1}</v></c><c t="s"><v>${i % CANTONES.length}</v></c><c><v>${(i * 7919) % 1000003}</v></c><c><v>${(i % 1000) / 8}</v></c>` +
      `<c s="1"><v>${44000 + (i % 1500)}</v></c><c t="s"><v>${CANTONES.length + i}</v></c><c t="inlineStr"><is><t>fila ${i}</t></is></c><c><v>${i % 7}</v></c><c><v>${i * 3}</v></c><c><v>-${i % 100}.5</v></c></row>`,
    '</sheetData></worksheet>',
  )
  const sst = xmlStream(rows, `<sst ${ns}>${CANTONES.map((c) => `<si><t>${c}</t></si>`).join('')}`, (i) => `<si><t>${uniqueText(i)}</t></si>`, '</sst>')
  await writeZip(file, [
    ['[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
    ['xl/workbook.xml', `<workbook ${ns}><sheets><sheet name="Datos" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    [
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    ],
    ['xl/styles.xml', `<styleSheet ${ns}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`],
    ['xl/worksheets/sheet1.xml', sheet],
    ['xl/sharedStrings.xml', sst],
  ])
}

export async function writeOds(file: string, rows: number): Promise<void> {
  const str = (t: string): string => `<table:table-cell office:value-type="string"><text:p>${t}</text:p></table:table-cell>`
  const num = (v: number, shown: string): string => `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${shown}</text:p></table:table-cell>`
  const content = xmlStream(
    rows,
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Datos">' +
      `<table:table-row>${['id', 'cantón', 'población', 'tasa', 'fecha', 'código', 'nota', 'a', 'b', 'c'].map(str).join('')}<table:table-cell table:number-columns-repeated="16374"/></table:table-row>`,
    (i) =>
      `<table:table-row>${num(i + 1, String(i + 1))}${str(CANTONES[i % CANTONES.length])}${num((i * 7919) % 1000003, 'x')}${num((i % 1000) / 8, 'x')}` +
      `<table:table-cell office:value-type="date" office:date-value="2024-0${(i % 9) + 1}-15"><text:p>15/0${(i % 9) + 1}/2024</text:p></table:table-cell>${str(`C-${i}`)}${str(`fila ${i}`)}${num(i % 7, 'x')}${num(i * 3, 'x')}${num(-(i % 100) - 0.5, 'x')}<table:table-cell table:number-columns-repeated="16374"/></table:table-row>`,
    '<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>',
  )
  await writeZip(file, [
    ['mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
    ['content.xml', content],
  ])
}

/** In the child: reads every row of `file`, prints rows, seconds and peak RSS as JSON. */
async function readAll(file: string): Promise<void> {
  const start = process.hrtime.bigint()
  const source = await openSheetFile(file)
  if (!source) throw new Error('read as text')
  let rows = 0
  let cells = 0
  for await (const row of source.rows) {
    rows++
    cells += row.length
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage()
  process.stdout.write(JSON.stringify({ rows, cells, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024, info: source.info }))
}

export interface SheetBenchResult {
  name: string
  mb: number
  rows: number
  seconds: number
  /** CPU time of the reading process (user + system): steadier than wall time on a busy machine */
  cpuSeconds: number
  rowsPerSecond: number
  peakRssMb: number
}

export async function benchSheets(rows = Number(process.env.BENCH_SHEET_ROWS ?? 300_000), spill = process.env.BENCH_SHEET_SPILL === '1'): Promise<SheetBenchResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-sheets-'))
  const results: SheetBenchResult[] = []
  try {
    const files: [string, string][] = [
      ['XLSX', path.join(dir, 'datos.xlsx')],
      ['ODS', path.join(dir, 'datos.ods')],
    ]
    await writeXlsx(files[0][1], rows, (i) => `C-${i}`)
    await writeOds(files[1][1], rows)
    if (spill) {
      files.push(['XLSX, shared strings on disk', path.join(dir, 'textos.xlsx')])
      await writeXlsx(files[2][1], rows, (i) => `Observación número ${i} del registro, con un texto largo para que la tabla de cadenas compartidas pase el presupuesto de memoria`)
    }
    for (const [name, file] of files) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--read', file], { encoding: 'utf8', maxBuffer: 1 << 20 })
      const r = JSON.parse(out) as { rows: number; seconds: number; cpuSeconds: number; peakRssMb: number }
      if (r.rows !== rows) throw new Error(`${name}: ${r.rows} rows read, ${rows} written`)
      results.push({ name, mb: statSync(file).size / 1024 / 1024, rows: r.rows, seconds: r.seconds, cpuSeconds: r.cpuSeconds, rowsPerSecond: r.rows / r.seconds, peakRssMb: r.peakRssMb })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return results
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--read') await readAll(process.argv[3])
  else {
    const results = await benchSheets()
    console.log(`Spreadsheet rows for the DataStore loader (10 columns; target peak RSS < ${TARGET_PEAK_RSS_MB} MB)`)
    for (const r of results) {
      console.log(
        `  ${r.name.padEnd(30)} ${fmt(r.mb, 1).padStart(7)} MB  ${fmt(r.rows).padStart(9)} rows  ${fmt(r.seconds, 1).padStart(6)} s (CPU ${fmt(r.cpuSeconds, 1)} s)  ${fmt(r.rowsPerSecond).padStart(8)} rows/s  peak RSS ${fmt(r.peakRssMb)} MB${r.peakRssMb < TARGET_PEAK_RSS_MB ? '' : '  OVER TARGET'}`,
      )
    }
  }
}
