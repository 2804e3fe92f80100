import t from 'tap'
import { Readable } from 'node:stream'
import { decodeText, withoutCutCharacter } from '../../src/preview/decode.js'
import { detectDelimiter } from '../../src/preview/delimited.js'
import { counting, fixture, fsStore, preview, table, upload, virtualStore } from './preview-helpers.js'

t.test('a Latin-1 CSV with ; and decimal commas: Windows-1252, ;, accents decoded, quoted ; kept in its cell', async (t) => {
  const store = await fsStore(t)
  const p = table(await preview(store, await upload(store, fixture('latin1-semicolon.csv'), { format: 'CSV' })))
  t.equal(p.format, 'csv')
  t.equal(p.encoding, 'windows-1252')
  t.equal(p.delimiter, ';')
  t.same(p.columns, ['Provincia', 'Año', 'Población', 'Niños', 'Tasa'])
  t.same(p.rows[1], ['Bolívar', '2020', '209933', '40111', '9,75'])
  t.same(p.rows[4], ['Imbabura', '2022', '476257', '80;100', '7,5'])
  t.equal(p.rows.length, 5)
  t.equal(p.truncated, false)
})

t.test('UTF-8 with BOM: the BOM is not part of the first header, quoted commas and line breaks stay in their cells', async (t) => {
  const store = await fsStore(t)
  const p = table(await preview(store, await upload(store, fixture('utf8-bom.csv'), { format: 'text/csv' })))
  t.equal(p.encoding, 'utf-8-bom')
  t.equal(p.delimiter, ',')
  t.same(p.columns, ['Nombre', 'Ciudad', 'Comentario'])
  t.same(p.rows, [
    ['José', 'Quito', 'Hola, señor'],
    ['María', 'Cuenca', 'línea 1\nlínea 2'],
    ['Ñusta', 'Loja', 'ok'],
  ])
})

t.test('pipe and tab: detected; a TSV is split on tabs whatever its content', async (t) => {
  const store = await fsStore(t)
  const pipe = table(await preview(store, await upload(store, fixture('pipe.csv'), { format: 'csv' })))
  t.equal(pipe.delimiter, '|')
  t.same(pipe.rows[2], ['03', 'Manabí', '1,5'])
  const tab = table(await preview(store, await upload(store, fixture('tab.tsv'), { format: 'TSV' })))
  t.equal(tab.format, 'tsv')
  t.equal(tab.delimiter, '\t')
  t.same(tab.rows, [
    ['01', 'Pichincha', '3.2'],
    ['02', 'Guayas', '4.1'],
  ])
  // a .csv that is tab-separated is detected too
  const tabAsCsv = table(await preview(store, await upload(store, fixture('tab.tsv'), { format: 'csv' })))
  t.equal(tabAsCsv.delimiter, '\t')
})

t.test('delimiter detection: the steady field count wins, quotes are respected, one column falls back to a comma', async (t) => {
  t.equal(detectDelimiter('a;b;c\n1,5;2,25;3\n4;5,5;6\n'), ';')
  t.equal(detectDelimiter('a,b\n"x;y;z",1\n"p;q;r",2\n'), ',')
  t.equal(detectDelimiter('a|b|c\n1|2|3\n'), '|')
  t.equal(detectDelimiter('solo\nuna\ncolumna\n'), ',')
})

t.test('encoding: UTF-8 cut inside a character at the byte cap is still UTF-8; invalid UTF-8 is Windows-1252', async (t) => {
  const text = Buffer.from('año,niño\n', 'utf8')
  // cut in the middle of ñ (2 bytes)
  const cut = text.subarray(0, 2)
  t.equal(withoutCutCharacter(cut).length, 1)
  t.same(decodeText(cut, false), { text: 'a', encoding: 'utf-8' })
  t.equal(decodeText(cut, true).encoding, 'windows-1252', 'a whole file ending in half a character is not UTF-8')
  t.same(decodeText(Buffer.from('Niños €', 'latin1'), true).encoding, 'windows-1252')
  t.equal(decodeText(Buffer.from([0x80, 0x41]), true).text, '€A', '0x80 is the euro sign in Windows-1252, not a C1 control')
  t.same(decodeText(Buffer.from('\ufeffa,b', 'utf16le'), true), { text: 'a,b', encoding: 'utf-16le' })
})

