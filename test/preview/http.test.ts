import t from 'tap'
import { outboundPolicy } from '../../src/net/outbound.js'
import { previewResource } from '../../src/preview/index.js'
import { bigXlsx, fileServer, fixture, fsStore, linked, preview, table } from './preview-helpers.js'

/**
 * Linked resources: fetched through the outbound policy, with Range requests where the server
 * answers them, read whole (under a cap) where it does not, and never past what the preview needs.
 */

const files = {
  '/datos.csv': fixture('latin1-semicolon.csv'),
  '/libro.xlsx': fixture('two-sheets.xlsx'),
  '/hoja.ods': fixture('repeats.ods'),
  '/viejo.xls': fixture('two-sheets.xls'),
  '/puntos.geojson': fixture('points.geojson'),
  '/pagina.csv': Buffer.from('<!doctype html><html><body>Inicie sesión</body></html>'),
}
const types = { '/pagina.csv': 'text/html; charset=utf-8', '/datos.csv': 'text/csv' }

for (const ranges of [true, false]) {
  t.test(`${ranges ? 'a server answering Range' : 'a server ignoring Range'}: CSV, XLSX, ODS, XLS and GeoJSON`, async (t) => {
    const store = await fsStore(t)
    const server = await fileServer(t, files, { ranges, types })
    const csv = table(await preview(store, linked(server.url('/datos.csv'), { format: 'CSV' })))
    t.equal(csv.encoding, 'windows-1252')
    t.equal(csv.delimiter, ';')
    t.equal(csv.columns[1], 'Año')
    const xlsx = table(await preview(store, linked(server.url('/libro.xlsx'), { format: 'XLSX' })))
    t.same(xlsx.sheets, ['Población', 'Notas'])
    t.same(xlsx.rows[0], ['Quito', '2023-03-15', '2,800,000', '12.50%'])
    const ods = table(await preview(store, linked(server.url('/hoja.ods'), { format: 'ODS' })))
    t.same(ods.sheets, ['Datos 2023', 'Fuentes'])
    t.same(ods.rows[0], ['Azuay', '2023-03-15', '881.394', '', 'a  b\nc'])
    const xls = table(await preview(store, linked(server.url('/viejo.xls'), { format: 'XLS' })))
    t.equal(xls.rows[2][0], 'Quito')
    const json = await preview(store, linked(server.url('/puntos.geojson'), { format: 'GeoJSON' }))
    t.equal(json.kind, 'json')
    t.match(json.kind === 'json' && json.text, /^\{\n {2}"type": "FeatureCollection",\n/)
    // the CSV is asked for with a Range header either way
    t.match(server.requests.find((r) => r.path === '/datos.csv')?.range, /^bytes=0-\d+$/)
  })
}

t.test('a big linked XLSX over Range requests: only the central directory and the sheet start travel', async (t) => {
  const big = await bigXlsx(100_000, 3)
  const store = await fsStore(t)
  const server = await fileServer(t, { '/big.xlsx': big }, { ranges: true })
  const p = table(await preview(store, linked(server.url('/big.xlsx'), { format: 'xlsx' })))
  t.equal(p.rows.length, 100)
  t.equal(p.truncated, true)
  t.ok(big.length > 2 << 20, `file of ${big.length} bytes`)
  t.ok(server.sent < 512 * 1024, `${server.sent} bytes sent`)
  t.ok(
    server.requests.every((r) => r.range),
    'every request was a Range request',
  )

  // the same file from a server that ignores Range: read whole, as it is under the 32 MB cap
  const plain = await fileServer(t, { '/big.xlsx': big }, { ranges: false })
  const q = table(await preview(store, linked(plain.url('/big.xlsx'), { format: 'xlsx' })))
  t.same(q.rows, p.rows)
})

t.test('a big linked CSV: the transfer stops once the rows are in', async (t) => {
  const lines = ['a,b,c']
  for (let i = 0; i < 200_000; i++) lines.push(`${i},${i * 2},texto ${i}`)
  const big = Buffer.from(lines.join('\n'))
  const store = await fsStore(t)
  for (const ranges of [true, false]) {
    const server = await fileServer(t, { '/big.csv': big }, { ranges })
    const p = table(await preview(store, linked(server.url('/big.csv'), { format: 'csv' })))
    t.equal(p.rows.length, 100)
    t.equal(p.truncated, true)
    // a server ignoring Range pushes into socket buffers whatever they take: only the Range case is bounded by what the client asks
    if (ranges) t.ok(server.sent <= 128 * 1024, `${server.sent} of ${big.length} bytes sent`)
  }
})

t.test('failures: HTTP errors, HTML pages, redirects, refused addresses, no Range and too big', async (t) => {
  const store = await fsStore(t)
  const huge = Buffer.alloc(33 * 1024 * 1024, 0x20)
  huge.write('PK\x03\x04', 0, 'latin1')
  const server = await fileServer(t, { ...files, '/huge.xlsx': huge }, { ranges: false, types })
  t.same(await preview(store, linked(server.url('/missing.csv'), { format: 'csv' })), { kind: 'none', reason: 'unreachable', detail: 'http-404' })
  t.same(await preview(store, linked(server.url('/pagina.csv'), { format: 'csv' })), { kind: 'none', reason: 'unsupported', detail: 'html' })
  const redirected = table(await preview(store, linked(server.url('/redirect/datos.csv'), { format: 'csv' })))
  t.equal(redirected.columns[2], 'Población')
  t.same(await preview(store, linked(server.url('/huge.xlsx'), { format: 'xlsx' })), { kind: 'none', reason: 'too-large', detail: 'no-range-support' })
  t.same(await preview(store, linked('ftp://example.org/a.csv', { format: 'csv' })), { kind: 'none', reason: 'unreachable', detail: 'scheme' })

  // production policy: nothing private, this machine included
  const strict = { storage: store, outbound: outboundPolicy([]) }
  const before = server.requests.length
  t.same(await previewResource(linked(server.url('/datos.csv'), { format: 'csv' }), strict), { kind: 'none', reason: 'unreachable', detail: 'blocked' })
  const port = new URL(server.url('/')).port
  t.same(await previewResource(linked(`http://localhost:${port}/datos.csv`, { format: 'csv' }), strict), { kind: 'none', reason: 'unreachable', detail: 'blocked' })
  t.equal(server.requests.length, before, 'no request reached the server')
})
