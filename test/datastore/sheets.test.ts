import { existsSync } from 'node:fs'
import t from 'tap'
import { sheetjs } from '../../src/preview/cells.js'
import { memoryRandomAccess } from '../../src/preview/source.js'
import { openSheetRows, type SheetRowSource } from '../../src/datastore/load/sheets/index.js'
import { SharedStrings } from '../../src/datastore/load/sheets/shared-strings.js'
import { MAX_SHEET_ROWS, RowQueue } from '../../src/datastore/load/sheets/sheet-rows.js'
import { allRows, countingAccess, fixture, xlsxOf, zipOf } from './sheets-helpers.js'

async function open(bytes: Buffer): Promise<SheetRowSource> {
  const source = await openSheetRows(memoryRandomAccess(bytes))
  if (!source) throw new Error('read as text')
  return source
}

t.test('XLSX: every row of the first sheet as data: ISO dates, plain numbers, times, booleans; errors and blank rows left out', async (t) => {
  const s = await open(fixture('two-sheets.xlsx'))
  t.same(s.headers, ['Cantón', 'Fecha', 'Habitantes', 'Índice', 'Hora', 'Activo', 'Código'])
  t.same(await allRows(s.rows), [
    // 2,800,000 under #,##0 and 12.50% under 0.00% load as the numbers they are; codes keep their zeros
    ['Quito', '2023-03-15', '2800000', '0.125', '10:30:00', 'TRUE', '0170'],
    // a custom dd/mm/yyyy format is a date too; rich text runs join, the phonetic guide is left out
    ['Guayaquil', '2022-12-31', '2700000', '0.5', '18:00:00', 'FALSE', '0901'],
    // an ISO date cell (t="d"), #DIV/0! as nothing, an inline string
    ['Cuenca', '2021-01-01', '636996', '', '', 'sí', '0101'],
    // a date-time, cells without references, a formula's cached text; the row ends early
    ['Loja', '2023-03-15 12:00:00', '181422', '0.333'],
  ])
  t.same(s.info, { format: 'xlsx', sheet: 'Población', sheets: ['Población', 'Notas'], sharedStrings: 16, sharedStringsOnDisk: false })
})

t.test('ODS: typed values rather than the locale display, repeats written out, covered cells empty, the empty million-row tail ignored', async (t) => {
  const s = await open(fixture('sheet.ods'))
  t.same(s.headers, ['Provincia', 'Fecha de corte', 'Población', 'Tasa', 'Hora', 'Vigente', 'Nota'])
  t.same(await allRows(s.rows), [
    // 881.394 (Spanish grouping) is 881394; 12,5 % is 0.125; VERDADERO is TRUE; the comment is not text
    ['Azuay', '2023-03-15', '881394', '0.125', '10:30:00', 'TRUE', 'a  b\nc'],
    ['Santa Elena', '', '401178', '0.05', '', 'FALSE'],
    ['igual', '', '1'],
    ['igual', '', '1'],
    ['igual', '', '1'],
    ['Loja', '', '485421.5'],
    ['El Oro', '2023-01-02 10:30:00', '0.0015'],
  ])
  t.same(s.info, { format: 'ods', sheet: 'Datos 2023', sheets: ['Datos 2023', 'Fuentes'] })
})

t.test('XLS (BIFF8) through SheetJS: the same values as the XLSX', async (t) => {
  const s = await open(fixture('two-sheets.xls'))
  t.same(s.headers, ['Cantón', 'Fecha', 'Habitantes', 'Índice', 'Hora', 'Activo', 'Código'])
  t.same(await allRows(s.rows), [
    ['Quito', '2023-03-15', '2800000', '0.125', '10:30:00', 'TRUE', '0170'],
    ['Guayaquil', '2022-12-31', '2700000', '0.5', '18:00:00', 'FALSE', '0901'],
    ['Loja', '2023-03-15 12:00:00', '181422', '0.3333333333333333'],
  ])
  t.same(s.info, { format: 'xls', sheet: 'Población', sheets: ['Población', 'Notas'] })
})

t.test('the bytes decide: a CSV under a spreadsheet label is text for the CSV loader; XLSB goes to SheetJS', async (t) => {
  t.equal(await openSheetRows(memoryRandomAccess(fixture('latin1-semicolon.csv'))), null)
  t.equal(await openSheetRows(memoryRandomAccess(fixture('utf8-bom.csv'))), null)
  const XLSX = sheetjs()
  const wb = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['Año', 'Valor'],
      [2024, 1.5],
      [2025, 1e-7],
    ]),
    'Hoja1',
  )
  const s = await open(XLSX.write(wb, { type: 'buffer', bookType: 'xlsb' }) as Buffer)
  t.equal(s.info.format, 'xlsb')
  t.same(s.headers, ['Año', 'Valor'])
  t.same(await allRows(s.rows), [
    ['2024', '1.5'],
    ['2025', '1e-7'],
  ])
})