t.test('a big UTF-8 CSV: 100 rows shown, truncated, and only its start read', async (t) => {
  const store = await fsStore(t)
  const line = (i: number): string => `${i},Ñandú ${i},${(i * 1.5).toFixed(1)}\n`
  const chunks = function* (): Generator<Buffer> {
    yield Buffer.from('id,nombre,valor\n')
    for (let i = 0; i < 200_000; i += 1000) yield Buffer.from(Array.from({ length: 1000 }, (_, k) => line(i + k)).join(''))
  }
  const res = await upload(store, Readable.from(chunks()), { format: 'csv' })
  const { store: countingStore, counted } = counting(store)
  const p = table(await preview(countingStore, res))
  t.equal(p.rows.length, 100)
  t.same(p.rows[99], ['99', 'Ñandú 99', '148.5'])
  t.equal(p.truncated, true)
  t.equal(p.encoding, 'utf-8')
  // 102 rows are under 3 KB; reads come in 1 MiB chunks from the fs store
  t.ok(counted.bytes <= 1 << 20, `read ${counted.bytes} bytes of a ${(await store.stat(`resources/${res.id}`))?.size} byte file`)
})

t.test('a 2 GB CSV costs what a small one does: bytes read are bounded by the byte cap, not the size', async (t) => {
  const line = Buffer.from('2024,Pichincha,123456,"texto con, coma"\n')
  let produced = 0
  const size = 2 * 1024 ** 3
  const store = virtualStore(size, (start, end) => {
    // an endless supply of whole lines; the preview must stop pulling long before `end`
    let offset = start
    return new Readable({
      read() {
        if (offset > end) return this.push(null)
        const n = Math.min(65536, end - offset + 1)
        const chunk = Buffer.alloc(n)
        for (let i = 0; i < n; i++) chunk[i] = line[(offset + i) % line.length]
        offset += n
        produced += n
        this.push(chunk)
      },
    })
  })
  const p = table(await preview(store, { id: 'huge', url: null, url_type: 'upload', format: 'CSV', mimetype: null, name: null, size }))
  t.equal(p.rows.length, 100)
  t.equal(p.truncated, true)
  t.same(p.columns, ['2024', 'Pichincha', '123456', 'texto con, coma'])
  t.ok(produced <= 2 * 65536, `pulled ${produced} bytes`)
})

t.test('maxRows, ragged rows and a header shorter than its data', async (t) => {
  const store = await fsStore(t)
  const csv = 'a,b\n1,2,3\n4\n5,6\n7,8\n'
  const p = table(await preview(store, await upload(store, Buffer.from(csv), { format: 'csv' }), 2))
  t.same(p.columns, ['a', 'b', ''])
  t.same(p.rows, [
    ['1', '2', '3'],
    ['4', '', ''],
  ])
  t.equal(p.truncated, true)
})

t.test('empty and binary files', async (t) => {
  const store = await fsStore(t)
  t.same(await preview(store, await upload(store, Buffer.alloc(0), { format: 'csv' })), { kind: 'none', reason: 'empty' })
  t.same(await preview(store, await upload(store, Buffer.from('\n\n\n'), { format: 'csv' })), { kind: 'none', reason: 'empty' })
  const junk = Buffer.alloc(2048, 0)
  junk.write('not a spreadsheet either')
  t.same(await preview(store, await upload(store, junk, { format: 'csv' })), { kind: 'none', reason: 'unreadable', detail: 'unknown-format' })
  // an XLSX under a CSV label is previewed as the spreadsheet it is
  const xlsx = table(await preview(store, await upload(store, fixture('two-sheets.xlsx'), { format: 'csv' })))
  t.equal(xlsx.format, 'xlsx')
  t.same(xlsx.columns, ['Cantón', 'Fecha', 'Habitantes', 'Índice'])
})

t.test('plain text: first lines, decoded, truncated when more follow', async (t) => {
  const store = await fsStore(t)
  const p = await preview(store, await upload(store, fixture('notes.txt'), { format: 'TXT' }))
  if (p.kind !== 'text') throw new Error(JSON.stringify(p))
  const lines = p.text.split('\n')
  t.equal(lines.length, 100)
  t.equal(lines[0], 'línea 1')
  t.equal(lines[99], 'línea 100')
  t.equal(p.truncated, true)
  t.equal(p.encoding, 'utf-8')
  const short = await preview(store, await upload(store, Buffer.from('uno\ndos\n'), { format: 'text/plain' }))
  t.same(short, { kind: 'text', text: 'uno\ndos', truncated: false, encoding: 'utf-8' })
})
