import t from 'tap'
import { Parser } from 'n3'
import { parseRdfPage } from '../../src/dcat/read/catalog.js'
import { HarvestParseError, type HarvestedDataset, type ParsedPage } from '../../src/dcat/read/parsed.js'
import { extra, extraKeys, fixture } from './fixtures.js'

const SOURCE = 'https://harvest.example.org/source/'

function byGuid(page: ParsedPage, guid: string): HarvestedDataset {
  const found = page.datasets.find((d) => d.guid === guid)
  if (!found) throw new Error(`no dataset ${guid} among ${page.datasets.map((d) => d.guid).join(', ')}`)
  return found
}

type Res = Record<string, unknown>
const resources = (d: HarvestedDataset) => d.dict.resources as Res[]

async function parseError(body: string, opts: Parameters<typeof parseRdfPage>[1]): Promise<HarvestParseError> {
  try {
    await parseRdfPage(body, opts)
  } catch (err) {
    if (err instanceof HarvestParseError) return err
    throw err
  }
  throw new Error('page parsed without error')
}

t.test('embalses.rdf (RDF/XML by Content-Type): every DCAT-AP field ckanext-dcat reads', async (t) => {
  const page = await parseRdfPage(fixture('embalses.rdf'), { contentType: 'application/rdf+xml; charset=utf-8', sourceUrl: SOURCE })
  t.same(page.errors, [])
  t.equal(page.nextPage, null)
  t.equal(page.datasets.length, 1)
  const d = page.datasets[0]
  const uri = 'https://datos.cuenca-norte.example/catalogo/conjuntos/calidad-agua-embalses'
  const site = 'https://www.cuenca-norte.example'
  const cat = 'https://datos.cuenca-norte.example/catalogo/conjuntos'
  t.equal(d.guid, uri, 'guid is the dataset IRI')
  t.equal(d.modified, '2024-02-03T08:45:00', 'xsd:dateTime printed as rdflib prints it')
  const dict = d.dict
  t.equal(dict.title, 'Calidad del agua en los embalses de la cuenca norte')
  t.equal(dict.notes, 'Muestreos mensuales de temperatura, pH, oxígeno disuelto y nitratos en once embalses desde 1987.')
  t.equal(dict.url, `${site}/calidad-agua`)
  t.equal(dict.version, '3.2')
  t.same(dict.tags, [{ name: 'embalses' }, { name: 'hidrología' }, { name: 'nitratos' }])
  // the distribution's licence is a Creative Commons by-nc page; the dataset's own licence is unknown
  t.equal(dict.license_id, 'cc-nc')
  t.notOk('name' in dict || 'owner_org' in dict || 'id' in dict, 'no name/owner_org/id')

  const expected: Record<string, string> = {
    issued: '2016-09-14',
    modified: '2024-02-03T08:45:00',
    identifier: 'cn-calidad-agua-embalses',
    version_notes: 'Se añaden los nitratos a partir de 2020',
    frequency: 'http://publications.europa.eu/resource/authority/frequency/MONTHLY',
    provenance: 'Laboratorio de la confederación, muestras validadas por duplicado',
    dcat_type: 'serie-temporal',
    temporal_resolution: 'P1M',
    language: '["es", "gl", "eu"]',
    theme: '["http://publications.europa.eu/resource/authority/data-theme/ENVI", "http://eurovoc.europa.eu/2470", "Medio ambiente"]',
    alternate_identifier: '["ES-CHN-0042", "urn:cuenca-norte:embalses:calidad"]',
    conforms_to: '["Directiva Marco del Agua", "Norma UNE 77-046"]',
    documentation: `["${site}/calidad-agua/metodologia.pdf", "${site}/calidad-agua/glosario.html"]`,
    related_resource: `["${cat}/caudales", "${cat}/lluvias"]`,
    has_version: `["${cat}/calidad-agua-embalses-mensual", "${cat}/calidad-agua-embalses-anual"]`,
    is_version_of: `["${cat}/calidad-agua"]`,
    source: `["${cat}/muestreos-laboratorio", "${cat}/sondas-automaticas"]`,
    sample: `["${uri}/muestra"]`,
    is_referenced_by: '["https://doi.org/10.5555/embalses.2021.7", "informe-anual-2023"]',
    applicable_legislation: '["http://data.europa.eu/eli/dir/2000/60/oj", "http://data.europa.eu/eli/reg_impl/2023/138/oj"]',
    hvd_category: '["http://data.europa.eu/bna/c_dd313021"]',
    contact_name: 'Servicio de Calidad de Aguas',
    contact_email: 'calidad.aguas@cuenca-norte.example',
    contact_url: `${site}/contacto`,
    publisher_uri: `${site}/organizacion`,
    publisher_name: 'Confederación Hidrográfica del Norte',
    publisher_email: 'datos@cuenca-norte.example',
    publisher_url: site,
    publisher_type: 'http://purl.org/adms/publishertype/NationalAuthority',
    publisher_identifier: 'https://ror.org/00example01',
    creator_uri: 'https://www.laboratorio-hidrico.example/',
    creator_name: 'Laboratorio Hídrico del Norte',
    creator_email: 'muestras@laboratorio-hidrico.example',
    creator_url: 'https://www.laboratorio-hidrico.example',
    creator_type: 'http://purl.org/adms/publishertype/Academia-ScientificOrganisation',
    creator_identifier: 'https://ror.org/00example02',
    temporal_start: '1987-01-01',
    temporal_end: '2023-12-31',
    spatial_uri: 'http://publications.europa.eu/resource/authority/country/ESP',
    spatial: '{"type": "Polygon", "coordinates": [[[-8.25, 42.5], [-8.25, 43.75], [-2.5, 43.75], [-2.5, 42.5], [-8.25, 42.5]]]}',
    spatial_resolution_in_meters: '2.5',
    uri,
    access_rights: 'público',
    homepage: `${site}/calidad-agua/inicio`,
    guid: uri,
  }
  for (const [key, value] of Object.entries(expected)) t.equal(extra(dict, key), value, `extra ${key}`)
  t.same(extraKeys(dict).sort(), Object.keys(expected).sort(), 'no other extra')
  for (const e of dict.extras as { value: unknown }[]) t.type(e.value, 'string')

  const [r] = resources(d)
  t.same(JSON.parse(r.access_services as string), [
    {
      availability: 'http://publications.europa.eu/resource/authority/planned-availability/STABLE',
      title: 'Servicio WMS de calidad del agua',
      endpoint_description: 'GetCapabilities WMS 1.3.0',
      license: 'http://publications.europa.eu/resource/authority/licence/CC_BY_4_0',
      access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      description: 'Capas de muestreo por embalse y parámetro',
      endpoint_url: ['https://visor.cuenca-norte.example/wms'],
      uri: '',
    },
  ])
  delete r.access_services
  t.same(r, {
    access_url: 'https://visor.cuenca-norte.example/calidad',
    issued: '2016-09-15',
    modified: '2024-02-01T07:30:12',
    status: 'http://purl.org/adms/status/UnderDevelopment',
    license: 'http://creativecommons.org/licenses/by-nc/4.0/',
    rights: 'Prohibido el uso comercial sin autorización',
    name: 'Visor de calidad del agua',
    description: 'Mapa interactivo con los últimos muestreos de cada embalse',
    availability: 'http://publications.europa.eu/resource/authority/planned-availability/TEMPORARY',
    compress_format: 'http://www.iana.org/assignments/media-types/application/zip',
    package_format: 'http://publications.europa.eu/resource/authority/file-type/ZIP',
    temporal_resolution: 'P1M',
    url: 'https://visor.cuenca-norte.example/calidad',
    language: '["es", "gl", "eu"]',
    documentation: '["https://visor.cuenca-norte.example/ayuda", "https://visor.cuenca-norte.example/leyenda"]',
    conforms_to: '["Directiva Marco del Agua", "Norma UNE 77-046"]',
    mimetype: 'text/html',
    format: 'HTML',
    size: 88064,
    hash_algorithm: 'http://spdx.org/rdf/terms#checksumAlgorithm_sha1',
    hash: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    spatial_resolution_in_meters: '2.5',
    uri: `${uri}/visor`,
  })
  t.notOk('distribution_ref' in r)
  t.notOk('download_url' in r, 'no download URL, none made up')
})