t.test('files that are no spreadsheet fail with a message for the load log', async (t) => {
  await t.rejects(openSheetRows(memoryRandomAccess(fixture('empty.csv'))), { name: 'SheetLoadError', message: 'The spreadsheet is empty: it has no sheets' })
  await t.rejects(openSheetRows(memoryRandomAccess(Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x10, 0x11]))), { name: 'SheetLoadError', message: 'The file is not a spreadsheet this loader reads (XLSX, ODS, XLS)' })
  const notSheet = await zipOf([['readme.txt', 'hola']])
  await t.rejects(openSheetRows(memoryRandomAccess(notSheet)), { name: 'SheetLoadError', message: 'The file is a zip archive but not a spreadsheet (XLSX or ODS)' })
  // a zip cut short has no central directory
  const xlsx = fixture('two-sheets.xlsx')
  await t.rejects(openSheetRows(memoryRandomAccess(xlsx.subarray(0, xlsx.length - 200))), { name: 'SheetLoadError', message: 'The spreadsheet could not be read (zip)' })
  // an XLS over the cap is refused before SheetJS sees it
  const big = Buffer.alloc(33 * 1024 * 1024)
  fixture('two-sheets.xls').copy(big)
  await t.rejects(openSheetRows(memoryRandomAccess(big)), { name: 'SheetLoadError', message: /too large to load: XLS and XLSB files are read whole, up to 32 MB/ })
})

t.test('a sheet whose XML breaks off midway fails while its rows are read, after the good ones', async (t) => {
  let xml = '<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>'
  for (let i = 2; i <= 20_000; i++) xml += `<row r="${i}"><c><v>${i}</v></c></row>`
  const bytes = await xlsxOf([{ name: 'A', rows: `${xml}<row r="20001"><c><v>1</v` }])
  const s = await open(bytes)
  t.same(s.headers, ['x'])
  let seen = 0
  let wrong = 0
  await t.rejects(
    (async () => {
      for await (const r of s.rows) if (r[0] !== String(++seen + 1)) wrong++
    })(),
    { name: 'SheetLoadError', message: 'The spreadsheet could not be read (xml)' },
  )
  t.ok(seen > 0 && seen < 20_000, `${seen} rows before the failure`)
  t.equal(wrong, 0)
})

t.test('the first visible sheet is the one read; a header-only sheet has no rows; an empty sheet is an error', async (t) => {
  const hidden = await open(
    await xlsxOf([
      { name: 'Oculta', rows: '<row r="1"><c t="inlineStr"><is><t>secret</t></is></c></row>', hidden: true },
      { name: 'Datos', rows: '<row r="1"><c t="inlineStr"><is><t>visible</t></is></c></row>' },
    ]),
  )
  t.same(hidden.headers, ['visible'])
  t.same(await allRows(hidden.rows), [])
  t.equal(hidden.info.sheet, 'Datos')
  // a sheet with styled empty cells only: nothing to load
  await t.rejects(openSheetRows(memoryRandomAccess(await xlsxOf([{ name: 'Vacía', rows: '<row r="1" s="1"/><row r="5"><c r="C5" s="2"/></row>' }]))), {
    name: 'SheetLoadError',
    message: 'The sheet "Vacía" has no rows',
  })
})

t.test('XLSX rows are streamed: the first rows arrive after a small part of a large sheet was read, and all of them come', async (t) => {
  const N = 60_000
  const strings = Array.from({ length: 1000 }, (_, i) => `texto ${i}`)
  function* rows(): Generator<string> {
    yield '<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c><c r="B1" t="inlineStr"><is><t>texto</t></is></c><c r="C1" t="inlineStr"><is><t>valor</t></is></c></row>'
    for (let r = 2; r <= N + 1; r += 500) {
      let chunk = ''
      for (let i = r; i < r + 500 && i <= N + 1; i++) chunk += `<row r="${i}"><c r="A${i}"><v>${i - 1}</v></c><c r="B${i}" t="s"><v>${i % 1000}</v></c><c r="C${i}"><v>${(i * 7919) % 104729}.25</v></c></row>`
      yield chunk
    }
  }
  const bytes = await xlsxOf([{ name: 'Grande', rows: rows() }], strings)
  const { ra, read } = countingAccess(bytes)
  const s = await openSheetRows(ra)
  if (!s) throw new Error('read as text')
  t.same(s.headers, ['n', 'texto', 'valor'])
  let count = 0
  let readAtFirstRow = 0
  let last: string[] = []
  for await (const r of s.rows) {
    if (count === 0) readAtFirstRow = read()
    count++
    last = r
  }
  t.equal(count, N)
  t.same(last, [String(N), `texto ${(N + 1) % 1000}`, `${((N + 1) * 7919) % 104729}.25`])
  t.ok(readAtFirstRow < bytes.length / 4, `first row after ${readAtFirstRow} of ${bytes.length} bytes`)
})

