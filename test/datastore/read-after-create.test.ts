import t from 'tap'
import { testApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'

/** The reads on a table made by datastore_create (CKAN's test_search data): guessed and given types, json, arrays, aliases. */
t.test('datastore_create then every read', async (t) => {
  const ta = await testApp(t)
  const { ok, app } = ta
  await insertGroup(ta.db.kysely, 'org1')
  const ds = await ok('package_create', { name: 'libros', owner_org: 'org1' })
  const created = await ok('datastore_create', {
    resource: { package_id: ds.id },
    aliases: 'books',
    fields: [{ id: 'bük', type: 'text' }, { id: 'author', type: 'text' }, { id: 'published' }, { id: 'characters', type: '_text' }, { id: 'nested', type: 'json' }, { id: 'rating with %' }],
    records: [
      { bük: 'annakarenina', author: 'tolstoy', published: '2005-03-01', nested: ['b', { moo: 'moo' }], characters: ['Princess Anna', 'Sergius'], 'rating with %': '60%' },
      { bük: 'warandpeace', author: 'tolstoy', nested: { a: 'b' }, 'rating with %': '99%' },
    ],
  })
  const rid = created.resource_id as string

  const viaAlias = await ok('datastore_search', { resource_id: 'books' }, { token: null })
  t.equal(viaAlias.resource_id, rid)
  t.same(viaAlias.records, [
    { _id: 1, bük: 'annakarenina', author: 'tolstoy', published: '2005-03-01T00:00:00', characters: ['Princess Anna', 'Sergius'], nested: ['b', { moo: 'moo' }], 'rating with %': '60%' },
    { _id: 2, bük: 'warandpeace', author: 'tolstoy', published: null, characters: null, nested: { a: 'b' }, 'rating with %': '99%' },
  ])
  t.same(
    viaAlias.fields.map((f: any) => f.type),
    ['int', 'text', 'text', 'timestamp', '_text', 'json', 'text'],
  )
  t.same((await ok('datastore_search', { resource_id: rid, q: 'warandpeace', fields: 'bük' })).records, [{ bük: 'warandpeace' }], 'rows written by datastore_create are searchable at once')
  t.same((await ok('datastore_search', { resource_id: rid, filters: { 'rating with %': '60%' }, fields: ['_id'] })).records, [{ _id: 1 }])

  const info = await ok('datastore_info', { id: 'books' })
  t.same(info.meta.aliases, ['books'])
  t.equal(info.meta.count, 2)

  const sqlResult = await ok('datastore_search_sql', { sql: `SELECT "bük", nested FROM books WHERE author = 'tolstoy' ORDER BY _id` }, { token: null })
  t.same(sqlResult.records, [
    { bük: 'annakarenina', nested: ['b', { moo: 'moo' }] },
    { bük: 'warandpeace', nested: { a: 'b' } },
  ])

  const dump = await app.inject({ method: 'GET', url: `/datastore/dump/${rid}` })
  t.equal(
    dump.body,
    '_id,bük,author,published,characters,nested,rating with %\r\n1,annakarenina,tolstoy,2005-03-01T00:00:00,"[""Princess Anna"",""Sergius""]","[""b"",{""moo"":""moo""}]",60%\n2,warandpeace,tolstoy,,null,"{""a"":""b""}",99%\n',
  )

  // the resource deleted: its table and alias go, every read says so
  await ok('resource_delete', { id: rid })
  t.equal((await ta.call('datastore_search', { resource_id: 'books' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `/datastore/dump/${rid}` })).statusCode, 404)
})