t.test('catalogo.rdf: two datasets, blank-node distributions, formats from media types', async (t) => {
  const B = 'https://opendata.villa-ejemplo.example'
  const page = await parseRdfPage(fixture('catalogo.rdf'), { url: `${B}/catalogo.rdf`, sourceUrl: SOURCE })
  t.same(page.errors, [])
  t.same(
    page.datasets.map((d) => d.guid),
    [`${B}/catalogo/conjuntos/1`, `${B}/catalogo/conjuntos/2`],
  )
  const [d1, d2] = page.datasets
  t.equal(d1.dict.title, 'Ruido ambiental por barrios')
  t.match(d1.dict.notes, /Θεσσαλονίκη\.$/)
  t.same(d1.dict.tags, [{ name: 'ruido' }, { name: 'contaminación' }])
  t.equal(d1.dict.license_id, '')
  t.same(
    resources(d1).map((r) => [r.name, r.url, r.format, r.mimetype, r.uri]),
    [
      ['Mediciones en CSV', `${B}/ficheros/ruido.csv`, 'CSV', 'text/csv', ''],
      ['Informe anual en PDF', `${B}/ficheros/ruido-2023.pdf`, 'PDF', 'application/pdf', ''],
      ['API de sonómetros', `${B}/api/sonometros`, undefined, undefined, ''],
    ],
  )
  t.equal(extra(d1.dict, 'language'), '["es"]')
  t.equal(extra(d1.dict, 'publisher_name'), 'Concejalía de Medio Ambiente')
  t.equal(extra(d1.dict, 'publisher_email'), 'medioambiente@villa-ejemplo.example')
  t.equal(d1.modified, '2024-05-30T00:00:00+00:00', 'rdflib prints Z as +00:00')
  t.equal(d2.dict.title, 'Matrícula escolar')
  t.equal((d2.dict.tags as unknown[]).length, 3)
  t.same(
    resources(d2).map((r) => [r.format, r.mimetype]),
    [
      ['HTML', undefined],
      ['PDF', 'application/pdf'],
    ],
  )
  t.equal(d2.modified, '2024-01-15')
})

