/**
 * Resource preview benchmark (`node dist/scripts/bench-preview.js`): a 1 GB CSV uploaded to the
 * fs blob store, and the same file linked over HTTP (a local server answering Range requests),
 * then a 200,000-row XLSX and ODS. Each is previewed 20 times; the report gives the first call,
 * p50 and p99 of the time to the preview (the page's first byte waits for it), and the process's
 * RSS before and after, to show that memory stays flat whatever the file's size.
 *
 * Environment: BENCH_PREVIEW_MB (CSV size, default 1024), BENCH_PREVIEW_ROWS (spreadsheet rows,
 * default 200000), BENCH_PREVIEW_RUNS (default 20), BENCH_KEEP=1 keeps the temporary directory.
 */
import { createReadStream, mkdtempSync, promises as fs, statSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import yazl from 'yazl'
import { outboundPolicy } from '../src/net/outbound.js'
import { previewResource, type Preview, type PreviewDeps, type ResourceLike } from '../src/preview/index.js'
import { resourceKey } from '../src/storage/blob-store.js'
import { FsBlobStore } from '../src/storage/fs-store.js'

const env = process.env
const csvMb = Number(env.BENCH_PREVIEW_MB ?? 1024)
const sheetRows = Number(env.BENCH_PREVIEW_ROWS ?? 200_000)
const runs = Number(env.BENCH_PREVIEW_RUNS ?? 20)

export const TARGET_P99_MS = 300
/** "Flat memory": RSS after all runs within this of RSS before them. */
export const TARGET_RSS_GROWTH_MB = 50

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

/** Semicolon-separated UTF-8 lines with accents, as Ecuadorian portals publish them, generated in 1 MiB blocks. */
function csvStream(bytes: number): Readable {
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < 1 << 20; i++) {
    const line = `${i};Pichincha;Quito;Niños y niñas;${(i * 7919) % 100000};${(i % 1000) / 10};2024-0${(i % 9) + 1}-15\n`
    lines.push(line)
    size += Buffer.byteLength(line)
  }
  const block = Buffer.from(lines.join(''))
  const header = Buffer.from('id;provincia;cantón;grupo;población;tasa;fecha\n')
  let written = 0
  return new Readable({
    read() {
      if (written >= bytes) return this.push(null)
      const chunk = written === 0 ? Buffer.concat([header, block]) : block
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - written))
      written += part.length
      this.push(part)
    },
  })
}

/** A spreadsheet XML part, written row by row into the zip without holding it. */
function rowsStream(rows: number, head: string, row: (i: number) => string, tail: string): Readable {
  let i = 0
  return new Readable({
    read() {
      if (i === 0) this.push(head)
      const parts: string[] = []
      for (let n = 0; n < 2000 && i < rows; n++, i++) parts.push(row(i))
      if (parts.length > 0) this.push(parts.join(''))
      if (i >= rows) {
        this.push(tail)
        this.push(null)
      }
    },
  })
}

async function writeZip(file: string, entries: [string, string | Readable][]): Promise<void> {
  const zip = new yazl.ZipFile()
  for (const [name, data] of entries) {
    if (typeof data === 'string') zip.addBuffer(Buffer.from(data), name, { compress: name !== 'mimetype' })
    else zip.addReadStream(data, name)
  }
  zip.end()
  const out = (await import('node:fs')).createWriteStream(file)
  await new Promise<void>((resolve, reject) => {
    zip.outputStream
      .pipe(out)
      .on('finish', () => resolve())
      .on('error', reject)
  })
}