t.test('giving up early stops reading: the rest of the sheet is never inflated', async (t) => {
  // values that compress badly, so the file is large beside what the reader buffers ahead
  let seed = 42
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648)
  function* rows(): Generator<string> {
    for (let r = 1; r <= 40_000; r += 1000) {
      let chunk = ''
      for (let i = r; i < r + 1000; i++) chunk += `<row r="${i}"><c><v>${i}</v></c><c><v>${i * 3}</v></c><c><v>${next()}</v></c><c><v>${next()}</v></c></row>`
      yield chunk
    }
  }
  const bytes = await xlsxOf([{ name: 'A', rows: rows() }])
  const { ra, read } = countingAccess(bytes)
  const s = await openSheetRows(ra)
  if (!s) throw new Error('read as text')
  let n = 0
  for await (const r of s.rows) {
    if (++n === 10) {
      t.same(r.slice(0, 2), ['11', '33'])
      break
    }
  }
  t.ok(read() < bytes.length / 4, `${read()} of ${bytes.length} bytes read`)
  await s.close()
})

t.test('ODS: a non-empty row repeated many times is written out in batches, up to the sheet row limit', async (t) => {
  const content =
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>' +
    '<table:table table:name="R"><table:table-row><table:table-cell office:value-type="string"><text:p>k</text:p></table:table-cell></table:table-row>' +
    '<table:table-row table:number-rows-repeated="25000"><table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell></table:table-row>' +
    '<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>' +
    '</table:table></office:spreadsheet></office:body></office:document-content>'
  const s = await open(
    await zipOf([
      ['mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
      ['content.xml', content],
    ]),
  )
  t.same(s.headers, ['k'])
  let count = 0
  let bad = 0
  for await (const r of s.rows) {
    count++
    if (r.length !== 1 || r[0] !== '7') bad++
  }
  t.equal(count, 25_000)
  t.equal(bad, 0)

  const queue = new RowQueue()
  queue.add(['h'], false, 1)
  queue.add(['x'], false, 2 * MAX_SHEET_ROWS)
  t.equal(queue.length, MAX_SHEET_ROWS, 'repeats past the row limit are not rows')
  t.equal(queue.take().length, 1000, 'taken a batch at a time')
})

t.test('shared strings past the memory budget go to a temporary file and read back the same', async (t) => {
  const table = new SharedStrings(64 * 1024)
  const texts = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `ñandú ${i} `.repeat(1 + (i % 5)) : `v${i}`))
  texts[4999] = 'x'.repeat(2 * 1024 * 1024) // longer than the write buffer
  for (const s of texts) table.add(s)
  t.ok(table.spilled)
  t.equal(table.count, 5000)
  let wrong = 0
  for (const i of [0, 7, 4999, 1234, 7, 4998, 0, 3500]) if (table.get(i) !== texts[i]) wrong++
  for (let i = 0; i < 5000; i += 13) if (table.get(i) !== texts[i]) wrong++
  t.equal(wrong, 0)
  t.equal(table.get(5000), '')
  t.equal(table.get(-1), '')
  const dir = (table as unknown as { file: { dir: string } }).file.dir
  t.ok(existsSync(dir))
  table.close()
  t.notOk(existsSync(dir), 'the temporary file is removed')

  const small = new SharedStrings()
  small.add('a')
  t.notOk(small.spilled)
  t.equal(small.get(0), 'a')
})

t.test('ODS: header rows and row groups are rows too; prefixes are the writer’s choice', async (t) => {
  const content =
    '<d:document-content xmlns:d="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:x="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><d:body><d:spreadsheet>' +
    '<t:table t:name="Hoja"><t:table-header-rows><t:table-row><t:table-cell><x:p>año</x:p></t:table-cell><t:table-cell><x:p>valor</x:p></t:table-cell></t:table-row></t:table-header-rows>' +
    '<t:table-row-group><t:table-row><t:table-cell d:value-type="float" d:value="2024"><x:p>2.024</x:p></t:table-cell><t:table-cell d:value-type="float" d:value="-0.5"><x:p>-0,5</x:p></t:table-cell></t:table-row></t:table-row-group>' +
    '<t:table-row><t:table-cell d:value-type="date" d:date-value="2024-02-29T00:00:00"><x:p>29/02/24</x:p></t:table-cell></t:table-row>' +
    '</t:table></d:spreadsheet></d:body></d:document-content>'
  const s = await open(
    await zipOf([
      ['mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
      ['content.xml', content],
    ]),
  )
  t.same(s.headers, ['año', 'valor'])
  t.same(await allRows(s.rows), [['2024', '-0.5'], ['2024-02-29']])
  t.equal(s.info.sheet, 'Hoja')
})

t.test('an HTML table saved as .xls (old report exports) goes to SheetJS', async (t) => {
  const html = '<html><body><table><tr><td>Parroquia</td><td>Votos</td></tr><tr><td>Tumbaco</td><td>1520</td></tr><tr><td>Cumbayá</td><td>980</td></tr></table></body></html>'
  const s = await open(Buffer.from(html))
  t.equal(s.info.format, 'xls')
  t.same(s.headers, ['Parroquia', 'Votos'])
  t.same(await allRows(s.rows), [
    ['Tumbaco', '1520'],
    ['Cumbayá', '980'],
  ])
})