t.test('piscinas.ttl (shaped like datos.gob.es), Turtle by URL extension: Spanish text, XLS format', async (t) => {
  const page = await parseRdfPage(fixture('piscinas.ttl'), { url: 'https://datos.example.es/x/dataset.ttl', sourceUrl: SOURCE })
  t.equal(page.datasets.length, 1)
  const d = page.datasets[0]
  t.equal(d.dict.title, 'Uso de piscinas municipales cubiertas por temporada')
  t.same(d.dict.tags, [{ name: 'natación' }, { name: 'instalaciones deportivas' }, { name: 'piscinas' }], 'tags keep their text; clean_tags is the pipeline’s')
  t.equal(extra(d.dict, 'theme'), '["http://datos.example.es/kos/sector-publico/sector/deporte"]')
  t.equal(extra(d.dict, 'issued'), '2023-10-02T11:45:30+02:00')
  t.equal(extra(d.dict, 'identifier'), 'https://datos.villa-ejemplo.example/catalogo/900123-0-piscinas-cubiertas')
  t.equal(d.guid, 'https://datos.example.es/catalogo/l01990001-uso-de-piscinas-municipales-cubiertas-por-temporada')
  t.equal(extra(d.dict, 'frequency'), 'https://datos.example.es/catalogo/l01990001-uso-de-piscinas-municipales-cubiertas-por-temporada/Frequency', 'a frequency node without a label is its IRI')
  t.equal(extra(d.dict, 'publisher_uri'), 'http://datos.example.es/recurso/sector-publico/org/Organismo/L01990001')
  const [r] = resources(d)
  t.equal(r.url, 'https://datos.villa-ejemplo.example/catalogo/900123-0-piscinas-cubiertas.xls')
  t.equal(r.name, 'Uso de piscinas, temporada 2023-2024')
  t.equal(r.format, 'XLS')
  t.equal(r.mimetype, 'application/vnd.ms-excel')
  t.equal(r.size, 61440, 'a decimal byte size')
})

t.test('multilingue.ttl: Spanish literals first', async (t) => {
  const page = await parseRdfPage(fixture('multilingue.ttl'), { contentType: 'text/turtle', sourceUrl: SOURCE })
  const d = page.datasets[0]
  t.equal(d.dict.title, 'Conteo de bicicletas')
  t.equal(d.dict.notes, 'Conteo de bicicletas en los carriles bici de la ciudad')
  t.same(d.dict.tags, [{ name: 'Bicicletas' }, { name: 'Movilidad' }], 'only the Spanish keywords when they exist')
  t.equal(extra(d.dict, 'version_notes'), 'Se añaden los carriles nuevos')
  t.equal(extra(d.dict, 'provenance'), 'Espiras magnéticas instaladas en el pavimento')
  t.equal(extra(d.dict, 'contact_name'), 'Oficina de movilidad')
  const [r] = resources(d)
  t.equal(r.name, 'Conteos diarios')
  t.equal(r.description, 'Un fichero por día')
  t.equal(r.rights, 'Hay que citar la fuente')
})

