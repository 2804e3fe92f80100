import t from 'tap'
import { testApp, testDatabase } from '../helpers/app.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { addAlias, fillTable, twoDatasets } from './read-fixtures.js'

const COLUMNS = [
  { id: 'nombre', type: 'text' },
  { id: 'edad', type: 'int4' },
  { id: 'monto', type: 'numeric' },
  { id: 'fecha', type: 'timestamp' },
  { id: 'tags', type: '_text' },
  { id: 'extra', type: 'json' },
  { id: 'activo', type: 'bool' },
]

t.test('datastore_search_sql', async (t) => {
  const ta = await testApp(t)
  const { ok, call, db } = ta
  const ds = await twoDatasets(ta)
  await fillTable(db.kysely, ds.pub, COLUMNS, [
    { nombre: 'Cámara', edad: 31, monto: '10.50', fecha: '2020-01-02 03:04:05.5', tags: ['a', 'b "c"', null], extra: { k: 1 }, activo: true },
    { nombre: 'ann', edad: 40, monto: null, fecha: '2021-01-01 00:00:00', tags: null, extra: null, activo: false },
  ])
  await fillTable(db.kysely, ds.priv, [{ id: 'secreto', type: 'text' }], [{ secreto: 'oculto' }])
  await addAlias(db.kysely, ds.pub, 'sql-alias')
  const err = async (sql: unknown, token?: string | null) => {
    const r = await call('datastore_search_sql', sql === undefined ? {} : { sql }, { token })
    return { status: r.statusCode, error: r.json().error }
  }

  const r = await ok('datastore_search_sql', { sql: `SELECT nombre, edad, monto, fecha, tags, extra, activo, length(nombre) AS grito FROM "${ds.pub}" ORDER BY _id` }, { token: null })
  t.equal(r.sql, `SELECT nombre, edad, monto, fecha, tags, extra, activo, length(nombre) AS grito FROM "${ds.pub}" ORDER BY _id`)
  t.same(r.fields, [
    { id: 'nombre', type: 'text' },
    { id: 'edad', type: 'int4' },
    { id: 'monto', type: 'numeric' },
    { id: 'fecha', type: 'timestamp' },
    { id: 'tags', type: '_text' },
    { id: 'extra', type: 'json' },
    { id: 'activo', type: 'bool' },
    { id: 'grito', type: 'int4' },
  ])
  t.same(r.records, [
    { nombre: 'Cámara', edad: 31, monto: 10.5, fecha: '2020-01-02T03:04:05.500000', tags: ['a', 'b "c"', null], extra: { k: 1 }, activo: true, grito: 6 },
    { nombre: 'ann', edad: 40, monto: null, fecha: '2021-01-01T00:00:00', tags: null, extra: null, activo: false, grito: 3 },
  ])
  t.notOk('records_truncated' in r)

  // what a query may contain
  t.same((await ok('datastore_search_sql', { sql: `SELECT count(*) AS n FROM "sql-alias" -- an alias, and a comment` })).records, [{ n: 2 }])
  t.same((await ok('datastore_search_sql', { sql: `SELECT ';' AS s, $$;$$ AS d;` })).records, [{ s: ';', d: ';' }], 'semicolons in strings, a trailing one')
  t.same((await ok('datastore_search_sql', { sql: `SELECT a.nombre FROM "${ds.pub}" a JOIN "${ds.pub}" b USING (_id) WHERE a.edad IN (31) AND a.nombre ILIKE 'c%'` })).records, [{ nombre: 'Cámara' }])
  t.same((await ok('datastore_search_sql', { sql: `SELECT x FROM (VALUES (1), (2)) AS v(x) WHERE x::numeric(4,1) > 1` })).records, [{ x: 2 }], 'alias column lists and type modifiers are not calls')
  const big = await ok('datastore_search_sql', { sql: 'SELECT g FROM generate_series(1, 32001) g' })
  t.equal(big.records_truncated, true)
  t.equal(big.records.length, 32000)
  t.same(big.records.at(-1), { g: 32000 })

  // one statement, a SELECT
  const single = { status: 409, error: { __type: 'Validation Error', query: ['Query is not a single statement.'] } }
  t.same(await err('SELECT 1; SELECT 2'), single)
  t.same(await err(`SELECT 1) AS x; DROP TABLE "${ds.pub}"; SELECT (1`), single)
  t.same(await err("SELECT E'\\''"), single, "CKAN's \\' rule")
  t.same(await err(undefined), { status: 409, error: { __type: 'Validation Error', sql: ['Missing value'] } })
  const del = await err(`DELETE FROM "${ds.pub}"`)
  t.equal(del.status, 409)
  t.match(del.error.query[0], /syntax error/)
  const cte = await err(`WITH d AS (DELETE FROM "${ds.pub}" RETURNING *) SELECT * FROM d`)
  t.equal(cte.status, 409)
  t.equal((await ok('datastore_search', { resource_id: ds.pub })).total, 2, 'nothing was deleted')
  const syntax = await err('SELECT nope FROM')
  t.equal(syntax.status, 409)
  t.notOk(JSON.stringify(syntax.error).includes('blah'), 'the wrapper is not shown')

  // tables outside the DataStore, system catalogs
  const system = { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Not authorized to access system tables' } }
  t.same(await err('SELECT rolname FROM pg_roles'), system)
  t.same(await err('SELECT table_name FROM information_schema.tables'), system)
  const denied = { status: 403, error: { __type: 'Authorization Error', message: 'Access denied: Not authorized to read resource.' } }
  t.same(await err('SELECT * FROM public."user"'), denied)
  t.same(await err('SELECT * FROM public.api_token'), denied)
  t.same(await err('SELECT * FROM pg_catalog.pg_authid'), denied, 'a catalog the role may not read fails in EXPLAIN already')

  // functions
  for (const [sql, name] of [
    ['SELECT pg_sleep(1)', 'pg_sleep'],
    ["SELECT pg_catalog.pg_read_file('/etc/passwd')", 'pg_read_file'],
    ['SELECT "pg_sleep"(0)', 'pg_sleep'],
    [`SELECT (SELECT current_setting('data_directory'))`, 'current_setting'],
    [`SELECT query_to_xml('select * from "${ds.priv}"', true, true, '')`, 'query_to_xml'],
    [`SELECT public.abierto_datastore_tsvector('{}')`, 'abierto_datastore_tsvector'],
    [`SELECT * FROM "${ds.pub}" WHERE nombre = version()`, 'version'],
    ["SELECT lo_import('/etc/passwd')", 'lo_import'],
  ]) {
    t.same(await err(sql), { status: 403, error: { __type: 'Authorization Error', message: `Access denied: Not authorized to call function ${name}` } }, sql)
  }

  // private tables: nobody reads them here, members included (the reader role cannot)
  t.same(await err(`SELECT * FROM "${ds.priv}"`, null), denied)
  t.same(await err(`SELECT * FROM "${ds.priv}"`, ds.outsiderToken), denied)
  t.same(await err(`SELECT * FROM "${ds.priv}"`, ds.memberToken), denied, 'a member is refused too')
  t.same(await err(`SELECT * FROM "${ds.priv}"`), denied, 'and a sysadmin')
  t.same(await err(`SELECT * FROM "${ds.pub}" p, "${ds.priv}" q`), denied, 'joined with a public table')
  await ok('package_patch', { id: 'publico', private: true })
  t.same(await err(`SELECT count(*) FROM "${ds.pub}"`, null), denied, 'a dataset made private closes its table at once')
  t.same(await err(`SELECT count(*) FROM "sql-alias"`, ds.memberToken), denied, 'and its aliases')
  await ok('package_patch', { id: 'publico', private: false })
  t.same((await ok('datastore_search_sql', { sql: `SELECT count(*) AS n FROM "${ds.pub}"` }, { token: null })).records, [{ n: 2 }])
})

t.test('datastore_search_sql: timeout and switch', async (t) => {
  const slow = await testApp(t, { DATASTORE_QUERY_TIMEOUT_MS: '100' })
  const r = await slow.call('datastore_search_sql', { sql: 'SELECT count(*) FROM generate_series(1, 1000000000)' })
  t.equal(r.statusCode, 409)
  t.same(r.json().error, { __type: 'Validation Error', query: ['Query took too long'] })

  const off = await testApp(t, { DATASTORE_SQL_SEARCH: 'false' })
  const o = await off.call('datastore_search_sql', { sql: 'SELECT 1' })
  t.equal(o.statusCode, 400)
  t.equal(o.json(), 'Bad request - Action name not known: datastore_search_sql')
})

t.test('datastore_search_sql without a pool: unavailable, said plainly', async (t) => {
  const db = await testDatabase(t)
  const app = await buildApp({ db: db.kysely, config: loadConfig({ SITE_URL: 'http://test.local', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/abierto-test' }), logger: false, jobWorker: false, indexWorker: false })
  t.teardown(() => app.close())
  const r = await app.inject({ method: 'POST', url: '/api/3/action/datastore_search_sql', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ sql: 'SELECT 1' }) })
  t.equal(r.statusCode, 503)
  t.same(r.json().error, { __type: 'Service Unavailable', message: 'datastore_search_sql is unavailable: no database pool' })
})
