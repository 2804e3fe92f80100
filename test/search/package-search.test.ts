import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'

type Result = { count: number; results: Array<Record<string, any>>; facets: Record<string, Record<string, number>>; search_facets: Record<string, any>; sort: string }

async function catalogue(t: Parameters<typeof testApp>[0]): Promise<TestApp & { search(p: Record<string, unknown>, token?: string | null): Promise<Result>; names(p: Record<string, unknown>): Promise<string[]> }> {
  const app = await testApp(t)
  await app.ok('organization_create', { name: 'min-educacion', title: 'Ministerio de Educación' })
  await app.ok('organization_create', { name: 'indec', title: 'Instituto Nacional de Estadística' })
  await app.ok('group_create', { name: 'sociedad', title: 'Población y sociedad' })
  const ds = (name: string, title: string, extra: Record<string, unknown>) => app.ok('package_create', { name, title, owner_org: 'min-educacion', ...extra })
  await ds('presupuesto-educacion', 'Presupuesto de Educación 2024', {
    notes: 'Gastos ejecutados por jurisdicción.',
    tags: [{ name: 'educación' }, { name: 'presupuesto' }],
    resources: [{ url: 'http://x.org/p.csv', format: 'CSV', name: 'Ejecución mensual' }],
    license_id: 'cc-by',
    extras: [{ key: 'frecuencia', value: 'mensual' }],
  })
  await ds('poblacion-provincia', 'Población por provincia', {
    owner_org: 'indec',
    notes: 'Censo nacional de hogares y viviendas.',
    tags: [{ name: 'censo' }, { name: 'población' }],
    resources: [
      { url: 'http://x.org/a.xlsx', format: 'XLSX' },
      { url: 'http://x.org/b.csv', format: 'CSV' },
    ],
    groups: [{ name: 'sociedad' }],
    license_id: 'odc-odbl',
  })
  await ds('calidad-agua', 'Water quality in rivers', { notes: 'Monitoring stations, flooding events.', tags: [{ name: 'water' }], resources: [{ url: 'http://x.org/w.json', format: 'JSON' }] })
  await ds('escuelas', 'Establecimientos educativos', { notes: 'Padrón oficial de escuelas.', tags: [{ name: 'educación' }, { name: 'escuelas' }], license_id: 'cc-by' })
  await ds('salarios-docentes', 'Salarios docentes', { private: true, tags: [{ name: 'educación' }] })
  const search = async (p: Record<string, unknown>, token?: string | null) => app.ok('package_search', p, token === undefined ? undefined : { token }) as Promise<Result>
  const names = async (p: Record<string, unknown>) => (await search(p)).results.map((r) => r.name as string)
  return { ...app, search, names }
}

t.test('full text in Spanish: accents, plurals, typos, English words, ranking', async (t) => {
  const c = await catalogue(t)
  const edu = await c.names({ q: 'educacion' })
  t.ok(edu.includes('presupuesto-educacion') && edu.includes('escuelas'), 'accent-less "educacion" finds "Educación" (title and tag)')
  t.equal(edu[0], 'presupuesto-educacion', 'the title match ranks first')
  t.notOk(edu.includes('salarios-docentes'), 'private dataset not in a default search')
  t.same(await c.names({ q: 'presupuestos' }), ['presupuesto-educacion'], 'plural finds singular (Spanish stemming)')
  t.same(await c.names({ q: 'poblacon' }), ['poblacion-provincia'], 'typo "poblacon" finds "Población"')
  t.same(await c.names({ q: 'POBLACIÓN provincia' }), ['poblacion-provincia'], 'case and accents do not matter; two words both required')
  t.same(await c.names({ q: 'rivers' }), ['calidad-agua'], 'English words match as typed')
  t.same(await c.names({ q: 'flooding' }), ['calidad-agua'], 'words from the description match')
  t.same(await c.names({ q: 'mensual' }), ['presupuesto-educacion'], 'resource names and extras are searchable')
  const three = await c.names({ q: 'padrón escuelas inexistente' })
  t.same(three, ['escuelas'], 'three words: all but one must match (CKAN mm)')
  t.same(await c.names({ q: 'zzzzqqq' }), [], 'nonsense finds nothing')
  t.same(await c.names({ q: 'de' }), [], 'a lone stopword matches nothing rather than everything')
  t.same(await c.names({ q: '"Presupuesto de Educación"' }), ['presupuesto-educacion'], 'phrase')
  t.same(await c.names({ q: '"Educación de Presupuesto"' }), [], 'phrase keeps word order')
  t.same(await c.names({ q: 'escuelas -padrón' }), [], 'a -word excludes')
})