t.test('paged Turtle catalog: hydra literals, guid rules, licences, EU and IANA IRIs, per-record errors', async (t) => {
  const page1 = await parseRdfPage(fixture('catalog-page1.ttl'), {
    url: 'https://datos.example.es/catalog.ttl?page=1',
    contentType: 'text/turtle',
    sourceUrl: SOURCE,
  })
  t.equal(page1.nextPage, 'https://datos.example.es/catalog.ttl?page=2')
  t.same(page1.errors, [{ guid: 'sin-titulo', message: 'Dataset (blank node) has no dct:title' }], 'untitled dataset reported, page goes on')
  t.equal(page1.datasets.length, 2)

  const budget = byGuid(page1, 'https://datos.example.es/dataset/presupuestos-2024')
  const dict = budget.dict
  t.equal(dict.title, 'Presupuestos 2024', 'es literal preferred over en')
  t.equal(dict.notes, 'Presupuestos municipales aprobados.')
  t.same(dict.tags, [{ name: 'hacienda' }, { name: 'presupuestos' }, { name: 'gasto público' }], 'comma keywords split')
  t.equal(dict.license_id, 'cc-by', 'licence node matched by its dct:title')
  t.equal(extra(dict, 'identifier'), 'presupuestos-2024')
  t.equal(extra(dict, 'language'), '["http://publications.europa.eu/resource/authority/language/SPA"]')
  t.equal(extra(dict, 'frequency'), 'http://publications.europa.eu/resource/authority/frequency/ANNUAL')
  t.equal(extra(dict, 'temporal_start'), '2024-01-01', 'OWL-Time interval')
  t.equal(extra(dict, 'temporal_end'), '2024-12-31')
  t.equal(extra(dict, 'spatial_text'), 'Madrid')
  t.equal(extra(dict, 'spatial'), '{"type": "Point", "coordinates": [-3.7038, 40.4168]}')
  t.equal(extra(dict, 'contact_name'), 'Área de Hacienda')
  t.equal(extra(dict, 'contact_email'), 'hacienda@example.es', 'mailto: stripped')
  t.equal(extra(dict, 'publisher_name'), 'Ayuntamiento de Ejemplo')
  t.equal(budget.modified, '2024-03-01T10:00:00')
  const [csv, json] = resources(budget)
  t.equal(csv.format, 'CSV', 'EU file-type IRI → CKAN format name')
  t.equal(csv.mimetype, 'http://www.iana.org/assignments/media-types/text/csv', 'IANA IRI kept in mimetype')
  t.equal(csv.size, 20480)
  t.equal(csv.license, 'Creative Commons Attribution', 'blank licence node by its title, not its node id')
  t.equal(csv.hash, '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b')
  t.equal(json.format, 'JSON', 'dct:format literal media type')
  t.equal(json.mimetype, 'application/json')
  t.equal(json.url, 'https://datos.example.es/api/presupuestos-2024', 'accessURL when no downloadURL')

  // no IRI and no identifier: `<source url>/<munged title>`
  const air = byGuid(page1, 'https://harvest.example.org/source/calidad-del-aire-estaciones')
  t.equal(extra(air.dict, 'uri'), '')
  t.equal(extra(air.dict, 'guid'), air.guid)
  t.equal(air.dict.license_id, 'odc-odbl', "the dataset's own dct:license as fallback")

  // the stored content is the record's own triples, in N-Triples, and nothing of the other datasets
  const quads = new Parser({ format: 'N-Triples' }).parse(budget.content)
  t.ok(quads.some((q) => q.predicate.value === 'http://purl.org/dc/terms/title' && q.object.value === 'Presupuestos 2024'))
  t.ok(
    quads.some((q) => q.subject.value === 'https://datos.example.es/dataset/presupuestos-2024/resource/csv'),
    'distributions included',
  )
  t.ok(
    quads.some((q) => q.object.value === 'Ayuntamiento de Ejemplo'),
    'publisher included',
  )
  t.notOk(budget.content.includes('Calidad del aire'), 'other datasets left out')
  t.notOk(budget.content.includes('hydra'), 'pagination left out')

  const page2 = await parseRdfPage(fixture('catalog-page2.ttl'), { contentType: 'text/turtle', sourceUrl: SOURCE })
  t.equal(page2.nextPage, null, 'last page has no next')
  t.same(
    page2.datasets.map((d) => d.guid),
    ['https://datos.example.es/dataset/paro-registrado'],
  )
  t.same(
    resources(page2.datasets[0]).map((r) => [r.format, r.mimetype]),
    [
      ['XLSX', undefined],
      ['Turtle', 'text/turtle'],
    ],
    'a dct:IMT node labelled Turtle keeps its label (importable.test.ts checks package_create keeps it too)',
  )
  t.equal(page2.datasets[0].modified, null)
})

t.test('the stored N-Triples content parses back to the same dict', async (t) => {
  for (const name of ['embalses.rdf', 'catalog-page1.ttl']) {
    const page = await parseRdfPage(fixture(name), { sourceUrl: SOURCE })
    for (const d of page.datasets) {
      const again = await parseRdfPage(d.content, { rdfFormat: 'nt', sourceUrl: SOURCE })
      t.same(
        again.datasets.map((x) => x.dict),
        [d.dict],
        `${name} ${d.guid}`,
      )
    }
  }
})

t.test('N3 parser accepts Turtle content', async (t) => {
  const page = await parseRdfPage(fixture('catalog-page2.ttl'), { rdfFormat: 'n3', sourceUrl: SOURCE })
  t.equal(page.datasets[0].dict.title, 'Paro registrado')
})

