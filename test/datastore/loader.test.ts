import t from 'tap'
import { sql } from 'kysely'
import { describeTable } from '../../src/datastore/fields.js'
import { fixture, loaderApp, sharedFixture } from './loader-helpers.js'

t.test('an uploaded UTF-8 CSV with a BOM: named, typed and loaded, datastore_active set, the log kept', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('provincias.csv', fixture('provincias-bom.csv'))
  t.equal(res.format, 'CSV')
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', JSON.stringify(status.task_info.logs))
  t.same(status.error, {})
  t.ok(
    status.task_info.logs.some((l: any) => /Express Load completed/.test(l.message)),
    'the log ends with the completion',
  )

  const fields = await describeTable(h.db.kysely, res.id)
  t.same(
    fields?.map((f) => [f.id, f.type]),
    [
      ['Provincia', 'text'],
      ['Código', 'text'],
      ['Población', 'int8'],
      ['Año', 'int8'],
      ['Fecha de corte', 'date'],
      ['Índice', 'numeric'],
      ['Provincia_2', 'text'],
      ['column_8', 'text'],
      ['interno', 'text'],
      ['Número de habitantes registrados en el último censo nacional', 'int8'],
    ],
    'accents kept; duplicate, blank, leading-underscore and over-long headers made valid; codes with leading zeros stay text',
  )
  t.equal(fields?.[6].info?.label, 'Provincia', 'the original header in info.label')
  t.equal(fields?.[8].info?.label, '_interno')
  t.equal(fields?.[7].info, undefined, 'a blank header has no label')
  t.match(fields?.[9].info?.label, /^Número de habitantes .* y vivienda$/)
  t.ok(Buffer.byteLength(fields![9].id) <= 63)

  const rows = await h.rows(res.id)
  t.equal(rows.length, 4)
  t.same(rows[0], { Provincia: 'Azuay', Código: '01', Población: 881394, Año: 2020, 'Fecha de corte': rows[0]['Fecha de corte'], Índice: '0.75', Provincia_2: 'AZ', column_8: 'x', interno: 'a', [fields![9].id]: 1 })
  t.equal(rows[3].Provincia, 'Carchi, "norte"', 'quoted cells with the delimiter and quotes')
  t.equal(rows[3].Población, null, 'an empty cell is NULL')
  const { rows: dates } = await sql<{ d: string }>`SELECT "Fecha de corte"::text AS d FROM ${sql.id('datastore', res.id)} ORDER BY "_id" LIMIT 1`.execute(h.db.kysely)
  t.equal(dates[0].d, '2020-12-31')

  const shown = await h.ok('resource_show', { id: res.id })
  t.equal(shown.datastore_active, true, 'datastore_active is set on the resource')
  const views = await h.ok('resource_view_list', { id: res.id })
  t.same(
    views.map((v: { view_type: string }) => v.view_type),
    ['datatables_view'],
    "the DataStore's default view is created once the rows are in",
  )
  const search = await h.ok('datastore_search', { resource_id: res.id, q: 'bolivar' })
  t.same(
    search.records.map((r: Record<string, unknown>) => r.Provincia),
    ['Bolívar'],
    'datastore_search finds the loaded rows',
  )
  const { rows: ft } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.id('datastore', res.id)} WHERE "_full_text" @@ plainto_tsquery('abierto_es', 'canar')`.execute(h.db.kysely)
  t.equal(ft[0].n, 1, '_full_text filled after the load, accent-insensitive')
})

t.test('a Latin-1 CSV with ; and decimal commas', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('cantones.csv', fixture('cantones-latin1.csv'))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', JSON.stringify(status.task_info.logs))
  t.ok(
    status.task_info.logs.some((l: any) => /windows-1252/.test(l.message) && /;/.test(l.message)),
    'the detected encoding and delimiter are logged',
  )
  const fields = await describeTable(h.db.kysely, res.id)
  t.same(
    fields?.map((f) => [f.id, f.type]),
    [
      ['Cantón', 'text'],
      ['Año', 'int8'],
      ['Población', 'int8'],
      ['Tasa', 'text'],
    ],
  )
  const rows = await h.rows(res.id)
  t.same(rows[2], { Cantón: 'El Ángel', Año: 2021, Población: 4500, Tasa: '0,5' })
})

t.test('spreadsheets: the first sheet of an XLSX and of an ODS, and an XLSX labelled XLS', async (t) => {
  const h = await loaderApp(t)
  const xlsx = await h.upload('poblacion.xlsx', sharedFixture('two-sheets.xlsx'))
  const mislabelled = await h.upload('poblacion-2.xls', sharedFixture('two-sheets.xlsx'), { format: 'XLS' })
  const ods = await h.upload('datos.ods', sharedFixture('sheet.ods'))
  for (const r of [xlsx, mislabelled, ods]) {
    const status = await h.settled(r.id)
    t.equal(status.status, 'complete', JSON.stringify(status.task_info.logs))
  }
  t.same(
    (await describeTable(h.db.kysely, xlsx.id))?.map((f) => [f.id, f.type]),
    [
      ['Cantón', 'text'],
      ['Fecha', 'timestamp'],
      ['Habitantes', 'int8'],
      ['Índice', 'numeric'],
      ['Hora', 'text'],
      ['Activo', 'text'],
      ['Código', 'text'],
    ],
  )
  const rows = await h.rows(xlsx.id)
  t.equal(rows.length, 4, 'the second sheet is not loaded')
  t.equal(rows[0].Código, '0170')
  t.equal(rows[0].Habitantes, 2800000)
  t.same(await h.rows(mislabelled.id), rows, 'the bytes decide, not the label')
  const odsRows = await h.rows(ods.id)
  t.equal(odsRows.length, 7)
  t.equal(odsRows[0].Provincia, 'Azuay')
  t.equal(odsRows[0].Población, '881394', 'a column with a decimal value elsewhere is numeric (pg returns numeric as text)')
})
