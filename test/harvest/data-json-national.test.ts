import t, { type Test } from 'tap'
import http from 'node:http'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { parseDataJsonPage } from '../../src/dcat/data-json/read.js'
import { testApp, type TestApp } from '../helpers/app.js'
import { createSource, jobReport, startJob, LOCAL_REMOTES } from './harvest-helpers.js'
import { dataJsonErrors } from '../dcat/data-json-schema.js'
import { freePort } from '../../scripts/lib/server-process.js'

/**
 * A national catalog's data.json (Argentina's profile: themeTaxonomy, superTheme, licence titles,
 * publishers with mbox, distributions with fileName and field lists), parsed and harvested, compared
 * field by field.
 */

type Dict = Record<string, any>

const FIXTURE = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/dcat/data-json-national.json'), 'utf8')

/** Every key of `expected` equal in `actual`, and no other key in `actual`. */
function sameFields(t: Test, actual: Dict, expected: Dict, what: string): void {
  t.same(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: the same fields`)
  for (const [k, v] of Object.entries(expected)) t.same(actual[k], v, `${what}: ${k}`)
}

function extrasOf(dict: Dict): Dict {
  return Object.fromEntries((dict.extras as { key: string; value: string }[]).map((e) => [e.key, e.value]))
}

const EXTRAS_1 = {
  issued: '2017-03-01T09:15:00-03:00',
  modified: '2024-01-31T18:40:12.512300-03:00',
  identifier: 'es-sur-1',
  publisher_name: 'Secretaría de Energía del Sur. Dirección de Estadísticas Energéticas',
  publisher_email: 'estadisticas@energiasur.example.org',
  language: '["spa"]',
  theme: '["generacion", "precios"]',
  superTheme: '["ENER"]',
  source: 'Partes diarios de despacho del operador regional',
  frequency: 'R/P1M',
  spatial_text: 'ARG',
  temporal_start: '2015-01-01',
  temporal_end: '2023-12-31',
  guid: 'es-sur-1',
}

const FIELDS_1 = {
  title: 'Generación mensual por central eléctrica',
  notes: 'Energía generada cada mes por cada central del sistema austral, en MWh, con su tecnología y combustible.',
  url: 'https://energiasur.example.org/generacion',
  tags: [{ name: 'generación' }, { name: 'centrales' }, { name: 'MWh' }],
  maintainer: 'Mesa de Datos Energéticos',
  maintainer_email: 'mesa.datos@energiasur.example.org',
  author: 'Secretaría de Energía del Sur. Dirección de Estadísticas Energéticas',
  author_email: 'estadisticas@energiasur.example.org',
  license_id: 'cc-by',
}

const RESOURCE_1_1 = {
  name: 'Generación mensual 2015-2023',
  description: 'Una fila por central y mes.',
  download_url: 'https://energiasur.example.org/archivos/generacion-mensual.csv',
  access_url: 'https://energiasur.example.org/generacion/mensual',
  url: 'https://energiasur.example.org/archivos/generacion-mensual.csv',
  mimetype: 'text/csv',
  format: 'CSV',
  size: 482113,
  issued: '2017-03-01T09:15:00-03:00',
  modified: '2024-01-31T18:40:12-03:00',
  rights: 'Uso libre citando la fuente.',
  license: 'cc-by',
  identifier: 'es-sur-1.1',
  fileName: 'generacion-mensual.csv',
}

t.test('parsing: every field of the national profile lands in a CKAN field or extra', async (t) => {
  const page = parseDataJsonPage(FIXTURE, { sourceUrl: 'https://energiasur.example.org/data.json' })
  t.same(page.errors, [])
  t.same(
    page.datasets.map((d) => d.guid),
    ['es-sur-1', 'es-sur-2', 'es-sur-3', 'es-sur-4'],
  )
  const [d1, d2, d3, d4] = page.datasets.map((d) => d.dict as Dict)
  sameFields(t, d1, { ...FIELDS_1, extras: d1.extras, resources: d1.resources }, 'dataset 1')
  sameFields(t, extrasOf(d1), EXTRAS_1, 'dataset 1 extras')
  const [r11, r12] = d1.resources as Dict[]
  sameFields(t, r11, { ...RESOURCE_1_1, attributesDescription: r11.attributesDescription }, 'resource 1.1')
  t.same(JSON.parse(r11.attributesDescription), JSON.parse(FIXTURE).dataset[0].distribution[0].field, 'the field list, unchanged')
  sameFields(
    t,
    r12,
    {
      name: 'Centrales del sistema austral',
      access_url: 'https://energiasur.example.org/generacion/centrales',
      url: 'https://energiasur.example.org/generacion/centrales',
      mimetype: 'application/zip',
      format: 'ZIP',
      identifier: 'es-sur-1.2',
    },
    'resource 1.2',
  )

  // the stored record carries the taxonomy entries of its themes, and only those
  t.same(JSON.parse(page.datasets[0].content).themeTaxonomy, [
    { id: 'generacion', label: 'Generación eléctrica', description: 'Producción de energía eléctrica por central, tecnología y combustible.' },
    { id: 'precios', label: 'Precios y tarifas', description: 'Precios mayoristas, tarifas a usuarios finales y subsidios.' },
  ])
  t.notOk('themeTaxonomy' in JSON.parse(page.datasets[3].content), 'no themes, no taxonomy entries')

  t.equal(d2.license_id, 'odc-odbl', 'licence by its register title')
  t.equal(extrasOf(d2).license, undefined, 'a recognised licence is not kept as an extra too')
  t.equal(extrasOf(d2).superTheme, '["ECON", "ENER"]')
  t.equal(d2.maintainer, 'Ente Regulador de la Energía Austral', 'no contact point: the publisher is the maintainer')
  t.equal(d2.maintainer_email, 'contacto@ente.example.org')
  t.equal(d2.author, 'Ente Regulador de la Energía Austral')
  t.equal(d2.url, undefined)

  t.equal(d3.license_id, '', 'a versioned title is not the register title')
  t.equal(extrasOf(d3).license, 'Creative Commons Attribution 4.0 Internacional', 'an unknown licence is kept as an extra')
  t.equal(d3.maintainer_email, 'estadisticas@energiasur.example.org', 'mailto: dropped')
  t.equal(d3.author_email, undefined, 'a publisher without mbox gives no author_email')
  t.same(d3.tags, [], 'no keyword, no tag')

  t.equal(d4.license_id, 'notspecified')
  const spanish = parseDataJsonPage(JSON.stringify([{ title: 'x', identifier: 'x', license: 'No se especificó la licencia' }]), { sourceUrl: 'x' })
  t.equal(spanish.datasets[0].dict.license_id, 'notspecified', "Portal Andino's Spanish title")
  t.equal(d4.author, 'Consultora Redes del Sur', 'the creator is the author')
  t.equal(d4.maintainer, 'Ente Regulador de la Energía Austral')
  t.equal(extrasOf(d4).creator_name, 'Consultora Redes del Sur')
  t.equal(extrasOf(d4).frequency, 'eventual')
  t.same(d4.resources, [])
})

t.test('a record read back alone (the import stage) gives the same dict and guid', async (t) => {
  const page = parseDataJsonPage(FIXTURE, { sourceUrl: 'x' })
  for (const d of page.datasets) {
    const again = parseDataJsonPage(`[${d.content}]`, { sourceUrl: 'x' }).datasets[0]
    t.same(again.dict, d.dict, d.guid)
  }
  // without an identifier the guid is a hash of the record: the taxonomy entries stored with it must not change it
  const doc = JSON.parse(FIXTURE)
  delete doc.dataset[0].identifier
  const first = parseDataJsonPage(JSON.stringify(doc), { sourceUrl: 'x' }).datasets[0]
  const back = parseDataJsonPage(`[${first.content}]`, { sourceUrl: 'x' }).datasets[0]
  t.ok(JSON.parse(first.content).themeTaxonomy, 'stored with taxonomy entries')
  t.equal(back.guid, first.guid)
})

async function serve(t: Test, body: string | (() => string)): Promise<string> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(typeof body === 'string' ? body : body())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function harvest(t: Test, app: TestApp, url: string, config?: Dict): Promise<string> {
  const source = await createSource(app, { name: `fuente-${Object.keys(config ?? {}).join('-') || 'simple'}`, url, source_type: 'dcat_json', owner_org: 'espejo', ...(config ? { config: JSON.stringify(config) } : {}) })
  const job = await startJob(app, source)
  await app.app.harvest.runInline(job)
  const report = await jobReport(app, job)
  t.same(report.gatherErrors, [], 'no gather error')
  t.same(report.objectErrors, [], 'no object error')
  return job
}

/** The dataset harvested from `guid` (searched by the extra: package_search has no extras field to filter on). */
async function byGuid(app: TestApp, guid: string, sourceId?: string): Promise<Dict> {
  const all = await app.ok<Dict>('package_search', { q: '*:*', rows: 100, ...(sourceId ? { fq: `harvest_source_id:"${sourceId}"` } : {}) })
  const found = (all.results as Dict[]).filter((d) => extrasOf(d).guid === guid)
  if (found.length !== 1) throw new Error(`${found.length} datasets with guid ${guid}`)
  return app.ok('package_show', { id: found[0].id })
}

/**
 * Our /data.json after harvesting the fixture: schema-valid, and every field the two profiles share
 * comes out as it came in. The differences are the schema's: licences are URLs, an `eventual`
 * frequency is no ISO 8601 interval, a missing contact point is filled from the publisher.
 */
async function publishedAgain(t: Test, app: TestApp): Promise<void> {
  const res = await app.app.inject({ method: 'GET', url: '/data.json' })
  t.equal(res.statusCode, 200)
  const catalog = res.json()
  t.same(dataJsonErrors(catalog), [], 'valid against the non-federal DCAT-US 1.1 schema')
  const out = new Map((catalog.dataset as Dict[]).map((d) => [d.identifier, d]))
  for (const src of JSON.parse(FIXTURE).dataset as Dict[]) {
    const got = out.get(src.identifier)
    if (!got) {
      t.fail(`${src.identifier} published`)
      continue
    }
    const at = `published ${src.identifier}`
    for (const k of ['title', 'description', 'landingPage', 'issued', 'modified', 'language', 'theme', 'superTheme', 'temporal', 'spatial', 'source']) t.same(got[k], src[k], `${at}: ${k}`)
    // CKAN keeps tags sorted
    t.same(got.keyword?.slice().sort(), src.keyword ? [...new Set(src.keyword)].sort() : undefined, `${at}: keyword`)
    t.same(got.publisher, { '@type': 'org:Organization', name: src.publisher.name, ...(src.publisher.mbox ? { mbox: src.publisher.mbox } : {}) }, `${at}: publisher`)
    const contact = src.contactPoint ?? { fn: src.publisher.name, hasEmail: src.publisher.mbox }
    t.same(got.contactPoint, { '@type': 'vcard:Contact', fn: contact.fn, hasEmail: `mailto:${String(contact.hasEmail).replace(/^mailto:/, '')}` }, `${at}: contactPoint`)
    t.equal(got.accrualPeriodicity, src.accrualPeriodicity === 'eventual' ? undefined : src.accrualPeriodicity, `${at}: accrualPeriodicity`)
    t.equal(got.accessLevel, 'public')
    const dists = (src.distribution ?? []) as Dict[]
    t.equal((got.distribution ?? []).length, dists.length, `${at}: distributions`)
    for (const sd of dists) {
      const gd = (got.distribution as Dict[]).find((d) => d.identifier === sd.identifier)
      if (!gd) {
        t.fail(`${at}: distribution ${sd.identifier}`)
        continue
      }
      const keys = ['title', 'description', 'downloadURL', 'accessURL', 'mediaType', 'format', 'fileName', 'byteSize', 'issued', 'modified', 'rights', 'field']
      for (const k of keys) t.same(gd[k], sd[k], `${at} ${sd.identifier}: ${k}`)
    }
  }
  // the groups the harvest made or mapped, with the taxonomy's labels; the local group keeps its own
  t.same(catalog.themeTaxonomy, [
    { id: 'generacion', label: 'Generación eléctrica', description: 'Producción de energía eléctrica por central, tecnología y combustible.' },
    { id: 'hidrocarburos', label: 'Hidrocarburos', description: 'Producción, reservas y refinación de petróleo y gas.' },
    { id: 'precios', label: 'Precios (local)', description: '' },
    { id: 'yacimientos', label: 'yacimientos', description: '' },
  ])
  const d1 = out.get('es-sur-1') as Dict
  t.equal(d1.license, 'http://www.opendefinition.org/licenses/cc-by', 'the licence title comes out as its URL')
  t.equal(d1.distribution[0].license, 'http://www.opendefinition.org/licenses/cc-by')
  t.equal(out.get('es-sur-3')?.license, undefined, 'a licence known only by an unregistered title has no URL to give')
}

t.test('harvest with remote_groups and remote_orgs "create": groups from the taxonomy, organizations from the publishers', async (t) => {
  const app = await testApp(t, LOCAL_REMOTES)
  await app.ok('organization_create', { name: 'espejo', title: 'Espejo' })
  // a local group already named as a theme id: used, not duplicated
  await app.ok('group_create', { name: 'precios', title: 'Precios (local)' })
  let body = FIXTURE
  const url = `${await serve(t, () => body)}/data.json`
  const job = await harvest(t, app, url, { remote_groups: 'create', remote_orgs: 'create' })
  t.equal((await jobReport(app, job)).stats.added, 4)

  const groups = await app.ok<Dict[]>('group_list', { all_fields: true })
  t.same(
    groups.map((g) => [g.name, g.title, g.description]).sort(),
    [
      ['generacion', 'Generación eléctrica', 'Producción de energía eléctrica por central, tecnología y combustible.'],
      ['hidrocarburos', 'Hidrocarburos', 'Producción, reservas y refinación de petróleo y gas.'],
      ['precios', 'Precios (local)', ''],
      ['yacimientos', 'yacimientos', ''],
    ],
    'one group per theme used (none for an unused taxonomy entry); a theme outside the taxonomy is its own title',
  )
  const orgs = await app.ok<Dict[]>('organization_list', { all_fields: true })
  t.same(orgs.map((o) => [o.name, o.title]).sort(), [
    ['ente-regulador-de-la-energia-austral', 'Ente Regulador de la Energía Austral'],
    ['espejo', 'Espejo'],
    ['secretaria-de-energia-del-sur-direccion-de-estadisticas-energeticas', 'Secretaría de Energía del Sur. Dirección de Estadísticas Energéticas'],
  ])

  const d1 = await byGuid(app, 'es-sur-1')
  for (const [k, v] of Object.entries(FIELDS_1)) {
    if (k === 'tags') t.same(d1.tags.map((x: Dict) => x.name).sort(), ['MWh', 'centrales', 'generación'], 'dataset 1: tags')
    else t.equal(d1[k], v, `dataset 1: ${k}`)
  }
  t.equal(d1.license_title, 'Creative Commons Attribution')
  t.equal(d1.organization.name, 'secretaria-de-energia-del-sur-direccion-de-estadisticas-energeticas', 'organization from the publisher')
  t.same(d1.groups.map((g: Dict) => g.name).sort(), ['generacion', 'precios'])
  const extras1 = extrasOf(d1)
  for (const [k, v] of Object.entries(EXTRAS_1)) t.equal(extras1[k], v, `dataset 1 extra ${k}`)
  const r11 = d1.resources.find((r: Dict) => r.identifier === 'es-sur-1.1')
  for (const [k, v] of Object.entries(RESOURCE_1_1)) t.same(r11[k], v, `resource 1.1: ${k}`)
  t.equal(JSON.parse(r11.attributesDescription).length, 3)

  const d2 = await byGuid(app, 'es-sur-2')
  t.equal(d2.license_id, 'odc-odbl')
  t.equal(d2.organization.name, 'ente-regulador-de-la-energia-austral')
  t.same(
    d2.groups.map((g: Dict) => g.name),
    ['precios'],
  )
  t.equal(extrasOf(d2).superTheme, '["ECON", "ENER"]')
  const d3 = await byGuid(app, 'es-sur-3')
  t.same(d3.groups.map((g: Dict) => g.name).sort(), ['hidrocarburos', 'yacimientos'])
  t.equal(d3.organization.name, 'secretaria-de-energia-del-sur-direccion-de-estadisticas-energeticas', 'the same publisher, the same organization')
  const d4 = await byGuid(app, 'es-sur-4')
  t.same(d4.groups, [])
  t.equal(d4.license_id, 'notspecified')

  await publishedAgain(t, app)

  // a second run changes nothing and creates nothing
  const again = await startJob(app, (await app.ok<Dict>('harvest_source_show', { id: 'fuente-remote_groups-remote_orgs' })).id)
  await app.app.harvest.runInline(again)
  t.equal((await jobReport(app, again)).stats['not modified'], 4)
  t.equal((await app.ok<string[]>('group_list', {})).length, 4)

  // the source drops a theme: the dataset leaves that group
  const changed = JSON.parse(FIXTURE)
  changed.dataset[0].theme = ['generacion']
  changed.dataset[0].modified = '2024-03-01T10:00:00-03:00'
  body = JSON.stringify(changed)
  const third = await startJob(app, (await app.ok<Dict>('harvest_source_show', { id: 'fuente-remote_groups-remote_orgs' })).id)
  await app.app.harvest.runInline(third)
  t.equal((await jobReport(app, third)).stats.updated, 1)
  t.same(
    (await byGuid(app, 'es-sur-1')).groups.map((g: Dict) => g.name),
    ['generacion'],
  )
})

t.test('Abierto to Abierto through data.json: the groups travel in the themeTaxonomy', async (t) => {
  const port = await freePort()
  const aUrl = `http://127.0.0.1:${port}`
  const a = await testApp(t, { SITE_URL: aUrl })
  await a.app.listen({ port, host: '127.0.0.1' })
  await a.ok('organization_create', { name: 'org-a' })
  await a.ok('group_create', { name: 'salud', title: 'Salud pública', description: 'Hospitales y campañas' })
  await a.ok('package_create', { name: 'camas', title: 'Camas hospitalarias', owner_org: 'org-a', groups: [{ name: 'salud' }], maintainer_email: 'salud@example.org' })
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  await harvest(t, b, `${aUrl}/data.json`, { remote_groups: 'create' })
  const groups = await b.ok<Dict[]>('group_list', { all_fields: true })
  t.same(
    groups.map((g) => [g.name, g.title, g.description]),
    [['salud', 'Salud pública', 'Hospitales y campañas']],
  )
  const copy = await b.ok<Dict>('package_search', { q: '*:*' })
  t.equal(copy.count, 1)
  t.same(
    copy.results[0].groups.map((g: Dict) => g.name),
    ['salud'],
  )
})