t.test('JSON-LD: sniffed, @graph, inline contexts, hydra view with an IRI next link', async (t) => {
  const page = await parseRdfPage(fixture('catalog.jsonld'), { sourceUrl: SOURCE })
  t.equal(page.nextPage, 'https://catalogo.example.org/api/catalog?page=4')
  const d = byGuid(page, 'https://catalogo.example.org/dataset/bicis')
  t.equal(d.dict.title, 'Estaciones de bicicletas')
  t.equal(d.dict.license_id, 'cc-by-sa', 'register URL matched across scheme, www and trailing slash')
  t.equal(extra(d.dict, 'theme'), '["http://publications.europa.eu/resource/authority/data-theme/TRAN"]')
  const [r] = resources(d)
  // a dcat:mediaType IRI alone is both mimetype and format, as ckanext-dcat reads it
  t.equal(r.mimetype, 'https://www.iana.org/assignments/media-types/application/geo+json')
  t.equal(r.format, 'https://www.iana.org/assignments/media-types/application/geo+json')
  t.equal(r.size, 5120)

  // a DCAT-US 1.1 record with its own JSON-LD contexts (ckanext-dcat's test_dataset_json_ld_1)
  const pod = await parseRdfPage(fixture('pod-energia.jsonld'), { contentType: 'application/ld+json', sourceUrl: SOURCE })
  t.same(
    pod.datasets.map((x) => x.guid),
    ['https://datos.secretaria-energia.example/conjuntos/generacion-electrica'],
  )
  const podDict = pod.datasets[0].dict
  t.equal(podDict.title, 'Generación eléctrica por central')
  t.equal(extra(podDict, 'contact_name'), 'Lucía Ferreyra')
  t.equal(extra(podDict, 'contact_email'), 'lucia.ferreyra@secretaria-energia.example', 'mailto: removed')
  t.equal(extra(podDict, 'publisher_name'), 'Dirección de Información Energética')
  t.equal(extra(podDict, 'publisher_email'), 'datos@secretaria-energia.example')
  t.same(
    resources(pod.datasets[0]).map((r) => r.format),
    ['CSV', 'ZIP', 'JSON', 'API'],
  )
  const csv = resources(pod.datasets[0]).find((r) => r.name === 'generacion.csv') as Res
  t.equal(csv.url, 'https://datos.secretaria-energia.example/ficheros/generacion.csv')
  t.equal(csv.download_url, 'https://datos.secretaria-energia.example/ficheros/generacion.csv')

  // @graph with a named catalog, publisher and a blank contact (test_dataset_json_ld_with_at_graph)
  const graph = await parseRdfPage(fixture('grafo.jsonld'), { url: 'https://datos.puerto-ejemplo.example/catalogo.jsonld', sourceUrl: SOURCE })
  t.equal(graph.datasets.length, 1)
  const g = graph.datasets[0].dict
  t.equal(g.title, 'Escalas de buques')
  t.equal(g.license_id, 'cc-zero')
  t.equal(extra(g, 'contact_name'), 'Marta Ríos')
  t.equal(extra(g, 'contact_email'), 'marta.rios@puerto-ejemplo.example')
  const [zip] = resources(graph.datasets[0])
  const base = 'https://ckan.puerto-ejemplo.example/dataset/3f0c2b8e-6a1d-4c55-9d27-0b1e5a7c9e41/resource/7b9e1f20-5d4c-4e8a-a1f3-2c6d8e0b4a95'
  t.same([zip.name, zip.url, zip.access_url, zip.download_url], ['escalas.zip', 'https://ficheros.puerto-ejemplo.example/escalas.zip', base, 'https://ficheros.puerto-ejemplo.example/escalas.zip'], 'downloadURL preferred')
})

t.test('JSON-LD contexts: the bundled DCAT-US one works offline, any other remote one is refused', async (t) => {
  const pod = JSON.stringify({
    '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld',
    '@type': 'dcat:Catalog',
    dataset: [{ '@type': 'dcat:Dataset', '@id': 'https://agency.example.gov/d/1', title: 'Widgets', keyword: ['w'] }],
  })
  const page = await parseRdfPage(pod, { sourceUrl: SOURCE })
  t.equal(page.datasets[0].dict.title, 'Widgets')

  // port 9 on localhost: if the parser tried to fetch, the error would be about the connection
  const remote = JSON.stringify({ '@context': 'http://127.0.0.1:9/context.jsonld', '@id': 'https://x.example/d', title: 'x' })
  const err = await parseError(remote, { sourceUrl: SOURCE })
  t.match(err.message, /@context http:\/\/127\.0\.0\.1:9\/context\.jsonld is remote/)
  t.match(err.message, /does not fetch/)

  const nested = JSON.stringify({ '@context': [{ dct: 'http://purl.org/dc/terms/' }, 'https://w3id.org/dcat-ap/context.jsonld'], '@id': 'https://x.example/d' })
  t.match((await parseError(nested, { sourceUrl: SOURCE })).message, /w3id\.org\/dcat-ap\/context\.jsonld is remote/)
})

t.test('unusable pages are HarvestParseErrors that say why', async (t) => {
  const ttl = await parseError(fixture('prefijo-no-declarado.ttl'), { url: 'https://x.example/dataset.ttl', sourceUrl: SOURCE })
  t.match(ttl.message, /^Error parsing the RDF file: .*salud.* on line 26\./, 'an undeclared prefix, as real catalogs have')

  const broken = await parseError('@prefix dct: <http://purl.org/dc/terms/> .\n<a> dct:title "x" ;\n  dct:description "unterminated .\n', {
    contentType: 'text/turtle',
    sourceUrl: SOURCE,
  })
  t.match(broken.message, /line \d/)

  const html = await parseError('<!DOCTYPE html>\n<html><body>Service unavailable</body></html>', { contentType: 'text/html', sourceUrl: SOURCE })
  t.equal(html.message, 'Error parsing the RDF file: the document is an HTML page, not RDF')

  const xml = await parseError('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="http://x/a">\n</rdf:RDF>', {
    sourceUrl: SOURCE,
  })
  t.match(xml.message, /^Error parsing the RDF file: line 4, column \d+/)

  t.match((await parseError('{"@id": ', { contentType: 'application/ld+json', sourceUrl: SOURCE })).message, /invalid JSON-LD/)
  t.match((await parseError('Internal error', { sourceUrl: SOURCE })).message, /Error parsing the RDF file/)
  t.match((await parseError('  \n', { sourceUrl: SOURCE })).message, /empty/)
  t.match((await parseError('<a> <b> <c> .', { rdfFormat: 'rdfa', sourceUrl: SOURCE })).message, /unknown rdf_format "rdfa"/)
})

