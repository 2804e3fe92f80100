import t from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { testApp } from '../helpers/app.js'
import { corpusRecords, loadCorpus } from '../helpers/corpus.js'
import { loadDocuments } from '../../src/search/load-documents.js'
import { documentFromDict, type IndexDocument } from '../../src/search/document.js'
import { packageDicts } from '../../src/model/package-dict.js'

/**
 * What a citizen types → datasets that must be in the first five results, on the real catalogue
 * (the 200-dataset sample of datos.gob.ar in test/fixtures). Accent-less, plural/singular and misspelt queries included.
 */
const TABLE: Array<[string, string[], string]> = [
  ['estadisticas criminales', ['seguridad-estadisticas-criminales-republica-argentina-por-provincias-para-anos-2014-2015-2016', 'seguridad-estadisticas-criminales-republica-argentina-para-anos-2014-2015-2016'], 'no accents'],
  ['aeropuertos', ['transporte-lista-aeropuertos'], 'exact word'],
  ['aeropuerto', ['transporte-lista-aeropuertos'], 'singular finds plural'],
  ['inflacion', ['sspm-expectativas-inflacion'], 'no accent'],
  ['INFLACIÓN', ['sspm-expectativas-inflacion'], 'upper case'],
  ['escuelas conectadas', ['arsat-escuelas-conectadas'], 'two words'],
  ['exportacion azucar', ['agroindustria-exportaciones-azucar'], 'singular, no accent'],
  ['turizmo internacional', ['sspm-encuesta-turismo-internacional'], 'misspelt'],
  ['poblacon urbana', ['sspm-poblacion-urbana-poblacion-economicamente-activa-ocupados-desocupados-subocupados'], 'misspelt, no accent'],
  ['presupuesto administracion publica', ['otros-credito-gasto-completo-presupuesto-administracion-publica-nacional'], 'three words'],
  ['magistrados', ['justicia-seleccion-magistrados-poder-judicial-ministerio-publico-nacion'], 'word in title'],
  ['delitos codigo penal', ['justicia-codificacion-delitos-codigo-penal-argentino'], 'three words, no accent'],
  ['energia alternativa', ['sspmi-indicadores-sectoriales-energias-alternativas'], 'singular for plural, no accent'],
  ['produccion de petroleo y gas', ['energia-produccion-petroleo-gas'], 'stopwords in the query'],
  ['elecciones 2015', ['otros-resultados-electorales-2015'], 'tag word and a year'],
  ['glaciares', ['ambiente-inventario-nacional-glaciares-ley-n-26639'], 'plural'],
  ['glaciar', ['ambiente-inventario-nacional-glaciares-ley-n-26639'], 'singular'],
  ['barrios populares', ['otros-barrios-populares-argentina'], 'two words'],
]

t.test('Spanish relevance on the real corpus', async (t) => {
  const { ok, db } = await testApp(t)
  const records = corpusRecords()
  await loadCorpus(ok, records)
  const all = await ok('package_search', { rows: 0 })
  t.equal(all.count, records.length, 'every corpus dataset is indexed')
  for (const [q, expected, why] of TABLE) {
    const res = await ok('package_search', { q, rows: 5 }, { token: null })
    const top = res.results.map((r: { name: string }) => r.name)
    for (const name of expected) t.ok(top.includes(name), `"${q}" (${why}) → ${name} in the top 5; got ${top.join(', ')}`)
  }
  // results are the stored package_show dicts
  const one = await ok('package_search', { q: 'name:transporte-lista-aeropuertos' })
  t.same(one.results[0], await ok('package_show', { id: 'transporte-lista-aeropuertos' }), 'search result = package_show')
  // the two ways of building an index document agree on every real dataset
  const ids = (await db.kysely.selectFrom('package').select('id').execute()).map((r) => r.id)
  const fromTables = await loadDocuments(db.kysely, ids)
  const dicts = await packageDicts(db.kysely, ids, 'http://test.local')
  const secs = (d: IndexDocument) => ({ ...d, metadata_created: Date.parse(d.metadata_created), metadata_modified: Date.parse(d.metadata_modified) })
  const byId = new Map(dicts.map((d) => [d.id as string, secs(documentFromDict(d))]))
  const differing = fromTables.filter((d) => !isDeepStrictEqual(secs(d), byId.get(d.id)))
  t.equal(fromTables.length, records.length)
  t.same(
    differing.slice(0, 1).map(secs),
    differing.slice(0, 1).map((d) => byId.get(d.id)),
    'loadDocuments = documentFromDict(package_show) for every corpus dataset',
  )
  t.equal(differing.length, 0, 'no dataset differs')
  const facets = await ok('package_search', { 'facet.field': '["organization","groups","res_format","license_id","tags"]', rows: 0, 'facet.limit': -1 })
  const orgTotal = Object.values(facets.facets.organization as Record<string, number>).reduce((a, b) => a + b, 0)
  t.equal(orgTotal, records.length, 'organization facet covers every dataset once')
})