t.test('remote_groups "only_local" maps themes to local groups by name or title; no config, no groups', async (t) => {
  const app = await testApp(t, LOCAL_REMOTES)
  await app.ok('organization_create', { name: 'espejo', title: 'Espejo' })
  await app.ok('group_create', { name: 'energia-electrica', title: 'Generación eléctrica' })
  const base = await serve(t, FIXTURE)
  await harvest(t, app, `${base}/a/data.json`, { remote_groups: 'only_local' })
  const d1 = await byGuid(app, 'es-sur-1')
  t.same(
    d1.groups.map((g: Dict) => g.name),
    ['energia-electrica'],
    'matched by the taxonomy label; "precios" has no local group',
  )
  t.equal(d1.organization.name, 'espejo', "without remote_orgs: the source's organization")
  t.same((await app.ok<string[]>('group_list', {})).sort(), ['energia-electrica'], 'nothing created')

  await app.ok('group_create', { name: 'precios', title: 'Precios' })
  const plain = await createSource(app, { name: 'sin-config', url: `${base}/b/data.json`, source_type: 'dcat_json', owner_org: 'espejo' })
  const job = await startJob(app, plain)
  await app.app.harvest.runInline(job)
  const r = await jobReport(app, job)
  t.same(r.objectErrors, [])
  const names = await app.ok<Dict>('package_search', { fq: `harvest_source_id:"${plain}"`, rows: 10 })
  t.equal(names.count, 4)
  for (const d of names.results as Dict[]) t.same(d.groups, [], `${d.name}: no groups without remote_groups`)
})

t.test('remote_groups / remote_orgs are checked in a dcat_json source config', async (t) => {
  const app = await testApp(t, LOCAL_REMOTES)
  const res = await app.call('harvest_source_create', { name: 'mala', title: 'Mala', url: 'http://127.0.0.1:9/data.json', source_type: 'dcat_json', config: '{"remote_groups": "all"}' })
  t.equal(res.statusCode, 409)
  t.same(res.json().error.config, ['Error parsing the configuration options: remote_groups must be "only_local" or "create"'])
})