t.test('Solr field syntax in q and fq', async (t) => {
  const c = await catalogue(t)
  const sorted = async (p: Record<string, unknown>) => (await c.names({ rows: 100, ...p })).sort()
  t.same(await sorted({ q: 'tags:educación' }), ['escuelas', 'presupuesto-educacion'], 'exact tag')
  t.same(await sorted({ q: 'tags:educacion' }), [], 'tags are exact (as in CKAN): no accent folding there')
  t.same(await sorted({ fq: 'res_format:CSV' }), ['poblacion-provincia', 'presupuesto-educacion'], 'res_format')
  t.same(await sorted({ fq: 'organization:indec' }), ['poblacion-provincia'], 'organization by name')
  t.same(await sorted({ fq: 'organization:indec OR tags:water' }), ['calidad-agua', 'poblacion-provincia'], 'OR in fq filters as one group')
  t.same(await sorted({ fq: '-organization:min-educacion' }), ['poblacion-provincia'], 'negative fq')
  t.same(await sorted({ q: 'tags:educación AND NOT name:escuelas' }), ['presupuesto-educacion'], 'AND NOT')
  t.same(await sorted({ q: '+tags:educación -res_format:CSV' }), ['escuelas'], '+/- prefixes')
  t.same(await sorted({ q: 'tags:(censo OR water)' }), ['calidad-agua', 'poblacion-provincia'], 'field grouping')
  t.same(await sorted({ q: 'name:pres*' }), ['presupuesto-educacion'], 'wildcard on name')
  t.same(await sorted({ q: 'title:"quality in rivers"' }), ['calidad-agua'], 'title phrase')
  t.same(await sorted({ q: 'title:educación' }), ['presupuesto-educacion'], 'title field only (not tags)')
  t.same(await sorted({ q: 'num_resources:[2 TO *]' }), ['poblacion-provincia'], 'integer range')
  t.same(await sorted({ q: 'num_resources:{1 TO *]' }), ['poblacion-provincia'], 'exclusive lower bound')
  t.equal((await sorted({ q: 'metadata_modified:[NOW-1DAY TO NOW+1DAY]' })).length, 4, 'date math range')
  t.same(await sorted({ q: 'metadata_modified:[* TO 2000-01-01T00:00:00Z]' }), [], 'date range before everything')
  t.same(await sorted({ fq: 'metadata_modified:[2020-05-01T09:00:00.123456Z TO *]', q: 'groups:sociedad' }), ['poblacion-provincia'], 'harvester fraction-second date and groups')
  t.same(await sorted({ q: 'license_id:cc-by' }), ['escuelas', 'presupuesto-educacion'], 'license_id')
  t.same(await sorted({ q: 'frecuencia:mensual' }), ['presupuesto-educacion'], 'bare extra key matches the extra exactly')
  t.same(await sorted({ q: 'extras_frecuencia:MENSUAL' }), ['presupuesto-educacion'], 'extras_<key> is a text field')
  t.same(await sorted({ q: 'no_such_field:x' }), [], 'unknown field matches nothing, no error')
  t.same(await sorted({ q: '*:*', fq_list: ['tags:educación', 'res_format:CSV'] }), ['presupuesto-educacion'], 'fq_list items all apply')
  t.same(await sorted({ q: 'capacity:public AND dataset_type:dataset AND state:active', fq: 'site_id:default' }), ['calidad-agua', 'escuelas', 'poblacion-provincia', 'presupuesto-educacion'], 'capacity, dataset_type, state, site_id')
  t.same(await sorted({ q: 'id:' + (await c.ok('package_show', { id: 'escuelas' })).id }), ['escuelas'], 'id')
})

