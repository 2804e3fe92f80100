import t from 'tap'
import { testApp } from '../helpers/app.js'
import { addAlias, fillTable, twoDatasets } from './read-fixtures.js'
import { dumpChunks } from '../../src/datastore/dump/stream.js'
import { planSearch } from '../../src/datastore/search/plan.js'
import { tableRef } from '../../src/datastore/table.js'

const COLUMNS = [
  { id: 'nombre', type: 'text', info: { label: 'Nombre' } },
  { id: 'edad', type: 'int4' },
  { id: 'monto', type: 'numeric' },
  { id: 'fecha', type: 'timestamp' },
  { id: 'tags', type: '_text' },
  { id: 'activo', type: 'bool' },
  { id: 'a,b "c"', type: 'text' },
]
const ROWS = [
  { nombre: 'Cámara <de> & Comercio', edad: 31, monto: '10.50', fecha: '2020-01-02 03:04:05.678', tags: ['a', 'b'], activo: true, 'a,b "c"': 'x\ny' },
  { nombre: 'ann', edad: 40, monto: null, fecha: null, tags: null, activo: false, 'a,b "c"': '' },
  { nombre: 'bob', edad: null, monto: '-1.25', fecha: '1999-12-31 23:59:59', tags: [], activo: null, 'a,b "c"': null },
]