function xlsxEntries(rows: number): [string, string | Readable][] {
  const sheet = rowsStream(
    rows,
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>',
    (i) => `<row r="${i + 2}"><c r="A${i + 2}"><v>${i}</v></c><c r="B${i + 2}" t="s"><v>${4 + (i % 24)}</v></c><c r="C${i + 2}" s="1"><v>${45000 + (i % 700)}</v></c><c r="D${i + 2}" s="2"><v>${((i * 7919) % 100000) / 7}</v></c></row>`,
    '</sheetData></worksheet>',
  )
  const provinces = [
    'Azuay',
    'Bolívar',
    'Cañar',
    'Carchi',
    'Chimborazo',
    'Cotopaxi',
    'El Oro',
    'Esmeraldas',
    'Galápagos',
    'Guayas',
    'Imbabura',
    'Loja',
    'Los Ríos',
    'Manabí',
    'Morona Santiago',
    'Napo',
    'Orellana',
    'Pastaza',
    'Pichincha',
    'Santa Elena',
    'Santo Domingo',
    'Sucumbíos',
    'Tungurahua',
    'Zamora Chinchipe',
  ]
  const strings = ['id', 'provincia', 'fecha', 'valor', ...provinces]
  return [
    ['[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
    [
      '_rels/.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ],
    [
      'xl/workbook.xml',
      '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Datos" sheetId="1" r:id="rId1"/><sheet name="Notas" sheetId="2" r:id="rId2"/></sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    ],
    ['xl/styles.xml', '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="4"/></cellXfs></styleSheet>'],
    ['xl/sharedStrings.xml', `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`],
    ['xl/worksheets/sheet1.xml', sheet],
  ]
}

function odsEntries(rows: number): [string, string | Readable][] {
  const content = rowsStream(
    rows,
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Datos"><table:table-row><table:table-cell office:value-type="string"><text:p>id</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>provincia</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>fecha</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>valor</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16380"/></table:table-row>',
    (i) =>
      `<table:table-row><table:table-cell office:value-type="float" office:value="${i}"><text:p>${i}</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Pichincha</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2024-03-${10 + (i % 19)}"><text:p>${10 + (i % 19)}/03/24</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="${i / 7}"><text:p>${(i / 7).toFixed(2)}</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16380"/></table:table-row>`,
    '<table:table-row table:number-rows-repeated="848575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table><table:table table:name="Notas"/></office:spreadsheet></office:body></office:document-content>',
  )
  const settings =
    '<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><office:settings><config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views"><config:config-item-map-entry><config:config-item-map-named config:name="Tables"><config:config-item-map-entry config:name="Datos"/><config:config-item-map-entry config:name="Notas"/></config:config-item-map-named></config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></office:settings></office:document-settings>'
  return [
    ['mimetype', 'application/vnd.oasis.opendocument.spreadsheet'],
    ['content.xml', content],
    ['settings.xml', settings],
  ]
}

/** Serves files from disk with Range support, as a static file server would. */
async function rangeServer(files: Record<string, string>): Promise<{ url(p: string): string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname]
    if (!file) return void res.writeHead(404).end()
    const size = statSync(file).size
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    if (!m) {
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' })
      return void createReadStream(file).pipe(res)
    }
    const start = Number(m[1])
    const end = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1)
    res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' })
    createReadStream(file, { start, end }).pipe(res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

interface Result {
  name: string
  bytes: number
  first: number
  p50: number
  p99: number
  /** CPU time of this process per preview (median): what the preview costs, apart from waiting for a busy machine */
  cpu: number
  rssBefore: number
  rssAfter: number
  summary: string
}

async function measure(name: string, bytes: number, run: () => Promise<Preview>): Promise<Result> {
  global.gc?.()
  const rssBefore = rssMb()
  const times: number[] = []
  const cpus: number[] = []
  let last: Preview | null = null
  for (let i = 0; i < runs + 1; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    last = await run()
    times.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpus.push((c.user + c.system) / 1000)
  }
  cpus.shift()
  const rssAfter = rssMb()
  const first = times.shift() as number
  const sorted = [...times].sort((a, b) => a - b)
  const summary = last?.kind === 'table' ? `${last.format}, ${last.rows.length} rows × ${last.columns.length} cols, truncated=${last.truncated}${last.sheets ? `, sheets=${last.sheets.join('|')}` : ''}` : JSON.stringify(last)
  return {
    name,
    bytes,
    first,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    cpu: pct(
      [...cpus].sort((a, b) => a - b),
      50,
    ),
    rssBefore,
    rssAfter,
    summary,
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'abierto-bench-preview-'))
  const store = await FsBlobStore.open(path.join(dir, 'files'))
  const deps: PreviewDeps = { storage: store, outbound: outboundPolicy(['127.0.0.1']) }
  const resource = (id: string, format: string, fields: Partial<ResourceLike> = {}): ResourceLike => ({ id, url: null, url_type: 'upload', format, mimetype: null, name: null, size: null, ...fields })
  const results: Result[] = []
  try {
    let t0 = performance.now()
    const csvBytes = csvMb * 1024 * 1024
    await store.promote(await store.stage(csvStream(csvBytes)), resourceKey('bench-csv'))
    console.log(`# wrote a ${fmt(csvMb)} MiB CSV in ${fmt((performance.now() - t0) / 1000, 1)} s`)

    t0 = performance.now()
    const xlsxFile = path.join(dir, 'big.xlsx')
    const odsFile = path.join(dir, 'big.ods')
    await writeZip(xlsxFile, xlsxEntries(sheetRows))
    await writeZip(odsFile, odsEntries(sheetRows))
    await store.promote(await store.stage(createReadStream(xlsxFile)), resourceKey('bench-xlsx'))
    await store.promote(await store.stage(createReadStream(odsFile)), resourceKey('bench-ods'))
    const xlsxBytes = statSync(xlsxFile).size
    const odsBytes = statSync(odsFile).size
    console.log(`# wrote ${fmt(sheetRows)}-row XLSX (${fmt(xlsxBytes / 1048576, 1)} MiB) and ODS (${fmt(odsBytes / 1048576, 1)} MiB) in ${fmt((performance.now() - t0) / 1000, 1)} s`)

    const csvFile = path.join(dir, 'files', 'resources', 'be', 'bench-csv')
    const server = await rangeServer({ '/big.csv': csvFile, '/big.xlsx': xlsxFile, '/big.ods': odsFile })
    try {
      results.push(await measure('CSV upload (fs store)', csvBytes, () => previewResource(resource('bench-csv', 'CSV'), deps)))
      results.push(await measure('CSV link (HTTP Range)', csvBytes, () => previewResource(resource('l1', 'CSV', { url_type: null, url: server.url('/big.csv') }), deps)))
      results.push(await measure('XLSX upload', xlsxBytes, () => previewResource(resource('bench-xlsx', 'XLSX'), deps)))
      results.push(await measure('XLSX link (HTTP Range)', xlsxBytes, () => previewResource(resource('l2', 'XLSX', { url_type: null, url: server.url('/big.xlsx') }), deps)))
      results.push(await measure('ODS upload', odsBytes, () => previewResource(resource('bench-ods', 'ODS'), deps)))
      results.push(await measure('ODS link (HTTP Range)', odsBytes, () => previewResource(resource('l3', 'ODS', { url_type: null, url: server.url('/big.ods') }), deps)))
    } finally {
      await server.close()
    }
  } finally {
    if (env.BENCH_KEEP === '1') console.log(`# kept ${dir}`)
    else await fs.rm(dir, { recursive: true, force: true })
  }

  console.log(
    `\nload average ${os
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  )
  console.log(`\n| preview (${runs} runs after a first) | file | first ms | p50 ms | p99 ms | CPU ms p50 | RSS before → after MB | result |`)
  console.log('|---|---:|---:|---:|---:|---:|---:|---|')
  for (const r of results) {
    console.log(`| ${r.name} | ${fmt(r.bytes / 1048576, 1)} MiB | ${fmt(r.first, 1)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.cpu, 1)} | ${fmt(r.rssBefore)} → ${fmt(r.rssAfter)} | ${r.summary} |`)
  }
  const csv = results[0]
  const growth = Math.max(...results.map((r) => r.rssAfter)) - results[0].rssBefore
  console.log(`\n1 GB CSV time to preview p99 ${fmt(csv.p99, 1)} ms (target < ${TARGET_P99_MS}): ${csv.p99 < TARGET_P99_MS ? 'ok' : 'MISSED'}`)
  console.log(`RSS growth over all runs ${fmt(growth, 1)} MB (target < ${TARGET_RSS_GROWTH_MB}): ${growth < TARGET_RSS_GROWTH_MB ? 'ok' : 'MISSED'}`)
  if (csv.p99 >= TARGET_P99_MS || growth >= TARGET_RSS_GROWTH_MB) process.exitCode = 1
}

await main()