t.test('result shape, facets, sort and paging', async (t) => {
  const c = await catalogue(t)
  const r = await c.search({ q: '*:*', 'facet.field': '["organization","tags","res_format","license_id","groups"]' })
  t.same(Object.keys(r), ['count', 'facets', 'results', 'sort', 'search_facets'], 'CKAN key order')
  t.equal(r.count, 4)
  t.equal(r.sort, 'score desc, metadata_modified desc', 'default sort echoed')
  t.same(
    r.results.map((x) => x.name),
    ['escuelas', 'calidad-agua', 'poblacion-provincia', 'presupuesto-educacion'],
    '*:* sorted by metadata_modified desc',
  )
  const shown = await c.ok('package_show', { id: 'poblacion-provincia' })
  t.same(
    r.results.find((x) => x.name === 'poblacion-provincia'),
    shown,
    'results are package_show dicts',
  )
  t.same(r.facets.organization, { 'min-educacion': 3, indec: 1 }, 'organization facet (count desc)')
  t.same(r.facets.tags['educación'], 2, 'private dataset not counted')
  t.same(r.facets.res_format, { CSV: 2, XLSX: 1, JSON: 1 }, 'res_format facet')
  t.same(
    r.search_facets.organization,
    {
      title: 'organization',
      items: [
        { name: 'indec', display_name: 'Instituto Nacional de Estadística', count: 1 },
        { name: 'min-educacion', display_name: 'Ministerio de Educación', count: 3 },
      ].sort((a, b) => (a.display_name < b.display_name ? 1 : -1)),
    },
    'search_facets: titles as display_name, sorted by display_name desc',
  )
  t.equal(r.search_facets.license_id.items.find((i: any) => i.name === 'cc-by')?.display_name, 'Creative Commons Attribution', 'license title as display_name')
  t.same(r.search_facets.groups.items, [{ name: 'sociedad', display_name: 'Población y sociedad', count: 1 }], 'groups facet')

  const limited = await c.search({ 'facet.field': ['tags'], 'facet.limit': 1 })
  t.same(limited.facets.tags, { educación: 2 }, 'facet.limit keeps the top value')
  const min2 = await c.search({ 'facet.field': ['tags'], 'facet.mincount': 2 })
  t.same(min2.facets.tags, { educación: 2 }, 'facet.mincount')
  const off = await c.search({ 'facet.field': ['tags'], facet: 'false' })
  t.same([off.facets, off.search_facets], [{}, {}], 'facet=false')
  const none = await c.search({ q: 'zzzz' })
  t.same(none, { count: 0, facets: {}, results: [], sort: 'score desc, metadata_modified desc', search_facets: {} }, 'empty result shape')

  t.same(await c.names({ sort: 'name asc' }), ['calidad-agua', 'escuelas', 'poblacion-provincia', 'presupuesto-educacion'], 'sort name asc')
  t.same(await c.names({ sort: 'title_string desc' }), ['calidad-agua', 'presupuesto-educacion', 'poblacion-provincia', 'escuelas'], 'sort title_string desc')
  t.same(await c.names({ sort: 'metadata_created asc' }), ['presupuesto-educacion', 'poblacion-provincia', 'calidad-agua', 'escuelas'], 'sort metadata_created asc')
  t.same(await c.names({ sort: 'num_resources desc, name asc' }), ['poblacion-provincia', 'calidad-agua', 'presupuesto-educacion', 'escuelas'], 'two sort keys')
  const page = [...(await c.names({ sort: 'name asc', rows: 2 })), ...(await c.names({ sort: 'name asc', rows: 2, start: 2 }))]
  t.same(page, ['calidad-agua', 'escuelas', 'poblacion-provincia', 'presupuesto-educacion'], 'rows/start paging')
  const zero = await c.search({ rows: 0, 'facet.field': '["tags"]' })
  t.same([zero.count, zero.results.length, zero.facets.tags.censo], [4, 0, 1], 'rows=0: count and facets only')
  t.equal((await c.search({ rows: 5000 })).results.length, 4, 'rows above the max is clamped, not an error')

  const fl = await c.search({ q: 'name:escuelas', fl: 'id,name,extras_none,metadata_modified' })
  t.same(Object.keys(fl.results[0]).sort(), ['id', 'metadata_modified', 'name'], 'fl returns only the asked fields')
  t.match(fl.results[0].metadata_modified, /Z$/, 'fl dates in Solr form')
  // fields of the dataset's row are read without building dicts: same values as the dict path
  const rowOnly = await c.search({ q: '*:*', sort: 'name asc', rows: 50, fl: 'id name metadata_created metadata_modified' })
  const viaDicts = await c.search({ q: '*:*', sort: 'name asc', rows: 50, fl: 'id name metadata_created metadata_modified title' })
  t.ok(rowOnly.results.length > 3)
  t.same(
    rowOnly.results,
    viaDicts.results.map(({ title: _title, ...rest }: Record<string, unknown>) => rest),
    'the row-field path answers what the dict path answers',
  )
  const flExtra = await c.search({ q: 'name:presupuesto-educacion', fl: ['name', 'extras_frecuencia'] })
  t.same(flExtra.results[0], { name: 'presupuesto-educacion', frecuencia: 'mensual' }, 'extras_<key> comes back as <key>')

  const viaGet = await c.app.inject({ method: 'GET', url: `/api/3/action/package_search?q=${encodeURIComponent('tags:educación')}&facet.field=${encodeURIComponent('["tags"]')}&rows=1` })
  t.equal(viaGet.statusCode, 200)
  t.same([viaGet.json().result.count, viaGet.json().result.results.length], [2, 1], 'GET with query string')
})

