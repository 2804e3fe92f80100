import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yazl from 'yazl'
import { sheetjs } from '../src/preview/cells.js'

/**
 * Writes the DataStore loader's test files into test/fixtures/datastore/ (run after a build:
 * `node dist/scripts/make-datastore-fixtures.js`). The spreadsheets are written part by part, as
 * Excel and LibreOffice write them (shared strings, styles with built-in and custom date formats,
 * rows left out, styled empty rows, ODS repeats and annotations), so the readers meet what real
 * files hold; the XLS is SheetJS's BIFF8. Output is byte-for-byte the same on every run.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/datastore')
const MTIME = new Date(Date.UTC(2024, 0, 1))

function zip(entries: [string, string][]): Promise<Buffer> {
  const z = new yazl.ZipFile()
  for (const [name, text] of entries) z.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: MTIME, compress: name !== 'mimetype' })
  z.end()
  const chunks: Buffer[] = []
  return new Promise((resolve, reject) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c))
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
    z.outputStream.on('error', reject)
  })
}

const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

/** Shared strings by first use, as Excel numbers them. */
const strings = ['Cantón', 'Fecha', 'Habitantes', 'Índice', 'Hora', 'Activo', 'Código', 'Quito', '0170', 'Guayaquil', '0901', 'Cuenca', '0101', 'Loja', 'Fuente', 'INEC']
const s = (text: string): string => `<c t="s"><v>${strings.indexOf(text)}</v></c>`

