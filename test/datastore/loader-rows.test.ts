import t from 'tap'
import { sql } from 'kysely'
import { describeTable } from '../../src/datastore/fields.js'
import { fixture, loaderApp } from './loader-helpers.js'

const messages = (status: any): string[] => status.task_info.logs.map((l: any) => l.message)

t.test('a ragged CSV with blank lines: short rows padded with NULL, a trailing delimiter adds no column', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('ragged.csv', fixture('ragged.csv'))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', messages(status).join('\n'))
  t.same(await h.rows(res.id), [
    { a: 1, b: 2, c: 3 },
    { a: 4, b: 5, c: null },
    { a: 6, b: 7, c: 8 },
    { a: 9, b: null, c: null },
  ])
})

t.test('a TSV', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('simple.tsv', fixture('simple.tsv'), { format: 'TSV' })
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', messages(status).join('\n'))
  t.same(await h.rows(res.id), [
    { nombre: 'uno', valor: 1 },
    { nombre: 'dos', valor: 2 },
  ])
})

t.test('a value past the sample that does not fit its column: the column becomes text and the load is redone', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('late.csv', fixture('late-text.csv'))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', messages(status).join('\n'))
  t.ok(
    messages(status).some((m) => /^Column "cantidad" has a value that is not int8 .*loading it as text$/.test(m)),
    'the widening is logged',
  )
  const fields = await describeTable(h.db.kysely, res.id)
  t.same(
    fields?.map((f) => [f.id, f.type]),
    [
      ['id', 'int8'],
      ['cantidad', 'text'],
      ['nota', 'text'],
    ],
  )
  const rows = await h.rows(res.id)
  t.equal(rows.length, 6002, 'every row loaded')
  t.same(rows[6000], { id: 6001, cantidad: 'no disponible', nota: 'fila 6001' })
  t.same(rows[0], { id: 1, cantidad: '10', nota: 'fila 1' })
})

t.test('a short row past the sample: Postgres refuses the file as it is, the rows are parsed in Node instead', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('short.csv', fixture('late-short.csv'))
  const status = await h.settled(res.id)
  t.equal(status.status, 'complete', messages(status).join('\n'))
  t.ok(
    messages(status).some((m) => /could not read the file as it is.*parsing it here instead/.test(m)),
    'the fallback is logged',
  )
  const rows = await h.rows(res.id)
  t.equal(rows.length, 5503)
  t.same(rows[5501], { id: 5502, nombre: 'corta', valor: null })
})

t.test('a failed load leaves the previous table and datastore_active as they were; an unchanged file is not loaded again', async (t) => {
  const h = await loaderApp(t)
  const res = await h.upload('datos.csv', fixture('ragged.csv'))
  t.equal((await h.settled(res.id)).status, 'complete')
  const before = await h.rows(res.id)

  await h.reupload(res.id, 'datos.csv', fixture('extra-cell.csv'))
  const failed = await h.settled(res.id)
  t.equal(failed.status, 'error')
  t.same(failed.error, { message: 'Row 5502 has a value in column 3 but the header has only 2 columns' })
  t.same(failed.task_info.error, failed.error)
  t.match(messages(failed).at(-1), /^xloader error: Row 5502 has a value/)
  t.same(await h.rows(res.id), before, 'the previous rows are still there')
  t.equal((await h.ok('resource_show', { id: res.id })).datastore_active, true)

  await h.reupload(res.id, 'datos.csv', fixture('empty.csv'))
  t.same((await h.settled(res.id)).error, { message: 'The file is empty' })
  t.same(await h.rows(res.id), before)

  // the same bytes as the loaded table: nothing to do, unless asked
  await h.reupload(res.id, 'datos.csv', fixture('ragged.csv'))
  t.equal((await h.settled(res.id)).status, 'complete')
  t.equal(await h.ok('xloader_submit', { resource_id: res.id }), true)
  const skipped = await h.settled(res.id)
  t.ok(
    messages(skipped).some((m) => /^Ignoring resource - the file hash hasn't changed/.test(m)),
    messages(skipped).join('\n'),
  )
  t.equal(await h.ok('xloader_submit', { resource_id: res.id, ignore_hash: true }), true)
  const forced = await h.settled(res.id)
  t.ok(messages(forced).some((m) => /^Data now available to users: 4 rows$/.test(m)))
  const { rows: named } = await sql<{ pkey: string; seq: string }>`
    SELECT (SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid WHERE k.conrelid = ${`datastore."${res.id}"`}::regclass AND k.contype = 'p') AS pkey,
           pg_get_serial_sequence(${`datastore."${res.id}"`}, '_id') AS seq`.execute(h.db.kysely)
  t.same(named[0], { pkey: `${res.id}_pkey`, seq: `datastore."${res.id}__id_seq"` }, 'the key and sequence are named after the table, not the staging table, load after load')
})