t.test('errors are CKAN errors, never 500s', async (t) => {
  const c = await catalogue(t)
  const err = async (p: Record<string, unknown>) => {
    const res = await c.call('package_search', p)
    return { status: res.statusCode, error: res.json().error }
  }
  t.same(await err({ rows: 'abc' }), { status: 409, error: { __type: 'Validation Error', rows: ['Invalid integer'] } })
  t.same(await err({ start: -5 }), { status: 409, error: { __type: 'Validation Error', start: ['Must be a natural number'] } })
  t.same(await err({ 'facet.field': 'notjson' }), { status: 409, error: { __type: 'Validation Error', 'facet.field': ['Could not parse as valid JSON'] } })
  t.same(await err({ 'facet.field': '"tags"' }), { status: 409, error: { __type: 'Validation Error', 'facet.field': ['Not a list'] } })
  t.same(await err({ foo: '1' }), { status: 400, error: { __type: 'Search Query Error', message: `Search Query is invalid: "Invalid search parameters: ['foo']"` } })
  t.same(await err({ sort: 'metadata_modified' }), { status: 400, error: { __type: 'Search Query Error', message: `Search Query is invalid: 'Invalid "sort" parameter'` } })
  const multi = await err({ sort: 'tags asc' })
  t.same([multi.status, multi.error.__type], [409, 'Search Error'], 'sort on a multi-valued field')
  t.same(await err({ q: '{!child of=x}y' }), { status: 409, error: { __type: 'Search Error', message: `Search error: "Local parameters are not supported in param 'q'."` } })
  for (const q of ['title:(agua', 'title:"agua', 'tags:', 'title:a AND', 'num_resources:[1 TO]']) {
    const e = await err({ q })
    t.same([e.status, e.error.__type], [400, 'Search Query Error'], `unparseable q ${q}`)
  }
  const badDate = await err({ q: 'metadata_modified:[ayer TO *]' })
  t.same([badDate.status, badDate.error.__type], [409, 'Search Error'], 'bad date in a range')
  const badInt = await err({ q: 'num_resources:[uno TO *]' })
  t.same([badInt.status, badInt.error.__type], [409, 'Search Error'], 'bad number in a range')
})

t.test('read-your-writes: every write is searchable when its request returns', async (t) => {
  const c = await catalogue(t)
  await c.ok('package_patch', { id: 'escuelas', title: 'Escuelas rurales del país' })
  t.same(await c.names({ q: 'rurales' }), ['escuelas'], 'update visible at once')
  await c.ok('resource_create', { package_id: 'escuelas', url: 'http://x.org/e.geojson', format: 'GeoJSON' })
  t.same(await c.names({ fq: 'res_format:GeoJSON' }), ['escuelas'], 'resource_create reindexes its dataset')
  await c.ok('member_create', { id: 'sociedad', object: 'escuelas', object_type: 'package', capacity: 'public' })
  t.same((await c.names({ fq: 'groups:sociedad' })).sort(), ['escuelas', 'poblacion-provincia'], 'adding a dataset to a group reindexes it')
  await c.ok('organization_patch', { id: 'min-educacion', title: 'Ministerio de Capital Humano' })
  const r = await c.search({ q: 'name:escuelas' })
  t.equal(r.results[0].organization.title, 'Ministerio de Capital Humano', 'an organization rename reaches the stored dicts of its datasets')
  t.same(await c.names({ q: 'humano' }), await c.names({ fq: 'organization:min-educacion', rows: 50 }), 'and its datasets are found by the new title')
  await c.ok('package_delete', { id: 'escuelas' })
  t.same(await c.names({ q: 'rurales' }), [], 'deleted dataset leaves the default search')
  t.same(
    (await c.search({ q: 'rurales', include_deleted: true })).results.map((x) => x.state),
    ['deleted'],
    'sysadmin finds it with include_deleted',
  )
  await c.ok('dataset_purge', { id: 'escuelas' })
  t.equal((await c.search({ q: 'rurales', include_deleted: true })).count, 0, 'purged dataset is gone from the index')
  await c.ok('bulk_update_private', { datasets: [(await c.ok('package_show', { id: 'calidad-agua' })).id], org_id: 'min-educacion' })
  t.same(await c.names({ q: 'rivers' }), [], 'bulk_update_private hides from anonymous default search')
  t.same(await c.names({ q: 'rivers', include_private: true }), ['calidad-agua'], 'sysadmin sees it with include_private')
})
