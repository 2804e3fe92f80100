import t from 'tap'
import { previewFormat } from '../../src/preview/format.js'
import { indent, JSON_MAX_LINES } from '../../src/preview/json.js'
import { counting, fixture, fsStore, linked, preview, upload } from './preview-helpers.js'

t.test('format from CKAN format, then mimetype, then the URL extension', async (t) => {
  const f = (format: string | null, mimetype: string | null = null, url: string | null = null): string | null => previewFormat({ format, mimetype, url })
  t.equal(f('CSV'), 'csv')
  t.equal(f('.csv'), 'csv')
  t.equal(f('text/csv; charset=utf-8'), 'csv')
  t.equal(f('application/vnd.oasis.opendocument.spreadsheet'), 'ods')
  t.equal(f('GeoJSON'), 'json')
  t.equal(f('XLSX'), 'xlsx')
  t.equal(f('Excel'), 'xls')
  t.equal(f('TSV'), 'tsv')
  t.equal(f('JPEG'), 'image')
  t.equal(f('PDF'), 'pdf')
  t.equal(f('Datos abiertos', 'text/csv'), 'csv', 'a format saying nothing known falls back to the mimetype')
  t.equal(f('', null, 'https://x.gob.ec/archivos/poblacion.ODS?v=2'), 'ods', 'then to the extension, query left aside')
  t.equal(f('SHP', null, 'https://x.gob.ec/a.zip'), null)
  t.equal(f(null, null, null), null)
})

t.test('images, PDFs, no URL, unsupported formats: decided without reading a byte', async (t) => {
  const store = await fsStore(t)
  const { store: watched, counted } = counting(store)
  const up = await upload(store, fixture('notes.txt'), { format: 'PNG' })
  t.same(await preview(watched, up), { kind: 'image' })
  t.same(await preview(watched, { ...up, format: 'PDF' }), { kind: 'pdf', embeddable: true })
  t.same(await preview(watched, linked('https://example.org/informe.pdf')), { kind: 'pdf', embeddable: false }, 'a linked PDF is only linked')
  t.same(await preview(watched, linked('', { format: 'CSV' })), { kind: 'none', reason: 'no-url' })
  t.same(await preview(watched, { ...up, url_type: null, url: null, format: 'CSV' }), { kind: 'none', reason: 'no-url' })
  t.same(await preview(watched, { ...up, format: 'SHP', url: 'https://example.org/capa.zip' }), { kind: 'none', reason: 'unsupported' })
  t.equal(counted.reads, 0)
})

t.test('an upload whose file is gone is unreachable', async (t) => {
  const store = await fsStore(t)
  const r = await upload(store, Buffer.from('a,b\n1,2\n'), { format: 'csv' })
  await store.remove(`resources/${r.id}`)
  t.same(await preview(store, r), { kind: 'none', reason: 'unreachable', detail: 'missing-file' })
})

t.test('JSON: pretty when whole; a document over the cap is indented from its start and truncated', async (t) => {
  const store = await fsStore(t)
  const small = await preview(store, await upload(store, Buffer.from('{"a":[1,2,{"b":null}],"c":"x,y:{z}"}'), { format: 'JSON' }))
  t.same(small, { kind: 'json', text: '{\n  "a": [\n    1,\n    2,\n    {\n      "b": null\n    }\n  ],\n  "c": "x,y:{z}"\n}', truncated: false })
  const features = Array.from({ length: 20_000 }, (_, i) => ({ type: 'Feature', properties: { id: i, nombre: `Parroquia ${i}` }, geometry: { type: 'Point', coordinates: [-78.5, -0.2] } }))
  const big = await preview(store, await upload(store, Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })), { format: 'geojson' }))
  if (big.kind !== 'json') throw new Error(JSON.stringify(big))
  t.equal(big.truncated, true)
  const lines = big.text.split('\n')
  t.equal(lines.length, JSON_MAX_LINES)
  t.same(lines.slice(0, 4), ['{', '  "type": "FeatureCollection",', '  "features": [', '    {'])
  t.equal(indent('{"a":{},"b":[ ],"s":"q\\"{"}'), '{\n  "a": {},\n  "b": [],\n  "s": "q\\"{"\n}', 'empty containers stay on one line; escaped quotes stay in their string')
})
