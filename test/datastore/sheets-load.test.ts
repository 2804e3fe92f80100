import t from 'tap'
import { describeTable } from '../../src/datastore/fields.js'
import { tableExists } from '../../src/datastore/table.js'
import { loaderApp } from './loader-helpers.js'
import { fixture, xlsxOf } from './sheets-helpers.js'

/** End to end: a spreadsheet uploaded as a resource is loaded by the job worker into its DataStore table. */

const types = async (h: Awaited<ReturnType<typeof loaderApp>>, id: string): Promise<[string, string][]> => ((await describeTable(h.db.kysely, id)) ?? []).map((f) => [f.id, f.type])

t.test('XLSX: the first sheet loaded, typed from its values, the second sheet left out', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('poblacion.xlsx', fixture('two-sheets.xlsx'))
  t.equal(res.format, 'XLSX')
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', JSON.stringify(status.task_info?.logs))
  t.ok(
    status.task_info.logs.some((l: any) => /Población/.test(l.message) && /xlsx/.test(l.message)),
    'the sheet read is named in the log',
  )
  t.same(await types(h, res.id), [
    ['Cantón', 'text'],
    // dates and a date-time meet in timestamp
    ['Fecha', 'timestamp'],
    ['Habitantes', 'int8'],
    ['Índice', 'numeric'],
    ['Hora', 'text'],
    ['Activo', 'text'],
    // codes keep their leading zeros
    ['Código', 'text'],
  ])
  const rows = await h.rows(res.id)
  t.equal(rows.length, 4, 'the blank and styled empty rows are not rows')
  t.match(rows[0], { Cantón: 'Quito', Habitantes: 2800000, Índice: '0.125', Hora: '10:30:00', Activo: 'TRUE', Código: '0170' })
  t.match(rows[2], { Cantón: 'Cuenca', Índice: null, Activo: 'sí' })
  t.match(rows[3], { Cantón: 'Loja', Habitantes: 181422, Código: null })
  t.notOk(
    rows.some((r) => Object.values(r).includes('INEC')),
    'nothing of the second sheet',
  )
  t.equal((await h.ok('resource_show', { id: res.id })).datastore_active, true)

  // through the API, as clients read it: full text, a filter on a text column
  const found = await h.ok('datastore_search', { resource_id: res.id, q: 'cuenca' })
  t.same(
    found.records.map((r: any) => r.Cantón),
    ['Cuenca'],
  )
  const filtered = await h.ok('datastore_search', { resource_id: res.id, filters: { Código: '0901' }, fields: ['Cantón', 'Fecha', 'Habitantes'] })
  t.same(filtered.records, [{ Cantón: 'Guayaquil', Fecha: '2022-12-31T00:00:00', Habitantes: 2700000 }])
  t.equal(filtered.total, 1)
})

t.test('ODS: typed values, not the locale display; repeats written out; the million empty rows ignored', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('provincias.ods', fixture('sheet.ods'))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', JSON.stringify(status.task_info?.logs))
  t.same(await types(h, res.id), [
    ['Provincia', 'text'],
    ['Fecha de corte', 'timestamp'],
    ['Población', 'numeric'],
    ['Tasa', 'numeric'],
    ['Hora', 'text'],
    ['Vigente', 'text'],
    ['Nota', 'text'],
  ])
  const rows = await h.rows(res.id)
  t.equal(rows.length, 7)
  t.match(rows[0], { Provincia: 'Azuay', Población: '881394', Tasa: '0.125', Vigente: 'TRUE', Nota: 'a  b\nc' })
  t.same(
    rows.slice(2, 5).map((r) => r.Provincia),
    ['igual', 'igual', 'igual'],
  )
  t.match(rows[6], { Provincia: 'El Oro', Población: '0.0015' })
})

t.test('XLS (BIFF8) through SheetJS', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('viejo.xls', fixture('two-sheets.xls'))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', JSON.stringify(status.task_info?.logs))
  const rows = await h.rows(res.id)
  t.equal(rows.length, 3)
  t.match(rows[0], { Cantón: 'Quito', Habitantes: 2800000, Código: '0170' })
})

t.test('the bytes decide: a CSV published as XLS loads as CSV; an XLSX labelled XLS as XLSX', async (t) => {
  const h = await loaderApp(t)
  const csv = await h.upload('cantones.xls', fixture('latin1-semicolon.csv'), { format: 'XLS' })
  const s1 = await h.settled(csv.id)
  t.equal(s1.status, 'complete', JSON.stringify(s1.task_info?.logs))
  const rows = await h.rows(csv.id)
  t.equal(rows.length, 3)
  t.match(rows[2], { provincia: 'Santo Domingo de los Tsáchilas', cantón: 'Santo Domingo; centro', población: 458580 })
  const xlsx = await h.upload('libro.xls', fixture('two-sheets.xlsx'), { format: 'XLS' })
  const s2 = await h.settled(xlsx.id)
  t.equal(s2.status, 'complete', JSON.stringify(s2.task_info?.logs))
  t.equal((await h.rows(xlsx.id)).length, 4)
})

t.test('a broken spreadsheet ends in error with a message; the previous table stays', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('poblacion.xlsx', fixture('two-sheets.xlsx'))
  t.equal((await h.settled(res.id)).status, 'complete')
  const good = fixture('two-sheets.xlsx')
  await h.reupload(res.id, 'poblacion.xlsx', good.subarray(0, good.length - 200))
  const status = await h.settled(res.id)
  t.equal(status.status, 'error')
  t.match(status.error?.message, /The spreadsheet could not be read/)
  t.equal((await h.rows(res.id)).length, 4, 'the last good load is kept')
})

t.test('an empty sheet and a 0-byte spreadsheet are errors', async (t) => {
  const h = await loaderApp(t)
  const zero = await h.upload('vacio.xlsx', fixture('empty.csv'), { format: 'XLSX' })
  const s1 = await h.settled(zero.id)
  t.equal(s1.status, 'error')
  t.equal(s1.error?.message, 'The file is empty')
  const blank = await h.upload('blanco.xlsx', await xlsxOf([{ name: 'Hoja1', rows: '<row r="1" s="1"/><row r="3"><c r="B3" s="1"/></row>' }]))
  const s2 = await h.settled(blank.id)
  t.equal(s2.status, 'error')
  t.equal(s2.error?.message, 'The sheet "Hoja1" has no rows')
  t.notOk(await tableExists(h.db.kysely, blank.id), 'no table is made')
})

t.test('a value past the type-guessing sample that does not fit: the sheet is read again and the column loaded as text', async (t) => {
  const h = await loaderApp(t)
  const rows = ['<row r="1"><c t="inlineStr"><is><t>n</t></is></c><c t="inlineStr"><is><t>código</t></is></c></row>']
  for (let i = 2; i <= 6001; i++) rows.push(`<row r="${i}"><c><v>${i}</v></c><c t="s"><v>${i === 6001 ? 1 : 0}</v></c></row>`)
  const res = await h.upload('codigos.xlsx', await xlsxOf([{ name: 'Datos', rows: rows.join('') }], ['17', 'S/N']))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', JSON.stringify(status.task_info?.logs))
  t.ok(
    status.task_info.logs.some((l: any) => l.level === 'WARNING' && /código/.test(l.message)),
    'the demotion is logged',
  )
  t.same(await types(h, res.id), [
    ['n', 'int8'],
    ['código', 'text'],
  ])
  const loaded = await h.rows(res.id)
  t.equal(loaded.length, 6000)
  t.same(loaded[5999], { n: 6001, código: 'S/N' })
  t.same(loaded[0], { n: 2, código: '17' })
})