t.test('one dataset failing does not stop the page; duplicates are reported once', async (t) => {
  const body = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<https://x.example/a> a dcat:Dataset ; dct:title "A" .
<https://x.example/b> a dcat:Dataset ; dct:description "no title" .
_:c a dcat:Dataset ; dct:title "C" ; dct:identifier "https://x.example/a" .`
  const page = await parseRdfPage(body, { contentType: 'text/turtle', sourceUrl: '' })
  t.same(
    page.datasets.map((d) => d.guid),
    ['https://x.example/a'],
  )
  t.same(page.errors, [
    { guid: 'https://x.example/b', message: 'Dataset https://x.example/b has no dct:title' },
    { guid: 'https://x.example/a', message: 'Duplicate dataset identifier https://x.example/a in the same page' },
  ])
  // without a source URL the bare munged name is the guid, as ckanext-dcat does
  const bare = await parseRdfPage('@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> . [] a dcat:Dataset ; dct:title "Año 2024" .', {
    contentType: 'text/turtle',
    sourceUrl: '',
  })
  t.equal(bare.datasets[0].guid, 'ano-2024')
})

t.test("spatial as ckanext-dcat's parse tests expect it", async (t) => {
  const doc = (spatial: string) => `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix locn: <http://www.w3.org/ns/locn#> . @prefix gsp: <http://www.opengis.net/ont/geosparql#> .
<http://example.org/datasets/1> a dcat:Dataset ; dct:title "S" ; dct:spatial <http://geonames/Newark> .
<http://geonames/Newark> a dct:Location ; ${spatial} .`
  const spatialOf = async (s: string) => {
    const page = await parseRdfPage(doc(s), { contentType: 'text/turtle', sourceUrl: SOURCE })
    return page.datasets[0].dict
  }
  // test_spatial_wkt_only: geomet gives floats
  const wkt = await spatialOf('locn:geometry "POINT (67 89)"^^gsp:wktLiteral')
  t.equal(extra(wkt, 'spatial'), '{"type": "Point", "coordinates": [67.0, 89.0]}')
  t.equal(extra(wkt, 'spatial_uri'), 'http://geonames/Newark')
  // GeoJSON literals are kept as written
  const geojson = await spatialOf('locn:geometry "{\\"type\\": \\"Point\\", \\"coordinates\\": [23, 45]}"^^<https://www.iana.org/assignments/media-types/application/vnd.geo+json>')
  t.equal(extra(geojson, 'spatial'), '{"type": "Point", "coordinates": [23, 45]}')
  // test_spatial_wrong_geometries: nothing usable, no spatial extra
  const wrong = await spatialOf('locn:geometry "Not GeoJSON"^^<https://www.iana.org/assignments/media-types/application/vnd.geo+json>, "Not WKT"^^gsp:wktLiteral')
  t.equal(extra(wrong, 'spatial'), undefined)
  const bbox = await spatialOf('dcat:bbox "POLYGON ((0 0, 1 0, 1 1, 0 0))"^^gsp:wktLiteral ; dcat:centroid "POINT (0.5 0.5)"^^gsp:wktLiteral')
  t.equal(extra(bbox, 'spatial_bbox'), '{"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}')
  t.equal(extra(bbox, 'spatial_centroid'), '{"type": "Point", "coordinates": [0.5, 0.5]}')
})