function xlsx(): Promise<Buffer> {
  const sst = strings
    .map((t) =>
      t === 'Guayaquil'
        ? // rich text: two runs, and a phonetic guide that is not part of the text
          '<si><r><rPr><b/></rPr><t>Guaya</t></r><r><t>quil</t></r><rPh sb="0" eb="1"><t>グ</t></rPh></si>'
        : `<si><t>${t}</t></si>`,
    )
    .join('')
  const cell = (ref: string, body: string): string => body.replace('<c ', `<c r="${ref}" `)
  const sheet1 =
    `${xml}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
    '<dimension ref="A2:G40"/><sheetData>' +
    // row 1 is left out: the header is the first row with content
    `<row r="2">${['Cantón', 'Fecha', 'Habitantes', 'Índice', 'Hora', 'Activo', 'Código'].map((h, i) => cell(`${'ABCDEFG'[i]}2`, s(h))).join('')}</row>` +
    `<row r="3">${cell('A3', s('Quito'))}<c r="B3" s="1"><v>45000</v></c><c r="C3" s="2"><v>2800000</v></c><c r="D3" s="3"><v>0.125</v></c><c r="E3" s="4"><v>0.4375</v></c><c r="F3" t="b"><v>1</v></c>${cell('G3', s('0170'))}</row>` +
    `<row r="4">${cell('A4', s('Guayaquil'))}<c r="B4" s="6"><v>44926</v></c><c r="C4" s="2"><v>2700000</v></c><c r="D4" s="3"><v>0.5</v></c><c r="E4" s="4"><v>0.75</v></c><c r="F4" t="b"><v>0</v></c>${cell('G4', s('0901'))}</row>` +
    // row 5 is left out (a blank spacer row); the error value and the empty styled cell load as nothing
    `<row r="6">${cell('A6', s('Cuenca'))}<c r="B6" t="d"><v>2021-01-01T00:00:00</v></c><c r="C6"><v>636996</v></c><c r="D6" t="e"><v>#DIV/0!</v></c><c r="E6" s="4"/><c r="F6" t="inlineStr"><is><t>sí</t></is></c>${cell('G6', s('0101'))}</row>` +
    // cells without references follow on from the previous one; the row ends early (ragged)
    `<row r="7"><c t="s"><v>${strings.indexOf('Loja')}</v></c><c s="5"><v>45000.5</v></c><c><v>181422</v></c><c t="str"><f>1/3</f><v>0.333</v></c></row>` +
    // the styled empty rows Excel leaves under the data
    Array.from({ length: 33 }, (_, i) => `<row r="${i + 8}" s="7" customFormat="1"><c r="A${i + 8}" s="7"/><c r="G${i + 8}" s="7"/></row>`).join('') +
    '</sheetData></worksheet>'
  const sheet2 = `${xml}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + `<row r="1">${cell('A1', s('Fuente'))}</row><row r="2">${cell('A2', s('INEC'))}</row>` + '</sheetData></worksheet>'
  const styles =
    `${xml}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>' +
    '<cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="3" applyNumberFormat="1"/><xf numFmtId="10" applyNumberFormat="1"/>' +
    '<xf numFmtId="20" applyNumberFormat="1"/><xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="0" fillId="1"/></cellXfs></styleSheet>'
  const rel = (id: string, type: string, target: string): string => `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`
  return zip([
    [
      '[Content_Types].xml',
      `${xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    ],
    ['_rels/.rels', `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rId1', 'officeDocument', 'xl/workbook.xml')}</Relationships>`],
    [
      'xl/workbook.xml',
      `${xml}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/>` +
        '<sheets><sheet name="Población" sheetId="1" r:id="rId1"/><sheet name="Notas" sheetId="2" r:id="rId2"/></sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${xml}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rId1', 'worksheet', 'worksheets/sheet1.xml')}${rel('rId2', 'worksheet', 'worksheets/sheet2.xml')}${rel('rId3', 'styles', 'styles.xml')}${rel('rId4', 'sharedStrings', 'sharedStrings.xml')}</Relationships>`,
    ],
    ['xl/worksheets/sheet1.xml', sheet1],
    ['xl/worksheets/sheet2.xml', sheet2],
    ['xl/styles.xml', styles],
    ['xl/sharedStrings.xml', `${xml}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${sst}</sst>`],
  ])
}

function ods(): Promise<Buffer> {
  const p = (text: string): string => `<text:p>${text}</text:p>`
  const str = (text: string): string => `<table:table-cell office:value-type="string" calcext:value-type="string">${p(text)}</table:table-cell>`
  const float = (value: string, shown: string, type = 'float'): string => `<table:table-cell office:value-type="${type}" office:value="${value}" calcext:value-type="${type}">${p(shown)}</table:table-cell>`
  const date = (value: string, shown: string): string => `<table:table-cell office:value-type="date" office:date-value="${value}" calcext:value-type="date">${p(shown)}</table:table-cell>`
  const time = (value: string, shown: string): string => `<table:table-cell office:value-type="time" office:time-value="${value}" calcext:value-type="time">${p(shown)}</table:table-cell>`
  const bool = (value: boolean): string => `<table:table-cell office:value-type="boolean" office:boolean-value="${value}" calcext:value-type="boolean">${p(value ? 'VERDADERO' : 'FALSO')}</table:table-cell>`
  const empty = (n: number): string => `<table:table-cell table:number-columns-repeated="${n}"/>`
  const row = (cells: string, repeat = 1): string => `<table:table-row table:style-name="ro1"${repeat > 1 ? ` table:number-rows-repeated="${repeat}"` : ''}>${cells}</table:table-row>`
  const content =
    `${xml}<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3">` +
    '<office:automatic-styles/><office:body><office:spreadsheet>' +
    '<table:table table:name="Datos 2023" table:style-name="ta1"><table:table-column table:number-columns-repeated="16384"/>' +
    // two empty rows above the header
    row(empty(16384), 2) +
    row(['Provincia', 'Fecha de corte', 'Población', 'Tasa', 'Hora', 'Vigente', 'Nota'].map(str).join('') + empty(16377)) +
    row(
      str('Azuay') +
        date('2023-03-15', '15/03/2023') +
        float('881394', '881.394') +
        float('0.125', '12,5 %', 'percentage') +
        time('PT10H30M00S', '10:30') +
        bool(true) +
        // spaces as text:s, a line break, and a comment that is not part of the cell's text
        '<table:table-cell office:value-type="string"><office:annotation><dc:creator>x</dc:creator><text:p>revisar</text:p></office:annotation><text:p>a<text:s text:c="2"/>b</text:p><text:p>c</text:p></table:table-cell>' +
        empty(16377),
    ) +
    row(str('Santa Elena') + empty(1) + float('401178', '401.178') + float('0.05', '5 %', 'percentage') + empty(1) + bool(false) + empty(16378)) +
    // three equal rows written once
    row(str('igual') + empty(1) + float('1', '1') + empty(16381), 3) +
    // a merged cell's covered part is empty; a currency value loads as its number
    row('<table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>Loja</text:p></table:table-cell><table:covered-table-cell/>' + float('485421.5', '485.421,50 US$', 'currency') + empty(16381)) +
    row(str('El Oro') + date('2023-01-02T10:30:00', '02/01/2023 10:30') + float('1.5E-3', '0,0015') + empty(16381)) +
    // the empty rest of the sheet
    row(empty(16384), 1048566) +
    '</table:table>' +
    '<table:table table:name="Fuentes"><table:table-column/>' +
    row(str('INEC')) +
    '</table:table></office:spreadsheet></office:body></office:document-content>'
  const manifest =
    `${xml}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>' +
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
  // LibreOffice's view settings, which list every sheet
  const settings =
    `${xml}<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><office:settings>` +
    '<config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>' +
    '<config:config-item-map-named config:name="Tables"><config:config-item-map-entry config:name="Datos 2023"/><config:config-item-map-entry config:name="Fuentes"/></config:config-item-map-named>' +
    '</config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></office:settings></office:document-settings>'
  return zip([
    ['mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
    ['content.xml', content],
    ['settings.xml', settings],
    ['META-INF/manifest.xml', manifest],
  ])
}

/** The XLSX's first sheet as SheetJS writes BIFF8, with its number formats. */
function xls(): Buffer {
  const XLSX = sheetjs()
  const n = (v: number, z?: string): object => (z ? { t: 'n', v, z } : { t: 'n', v })
  const ws = XLSX.utils.aoa_to_sheet([
    ['Cantón', 'Fecha', 'Habitantes', 'Índice', 'Hora', 'Activo', 'Código'],
    ['Quito', n(45000, 'yyyy-mm-dd'), n(2800000, '#,##0'), n(0.125, '0.00%'), n(0.4375, 'h:mm'), true, '0170'],
    ['Guayaquil', n(44926, 'dd/mm/yyyy'), n(2700000, '#,##0'), n(0.5, '0.00%'), n(0.75, 'h:mm'), false, '0901'],
    [],
    ['Loja', n(45000.5, 'm/d/yy h:mm'), 181422, 1 / 3],
  ])
  const wb = XLSX.utils.book_new()
  XLSX.utils.book_append_sheet(wb, ws, 'Población')
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Fuente'], ['INEC']]), 'Notas')
  return XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true })
  const write = (name: string, bytes: Buffer | string): void => writeFileSync(path.join(root, name), bytes)
  write(
    'latin1-semicolon.csv',
    Buffer.from('provincia;cantón;población;fecha;tasa\r\nPichincha;Quito;2800000;2023-03-15;12.5\r\nCañar;Azogues;70064;2023-03-15;7.25\r\n"Santo Domingo de los Tsáchilas";"Santo Domingo; centro";458580;2022-12-31;3\r\n', 'latin1'),
  )
  write('utf8-bom.csv', '\ufeffcódigo,nombre,valor\n1,Ñandú,10.5\n2,Pingüino,-3\n3,Cóndor andino,\n')
  write('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n')
  write('empty.csv', '')
  write('two-sheets.xlsx', await xlsx())
  write('sheet.ods', await ods())
  write('two-sheets.xls', xls())
}

await main()