t.test('GET /datastore/dump/{id}', async (t) => {
  const ta = await testApp(t)
  const { app, db } = ta
  const ds = await twoDatasets(ta)
  await fillTable(db.kysely, ds.pub, COLUMNS, ROWS)
  await fillTable(db.kysely, ds.priv, [{ id: 'secreto', type: 'text' }], [{ secreto: 'oculto' }])
  const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: token } : {} })

  const csv = await get(`/datastore/dump/${ds.pub}`)
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(csv.headers['content-disposition'], `attachment; filename="${ds.pub}.csv"`)
  t.equal(
    csv.body,
    '_id,nombre,edad,monto,fecha,tags,activo,"a,b ""c"""\r\n' + '1,Cámara <de> & Comercio,31,10.50,2020-01-02T03:04:05,"[""a"",""b""]",t,"x\ny"\n' + '2,ann,40,,,null,f,""\n' + '3,bob,,-1.25,1999-12-31T23:59:59,[],,\n',
    'header as Python writes it, rows as COPY does',
  )

  const bom = await get(`/datastore/dump/${ds.pub}?bom=true&format=tsv&fields=nombre,edad&sort=edad%20desc&limit=2`)
  t.equal(bom.headers['content-type'], 'text/tab-separated-values; charset=utf-8')
  t.equal(bom.headers['content-disposition'], `attachment; filename="${ds.pub}.tsv"`)
  t.equal(bom.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf')
  t.equal(bom.body, '\uFEFFnombre\tedad\r\nbob\t\nann\t40\n', 'fields, sort (nulls first on desc) and limit')

  const json = await get(`/datastore/dump/${ds.pub}?format=json&offset=1`)
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(
    json.body,
    '{\n  "fields": [{"id":"_id","type":"int"},{"id":"nombre","type":"text","info":{"label":"Nombre"}},{"id":"edad","type":"int4"},{"id":"monto","type":"numeric"},{"id":"fecha","type":"timestamp"},{"id":"tags","type":"_text"},{"id":"activo","type":"bool"},{"id":"a,b \\"c\\"","type":"text"}],\n  "records": [' +
      '\n    [2,"ann",40,null,null,null,false,""],' +
      '\n    [3,"bob",null,-1.25,"1999-12-31T23:59:59",[],null,null]' +
      '\n]}\n',
  )
  t.same(JSON.parse(json.body).records.length, 2, 'valid JSON')

  const xml = await get(`/datastore/dump/${ds.pub}?format=xml&fields=_id,nombre,tags,activo,monto&limit=2`)
  t.equal(xml.headers['content-type'], 'text/xml; charset=utf-8')
  t.equal(
    xml.body,
    '<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
      '<row _id="1"><nombre>Cámara &lt;de&gt; &amp; Comercio</nombre><tags><value key="0">a</value><value key="1">b</value></tags><activo>True</activo><monto>10.5</monto></row>\n' +
      '<row _id="2"><nombre>ann</nombre><tags xsi:nil="true" /><activo>False</activo><monto xsi:nil="true" /></row>\n' +
      '</data>\n',
  )

  const q = await get(`/datastore/dump/${ds.pub}?q=camara&fields=_id`)
  t.equal(q.body, '_id\r\n1\n', 'q (accents folded)')
  const filtered = await get(`/datastore/dump/${ds.pub}?filters=${encodeURIComponent(JSON.stringify({ nombre: ['ann', 'bob'] }))}&fields=nombre&format=json`)
  t.same(JSON.parse(filtered.body).records, [['ann'], ['bob']])
  const empty = await get(`/datastore/dump/${ds.pub}?filters=${encodeURIComponent('{"edad": 99}')}&format=json`)
  t.equal(empty.body.endsWith('"records": [\n]}\n'), true, 'no records: the file still closes')
  t.equal((await get(`/datastore/dump/${ds.pub}?filters=${encodeURIComponent('{"edad": 99}')}`)).body, '_id,nombre,edad,monto,fecha,tags,activo,"a,b ""c"""\r\n')

  // an alias dumps its table under its own name
  await addAlias(db.kysely, ds.pub, 'alias-dump')
  const alias = await get('/datastore/dump/alias-dump?fields=_id')
  t.equal(alias.body, '_id\r\n1\n2\n3\n')
  t.equal(alias.headers['content-disposition'], 'attachment; filename="alias-dump.csv"')

  // not found and not authorized look the same
  for (const [url, token] of [
    ['/datastore/dump/nope', undefined],
    [`/datastore/dump/${ds.priv}`, undefined],
    [`/datastore/dump/${ds.priv}`, ds.outsiderToken],
  ] as const) {
    const r = await get(url, token)
    t.equal(r.statusCode, 404, url)
    t.equal(r.body, 'DataStore resource not found')
  }
  t.equal((await get(`/datastore/dump/${ds.priv}`, ds.memberToken)).body, '_id,secreto\r\n1,oculto\n', 'members read the private table')

  // bad parameters: 400 in plain text
  const bad = await get(`/datastore/dump/${ds.pub}?format=pdf&limit=x`)
  t.equal(bad.statusCode, 400)
  t.equal(bad.body, "limit: Invalid integer\nformat: Value must be one of ('csv', 'tsv', 'json', 'xml')")
  const badField = await get(`/datastore/dump/${ds.pub}?fields=nope`)
  t.equal(badField.statusCode, 400)
  t.equal(badField.body, 'fields: invalid value "nope"')
  const badValue = await get(`/datastore/dump/${ds.pub}?filters=${encodeURIComponent('{"edad": "x"}')}`)
  t.equal(badValue.statusCode, 400, 'a value of the wrong type fails before any byte is sent')
  t.match(badValue.body, /^query: /)
  const nul = await get(`/datastore/dump/${ds.pub}?filters=${encodeURIComponent(JSON.stringify({ nombre: 'a\u0000b' }))}`)
  t.equal(nul.statusCode, 400, 'a NUL cannot reach COPY')

  // COPY and the cursor write the same bytes; both leave the pool with its connections
  const plan = planSearch([{ id: '_id', type: 'int' }, ...COLUMNS.map((c) => ({ id: c.id, type: c.type }))], { sort: '_id' })
  const collect = async (withPool: boolean, format: 'csv' | 'tsv') => {
    let out = ''
    for await (const c of dumpChunks({ db: db.kysely, pool: withPool ? db.pool : undefined }, { plan, source: { from: tableRef(ds.pub), fullText: true }, textConfig: 'abierto_es', format, bom: false })) out += c.toString()
    return out
  }
  t.equal(await collect(false, 'csv'), await collect(true, 'csv'))
  t.equal(await collect(false, 'tsv'), await collect(true, 'tsv'))
  // a dump stopped early releases its connection (destroyed mid-COPY, not returned busy)
  const it = dumpChunks({ db: db.kysely, pool: db.pool }, { plan, source: { from: tableRef(ds.pub), fullText: true }, textConfig: 'abierto_es', format: 'csv', bom: false })
  await it.next()
  await it.return(undefined)
  t.equal(db.pool.waitingCount, 0)
  t.equal((await get(`/datastore/dump/${ds.pub}?fields=_id&limit=1`)).body, '_id\r\n1\n', 'the pool still serves')
})