t.test("distribution formats: ckanext-dcat's cases, EU file-type IRIs reduced to names", async (t) => {
  const formatOf = async (props: string) => {
    const body = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<http://example.org/datasets/1> a dcat:Dataset ; dct:title "F" ; dcat:distribution <http://example.org/datasets/1/ds/1> .
<http://example.org/datasets/1/ds/1> a dcat:Distribution ${props} .`
    const page = await parseRdfPage(body, { contentType: 'text/turtle', sourceUrl: SOURCE })
    const r = (page.datasets[0].dict.resources as Res[])[0]
    return [r.format, r.mimetype]
  }
  const cases: [string, [string | undefined, string | undefined]][] = [
    ['; dcat:mediaType "text/csv" ; dct:format "CSV"', ['CSV', 'text/csv']],
    ['; dct:format "CSV"', ['CSV', undefined]],
    ['; dcat:mediaType "text/csv"', ['CSV', 'text/csv']],
    ['; dcat:mediaType "text/unknown-imt"', ['text/unknown-imt', 'text/unknown-imt']],
    ['; dcat:mediaType "text/csv" ; dct:format "Comma Separated Values"', ['CSV', 'text/csv']],
    ['; dct:format [ a dct:IMT ; rdf:value "application/pdf" ; rdfs:label "Portable Document" ]', ['PDF', 'application/pdf']],
    ['; dct:format <https://www.iana.org/assignments/media-types/application/json>', ['JSON', 'https://www.iana.org/assignments/media-types/application/json']],
    ['; dcat:mediaType <https://www.iana.org/assignments/media-types/application/json>', ['https://www.iana.org/assignments/media-types/application/json', 'https://www.iana.org/assignments/media-types/application/json']],
    ['; dct:format <https://example.com/my/format>', ['https://example.com/my/format', undefined]],
    ['; dct:format "application/json"', ['JSON', 'application/json']],
    ['; dct:format "application/json" ; dcat:mediaType "test-mediatype"', ['JSON', 'test-mediatype']],
    ['; dct:format <http://publications.europa.eu/resource/authority/file-type/GEOJSON>', ['GeoJSON', undefined]],
    ['; dct:format <http://publications.europa.eu/resource/authority/file-type/SHP>', ['SHP', undefined]],
    ['', [undefined, undefined]],
  ]
  for (const [props, want] of cases) t.same(await formatOf(props), want, props || '(no format)')
})

t.test('hydra: deprecated nextPage alone, relative literals, untyped nodes ignored', async (t) => {
  const page = (pagination: string) => `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://x.example/d> a dcat:Dataset ; dct:title "D" .
${pagination}`
  const next = async (pagination: string) => (await parseRdfPage(page(pagination), { contentType: 'text/turtle', url: 'https://x.example/catalog.ttl?page=1', sourceUrl: SOURCE })).nextPage
  t.equal(await next('<https://x.example/catalog.ttl?page=1> a hydra:PagedCollection ; hydra:nextPage "https://x.example/catalog.ttl?page=2" .'), 'https://x.example/catalog.ttl?page=2')
  t.equal(await next('[] a hydra:PartialCollectionView ; hydra:next "catalog.ttl?page=2" .'), 'https://x.example/catalog.ttl?page=2')
  t.equal(await next('[] a hydra:PartialCollectionView ; hydra:next <?page=7> .'), 'https://x.example/catalog.ttl?page=7')
  t.equal(await next('[] a hydra:Collection ; hydra:next "https://x.example/catalog.ttl?page=2" .'), null, 'not a paging node type')
  t.equal(await next('[] a hydra:PagedCollection ; hydra:lastPage "https://x.example/catalog.ttl?page=1" .'), null)
})

t.test('documents that parse to nothing are errors, not empty catalogs', async (t) => {
  // a data.json fed to the RDF harvester: JSON without @context yields no triples
  const dataJson = await parseError(fixture('datajson-catalogo.json'), { contentType: 'application/json', sourceUrl: SOURCE })
  t.match(dataJson.message, /read as jsonld\) contains no RDF statements/)
  t.match((await parseError('# nothing here\n', { contentType: 'text/turtle', sourceUrl: SOURCE })).message, /no RDF statements/)
  // a catalog with no datasets is still a valid, empty page
  const empty = await parseRdfPage('<https://x.example/catalog> a <http://www.w3.org/ns/dcat#Catalog> .', { rdfFormat: 'turtle', sourceUrl: SOURCE })
  t.same(empty, { datasets: [], nextPage: null, errors: [] })
})

t.test('RDF/XML entities: no external entities, no recursive expansion', async (t) => {
  const head = '<?xml version="1.0"?>'
  const root = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">'
  const xxe = `${head}\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${root}<dcat:Dataset rdf:about="http://x/a"><dct:title>&xxe;</dct:title></dcat:Dataset></rdf:RDF>`
  t.match((await parseError(xxe, { sourceUrl: SOURCE })).message, /undefined entity/)
  const laughs = `${head}\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n${root}<dcat:Dataset rdf:about="http://x/a"><dct:title>&c;</dct:title></dcat:Dataset></rdf:RDF>`
  const page = await parseRdfPage(laughs, { sourceUrl: SOURCE })
  t.ok((page.datasets[0].dict.title as string).length < 200, 'entities are not expanded recursively')
})

t.test("access services: ckanext-dcat's test_parse_access_service_extra_fields", async (t) => {
  const body = `<?xml version="1.0" encoding="utf-8" ?>
<rdf:RDF xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dcatap="http://data.europa.eu/r5r/"
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:vcard="http://www.w3.org/2006/vcard/ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/">
  <dcat:Dataset rdf:about="http://example.org">
    <dct:title>With a service</dct:title>
    <dcat:distribution><dcat:Distribution>
      <dcatap:applicableLegislation rdf:resource="http://data.europa.eu/eli/reg_impl/2023/138/oj"/>
      <dcat:accessService><dcat:DataService>
        <dct:conformsTo rdf:resource="http://example.org/spec"/>
        <dct:format rdf:resource="http://example.org/format"/>
        <dct:identifier>service-123</dct:identifier>
        <dct:language rdf:resource="http://publications.europa.eu/resource/authority/language/ENG"/>
        <dct:rights>open use</dct:rights>
        <dcat:landingPage rdf:resource="http://example.org/landing"/>
        <dcat:keyword>keyword1</dcat:keyword>
        <dcat:keyword>keyword2</dcat:keyword>
        <dcatap:applicableLegislation rdf:resource="http://data.europa.eu/eli/reg_impl/2023/138/oj"/>
        <dct:description>This SPARQL end point allow to directly query the EU Whoiswho content</dct:description>
        <dct:creator><foaf:Agent><foaf:name>European Commission</foaf:name></foaf:Agent></dct:creator>
        <dct:publisher><foaf:Agent><foaf:name>Publications Office of the European Union</foaf:name></foaf:Agent></dct:publisher>
        <dcat:contactPoint><vcard:Kind><vcard:fn>John Doe</vcard:fn><vcard:hasEmail rdf:resource="mailto:john@example.org"/></vcard:Kind></dcat:contactPoint>
      </dcat:DataService></dcat:accessService>
    </dcat:Distribution></dcat:distribution>
  </dcat:Dataset>
</rdf:RDF>`
  const page = await parseRdfPage(body, { sourceUrl: SOURCE })
  const r = resources(page.datasets[0])[0]
  t.equal(r.applicable_legislation, '["http://data.europa.eu/eli/reg_impl/2023/138/oj"]')
  const [service] = JSON.parse(r.access_services as string)
  t.same(service.conforms_to, ['http://example.org/spec'])
  t.same(service.format, ['http://example.org/format'])
  t.equal(service.identifier, 'service-123')
  t.same(service.language, ['http://publications.europa.eu/resource/authority/language/ENG'])
  t.same(service.rights, ['open use'])
  t.same(service.landing_page, ['http://example.org/landing'])
  t.same(service.keyword.sort(), ['keyword1', 'keyword2'])
  t.equal(service.description, 'This SPARQL end point allow to directly query the EU Whoiswho content')
  t.same(service.contact, [{ uri: '', name: 'John Doe', email: 'john@example.org', identifier: '', url: '' }])
  t.equal(service.creator[0].name, 'European Commission')
  t.equal(service.publisher[0].name, 'Publications Office of the European Union')
  t.notOk('access_service_ref' in service)
})

t.test('content stops at other datasets, blank or not', async (t) => {
  const body = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<https://x.example/a> a dcat:Dataset ; dct:title "A" ; dct:hasVersion [ a dcat:Dataset ; dct:title "B" ; dct:description "B's own" ] ;
  dct:relation <https://x.example/c> .
<https://x.example/c> a dcat:Dataset ; dct:title "C" ; dct:description "C's own" .`
  const page = await parseRdfPage(body, { contentType: 'text/turtle', sourceUrl: SOURCE })
  const a = byGuid(page, 'https://x.example/a')
  t.notOk(a.content.includes("B's own"))
  t.notOk(a.content.includes("C's own"))
  t.ok(a.content.includes('<https://x.example/a> <http://purl.org/dc/terms/relation> <https://x.example/c>'), 'the link itself stays')
  t.equal(page.datasets.length, 3, 'the nested blank-node dataset is a dataset too')
})

t.test('fingerprint: the same dataset hashes the same whatever its place on the page and its blank node labels', async (t) => {
  const ds = (n: number) => ({
    '@id': `https://example.org/dataset/${n}`,
    '@type': 'http://www.w3.org/ns/dcat#Dataset',
    'http://purl.org/dc/terms/title': `Conjunto ${n}`,
    // distributions as blank nodes: JSON-LD numbers them through the whole document
    'http://www.w3.org/ns/dcat#distribution': [{ '@type': 'http://www.w3.org/ns/dcat#Distribution', 'http://www.w3.org/ns/dcat#accessURL': { '@id': `https://example.org/${n}.csv` } }],
  })
  const page = async (order: number[]) => parseRdfPage(JSON.stringify(order.map(ds)), { contentType: 'application/ld+json', sourceUrl: SOURCE })
  const first = (await page([1, 2])).datasets.find((d) => d.guid.endsWith('/2'))!
  const second = (await page([2, 1])).datasets.find((d) => d.guid.endsWith('/2'))!
  t.not(first.content, second.content, 'the stored text differs (blank node labels)')
  t.equal(first.fingerprint, second.fingerprint, 'the fingerprint does not')
  const changed = (await parseRdfPage(JSON.stringify([ds(1), { ...ds(2), 'http://purl.org/dc/terms/title': 'Otro' }]), { contentType: 'application/ld+json', sourceUrl: SOURCE })).datasets.find((d) => d.guid.endsWith('/2'))!
  t.not(changed.fingerprint, first.fingerprint, 'a real change does change it')
})
