import t from 'tap'
import { loadRdf } from '../../src/dcat/read/rdf-load.js'
import { Graph, NS } from '../../src/dcat/read/rdf-graph.js'
import { datasetDict } from '../../src/dcat/read/dataset.js'
import { nextPageOf, parseRdfPage } from '../../src/dcat/read/catalog.js'
import { extra } from './fixtures.js'

/**
 * ckanext-dcat's parse tests (tests/profiles/base/test_base_parser.py, dcat_ap/…_parse.py,
 * dcat_ap_2/…_parse.py, dcat_ap_3/…_parse.py), case by case, on our own graphs: the same facts,
 * our own values. Graphs go straight to the dataset mapping, as RDFParser.datasets() does, so
 * datasets without a title (which the harvester refuses) are read too.
 */

type Dict = Record<string, unknown>

const PREFIXES = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix dcatap: <http://data.europa.eu/r5r/> . @prefix adms: <http://www.w3.org/ns/adms#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix locn: <http://www.w3.org/ns/locn#> .
@prefix gsp: <http://www.opengis.net/ont/geosparql#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
`

async function graphOf(body: string, contentType = 'text/turtle'): Promise<Graph> {
  return new Graph(await loadRdf(contentType === 'text/turtle' ? PREFIXES + body : body, { contentType }))
}

async function datasets(body: string, contentType?: string): Promise<Dict[]> {
  const g = await graphOf(body, contentType)
  return g.subjectsOfType(`${NS.dcat}Dataset`).map((d) => datasetDict(g, d))
}

async function only(body: string, contentType?: string): Promise<Dict> {
  const all = await datasets(body, contentType)
  if (all.length !== 1) throw new Error(`expected one dataset, got ${all.length}`)
  return all[0]
}

const resources = (d: Dict) => d.resources as Dict[]
const ex = (d: Dict, key: string) => extra(d, key)

t.test('base parser: every dcat:Dataset is read, titled or not', async (t) => {
  const all = await datasets(`
<https://datos.example.org/d/a> a dcat:Dataset ; dct:title "Aforos de tráfico" ;
  dcat:distribution <https://datos.example.org/d/a/r/1>, <https://datos.example.org/d/a/r/2> .
<https://datos.example.org/d/a/r/1> a dcat:Distribution .
<https://datos.example.org/d/a/r/2> a dcat:Distribution .
<https://datos.example.org/d/b> a dcat:Dataset ; dct:title "Aparcamientos" ; dcat:distribution <https://datos.example.org/d/b/r/1> .
<https://datos.example.org/d/b/r/1> a dcat:Distribution .
<https://datos.example.org/d/c> a dcat:Dataset .`)
  t.equal(all.length, 3)
  t.same(
    all.map((d) => resources(d).length),
    [2, 1, 0],
  )
  t.same((await datasets('<https://datos.example.org/x> a rdfs:Class ; rdfs:label "nada" .')).length, 0, 'no dataset, no error')
})

t.test('base parser: hydra pagination', async (t) => {
  const xml = (type: string, links: string) => `<?xml version="1.0" encoding="utf-8" ?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:hydra="http://www.w3.org/ns/hydra/core#">
  <hydra:${type} rdf:about="https://datos.example.org/catalogo.xml?pagina=1">
    <hydra:totalItems rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">230</hydra:totalItems>
    ${links}
  </hydra:${type}>
</rdf:RDF>`
  const next = async (type: string, links: string) => nextPageOf(await graphOf(xml(type, links), 'application/rdf+xml'))
  const deprecated = '<hydra:nextPage>https://datos.example.org/catalogo.xml?pagina=2</hydra:nextPage><hydra:lastPage>https://datos.example.org/catalogo.xml?pagina=3</hydra:lastPage>'
  t.equal(await next('PagedCollection', deprecated), 'https://datos.example.org/catalogo.xml?pagina=2', 'deprecated vocabulary only')
  t.equal(await next('PagedCollection', '<hydra:next>https://datos.example.org/catalogo.xml?pagina=2</hydra:next>'), 'https://datos.example.org/catalogo.xml?pagina=2', 'current vocabulary only')
  t.equal(
    await next('PagedCollection', '<hydra:next>https://datos.example.org/catalogo.xml?pagina=siguiente</hydra:next><hydra:nextPage>https://datos.example.org/catalogo.xml?pagina=vieja</hydra:nextPage>'),
    'https://datos.example.org/catalogo.xml?pagina=siguiente',
    'both: hydra:next wins',
  )
  t.equal(await next('PartialCollectionView', deprecated), 'https://datos.example.org/catalogo.xml?pagina=2', 'PartialCollectionView')
  t.equal(await next('Unsupported', deprecated), null, 'another hydra class is not a pager')
  t.equal(await next('PagedCollection', '<hydra:previousPage>https://datos.example.org/catalogo.xml?pagina=2</hydra:previousPage>'), null, 'last page')
})

t.test('dcat_ap: version, licences, contact points', async (t) => {
  t.equal((await only('<https://datos.example.org/d/v> a dcat:Dataset ; adms:version "4.1b" .')).version, '4.1b', 'adms:version')
  const byUri = await only(`<https://datos.example.org/d/l> a dcat:Dataset ; dcat:distribution <https://datos.example.org/d/l/r> .
<https://datos.example.org/d/l/r> a dcat:Distribution ; dct:license <http://www.opendefinition.org/licenses/odc-odbl> .`)
  t.equal(byUri.license_id, 'odc-odbl', 'licence by register URL')
  const byTitle = await only(`<https://datos.example.org/d/l> a dcat:Dataset ; dcat:distribution <https://datos.example.org/d/l/r> .
<https://datos.example.org/d/l/r> a dcat:Distribution ; dct:license [ dct:title "Creative Commons Attribution Share-Alike" ] .`)
  t.equal(byTitle.license_id, 'cc-by-sa', 'licence by register title')

  const hasFn = await only('<https://datos.example.org/d/c> a dcat:Dataset ; dcat:contactPoint [ a vcard:Organization ; vcard:hasFN "Oficina del Dato" ] .')
  t.equal(ex(hasFn, 'contact_name'), 'Oficina del Dato', 'vcard:hasFN literal')
  const hasValue = await only('<https://datos.example.org/d/c> a dcat:Dataset ; dcat:contactPoint [ a vcard:Organization ; vcard:hasFN [ vcard:hasValue "Oficina del Dato" ] ] .')
  t.equal(ex(hasValue, 'contact_name'), 'Oficina del Dato', 'vcard:hasFN node with vcard:hasValue')
  const email = await only('<https://datos.example.org/d/c> a dcat:Dataset ; dcat:contactPoint [ a vcard:Organization ; vcard:hasEmail [ vcard:hasValue "mailto:dato@example.org" ] ] .')
  t.equal(ex(email, 'contact_email'), 'dato@example.org', 'vcard:hasEmail node, mailto: removed')
})

t.test('dcat_ap: rights statements, literal or IRI labels', async (t) => {
  const doc = (dataset: string, dist: string) => `<https://datos.example.org/d/r> a dcat:Dataset ; dct:accessRights [ a dct:RightsStatement ; rdfs:label ${dataset} ] ;
  dcat:distribution <https://datos.example.org/d/r/1> .
<https://datos.example.org/d/r/1> a dcat:Distribution ; dct:rights [ a dct:RightsStatement ; rdfs:label ${dist} ] .`
  const literal = await only(doc('"acceso libre"', '"uso sin restricciones"'))
  t.equal(ex(literal, 'access_rights'), 'acceso libre')
  t.equal(resources(literal)[0].rights, 'uso sin restricciones')
  const iri = await only(doc('<https://datos.example.org/derechos/3>', '<https://datos.example.org/derechos/2>'))
  t.equal(ex(iri, 'access_rights'), 'https://datos.example.org/derechos/3')
  t.equal(resources(iri)[0].rights, 'https://datos.example.org/derechos/2')
})

t.test('dcat_ap: access and download URLs', async (t) => {
  const res = async (props: string) =>
    resources(
      await only(`<https://datos.example.org/d/u> a dcat:Dataset ; dcat:distribution <https://datos.example.org/d/u/1> .
<https://datos.example.org/d/u/1> a dcat:Distribution ${props} .`),
    )[0]
  const access = await res('; dcat:accessURL "https://datos.example.org/acceso"')
  t.same([access.url, access.access_url, 'download_url' in access], ['https://datos.example.org/acceso', 'https://datos.example.org/acceso', false], 'access only (a literal)')
  const download = await res('; dcat:downloadURL "https://datos.example.org/descarga.csv"')
  t.same([download.url, download.download_url, 'access_url' in download], ['https://datos.example.org/descarga.csv', 'https://datos.example.org/descarga.csv', false], 'download only')
  const both = await res('; dcat:accessURL <https://datos.example.org/acceso> ; dcat:downloadURL <https://datos.example.org/descarga.csv>')
  t.same([both.url, both.download_url, both.access_url], ['https://datos.example.org/descarga.csv', 'https://datos.example.org/descarga.csv', 'https://datos.example.org/acceso'], 'both: download wins')
})

t.test('dcat_ap: format and media type', async (t) => {
  const formatOf = async (props: string) => {
    const r = resources(
      await only(`<https://datos.example.org/d/f> a dcat:Dataset ; dcat:distribution <https://datos.example.org/d/f/1> .
<https://datos.example.org/d/f/1> a dcat:Distribution ${props} .`),
    )[0]
    return [r.format, r.mimetype]
  }
  const IANA_JSON = 'https://www.iana.org/assignments/media-types/application/json'
  const cases: [string, [string | undefined, string | undefined], string][] = [
    ['; dcat:mediaType "text/csv" ; dct:format "CSV"', ['CSV', 'text/csv'], 'media type and format'],
    ['; dct:format "CSV"', ['CSV', undefined], 'format only'],
    ['; dcat:mediaType "text/csv"', ['CSV', 'text/csv'], 'media type only: the format is its CKAN name'],
    ['; dcat:mediaType "text/unknown-imt"', ['text/unknown-imt', 'text/unknown-imt'], 'unknown media type'],
    ['; dcat:mediaType "text/csv" ; dct:format "Comma Separated Values"', ['CSV', 'text/csv'], 'a known media type names the format'],
    ['; dct:format [ a dct:IMT ; rdf:value "text/turtle" ; rdfs:label "Turtle" ]', ['Turtle', 'text/turtle'], 'dct:IMT node labelled Turtle'],
    ['; dct:format [ a dct:IMT ; rdf:value "text/html" ; rdfs:label "HTML" ]', ['HTML', 'text/html'], 'dct:IMT node'],
    [`; dct:format <${IANA_JSON}>`, ['JSON', IANA_JSON], 'IANA IRI in dct:format: kept in mimetype'],
    [`; dcat:mediaType <${IANA_JSON}>`, [IANA_JSON, IANA_JSON], 'IANA IRI in dcat:mediaType alone: mimetype and format'],
    ['; dct:format <https://datos.example.org/formatos/propio>', ['https://datos.example.org/formatos/propio', undefined], 'another IRI is a format'],
    ['; dct:format "application/json"', ['JSON', 'application/json'], 'a media type as dct:format literal'],
    ['; dct:format "application/json" ; dcat:mediaType "test-mediatype"', ['JSON', 'test-mediatype'], 'dcat:mediaType wins the mimetype'],
    ['; dct:format <http://publications.europa.eu/resource/authority/file-type/GEOJSON>', ['GeoJSON', undefined], 'EU file type'],
    ['; dct:format [ a dct:MediaTypeOrExtent ; rdfs:label "PHP" ]', ['PHP', undefined], 'a labelled format node (no EU file type)'],
    ['; dct:format [ a dct:MediaTypeOrExtent ; dct:title "DTA" ]', ['DTA', undefined], 'a format node named by dct:title'],
  ]
  for (const [props, want, why] of cases) t.same(await formatOf(props), want, why)
})

t.test('dcat_ap: keywords with commas, Turtle read as N3', async (t) => {
  t.same((await only('<https://datos.example.org/d/k> a dcat:Dataset ; dcat:keyword "Ríos, embalses, acuíferos" .')).tags, [{ name: 'Ríos' }, { name: 'embalses' }, { name: 'acuíferos' }])
  const n3 = await parseRdfPage(
    `${PREFIXES}<https://datos.example.org/d/n3> a dcat:Dataset ; dct:title "Vehículos abandonados" ; dcat:distribution <https://datos.example.org/d/n3/csv> .
<https://datos.example.org/d/n3/csv> a dcat:Distribution ; dct:title "CSV de: Vehículos abandonados" ; dcat:accessURL <https://datos.example.org/ficheros/vehiculos.csv> .`,
    { rdfFormat: 'n3', sourceUrl: '' },
  )
  const [r] = resources(n3.datasets[0].dict)
  t.same([r.name, r.url, r.uri], ['CSV de: Vehículos abandonados', 'https://datos.example.org/ficheros/vehiculos.csv', 'https://datos.example.org/d/n3/csv'])
})

t.test('dcat_ap and dcat_ap_2: spatial coverage', async (t) => {
  const GJ = 'https://www.iana.org/assignments/media-types/application/vnd.geo+json'
  const spatialOf = async (body: string) => {
    const d = await only(`<https://datos.example.org/d/s> a dcat:Dataset ; ${body}`)
    return Object.fromEntries(['spatial_uri', 'spatial_text', 'spatial', 'spatial_bbox', 'spatial_centroid'].map((k) => [k, ex(d, k)]))
  }
  const none = { spatial_uri: undefined, spatial_text: undefined, spatial: undefined, spatial_bbox: undefined, spatial_centroid: undefined }
  const point = '{"type": "Point", "coordinates": [-5, 41]}'
  const box = '{"type": "Polygon", "coordinates": [[[-6, 40], [-6, 42], [-4, 42], [-4, 40], [-6, 40]]]}'
  const centre = '{"type": "Point", "coordinates": [-5.5, 41.5]}'
  t.same(
    await spatialOf(`dct:spatial <https://datos.example.org/lugar/zamora>,
  [ a dct:Location ; locn:geometry "${point.replace(/"/g, '\\"')}"^^<${GJ}> ; dcat:bbox "${box.replace(/"/g, '\\"')}"^^<${GJ}> ; dcat:centroid "${centre.replace(/"/g, '\\"')}"^^<${GJ}> ],
  [ a dct:Location ; skos:prefLabel "Zamora" ] .`),
    { spatial_uri: 'https://datos.example.org/lugar/zamora', spatial_text: 'Zamora', spatial: point, spatial_bbox: box, spatial_centroid: centre },
    'several dct:spatial instances',
  )
  t.same(
    await spatialOf(`dct:spatial <https://datos.example.org/lugar/zamora> .
<https://datos.example.org/lugar/zamora> a dct:Location ; skos:prefLabel "Zamora" ; locn:geometry "${point.replace(/"/g, '\\"')}"^^<${GJ}> .`),
    { ...none, spatial_uri: 'https://datos.example.org/lugar/zamora', spatial_text: 'Zamora', spatial: point },
    'one instance with an IRI',
  )
  t.same(
    await spatialOf(`dct:spatial [ a dct:Location ; skos:prefLabel "Zamora" ; locn:geometry "${point.replace(/"/g, '\\"')}"^^<${GJ}> ] .`),
    { ...none, spatial_text: 'Zamora', spatial: point },
    'one blank instance: no uri, bbox or centroid',
  )
  t.same(
    await spatialOf('dct:spatial <https://datos.example.org/lugar/zamora> . <https://datos.example.org/lugar/zamora> a dct:Location ; rdfs:label "Zamora" .'),
    { ...none, spatial_uri: 'https://datos.example.org/lugar/zamora', spatial_text: 'Zamora' },
    'rdfs:label',
  )
  t.same(
    await spatialOf(`dct:spatial <https://datos.example.org/lugar/zamora> .
<https://datos.example.org/lugar/zamora> a dct:Location ;
  locn:geometry "${point.replace(/"/g, '\\"')}"^^<${GJ}>, "POINT (1 2)"^^gsp:wktLiteral ;
  dcat:bbox "${box.replace(/"/g, '\\"')}"^^<${GJ}>, "POINT (3 4)"^^gsp:wktLiteral ;
  dcat:centroid "${centre.replace(/"/g, '\\"')}"^^<${GJ}>, "POINT (5 6)"^^gsp:wktLiteral .`),
    { ...none, spatial_uri: 'https://datos.example.org/lugar/zamora', spatial: point, spatial_bbox: box, spatial_centroid: centre },
    'GeoJSON wins over WKT',
  )
  t.same(
    await spatialOf(`dct:spatial <https://datos.example.org/lugar/zamora> .
<https://datos.example.org/lugar/zamora> a dct:Location ; locn:geometry "POINT (-5 41)"^^gsp:wktLiteral ; dcat:bbox "POINT (-6 40)"^^gsp:wktLiteral ; dcat:centroid "POINT (-4 42)"^^gsp:wktLiteral .`),
    {
      ...none,
      spatial_uri: 'https://datos.example.org/lugar/zamora',
      spatial: '{"type": "Point", "coordinates": [-5.0, 41.0]}',
      spatial_bbox: '{"type": "Point", "coordinates": [-6.0, 40.0]}',
      spatial_centroid: '{"type": "Point", "coordinates": [-4.0, 42.0]}',
    },
    'WKT only: converted, coordinates as floats',
  )
  t.same(
    await spatialOf(`dct:spatial <https://datos.example.org/lugar/zamora> .
<https://datos.example.org/lugar/zamora> a dct:Location ; locn:geometry "ni GeoJSON"^^<${GJ}>, "ni WKT"^^gsp:wktLiteral ; dcat:bbox "ni GeoJSON"^^<${GJ}>, "ni WKT"^^gsp:wktLiteral ; dcat:centroid "ni GeoJSON"^^<${GJ}>, "ni WKT"^^gsp:wktLiteral .`),
    { ...none, spatial_uri: 'https://datos.example.org/lugar/zamora' },
    'unusable geometries are dropped',
  )
  t.same(
    await spatialOf(`dct:spatial [ a dct:Location ; locn:geometry [ a locn:Geometry ; gsp:asWKT "POINT (-5 41)"^^gsp:wktLiteral ] ;
  dcat:bbox [ a locn:Geometry ; gsp:asGeoJSON "${box.replace(/"/g, '\\"')}"^^gsp:geoJSONLiteral ] ] .`),
    { ...none, spatial: '{"type": "Point", "coordinates": [-5.0, 41.0]}', spatial_bbox: box },
    'DCAT-AP 3 geometry nodes: gsp:asWKT, gsp:asGeoJSON with its GeoSPARQL datatype',
  )
  t.same(await spatialOf('dct:spatial "Zamora" .'), { ...none, spatial_text: 'Zamora' }, 'a literal only')
  t.same(await spatialOf('dct:spatial <https://datos.example.org/lugar/zamora> .'), { ...none, spatial_uri: 'https://datos.example.org/lugar/zamora' }, 'an IRI only')
})

t.test('dcat_ap_2: every DCAT-AP 2 property of a dataset and its distribution', async (t) => {
  const LEG = 'http://data.europa.eu/eli/reg_impl/2023/138/oj'
  const d = await only(
    `<?xml version="1.0" encoding="utf-8" ?>
<rdf:RDF xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dcatap="http://data.europa.eu/r5r/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<dcat:Dataset rdf:about="https://datos.example.org/d/red-viaria">
  <dct:temporal><dct:PeriodOfTime>
    <dcat:startDate rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime">1998-07-01T06:30:00+02:00</dcat:startDate>
    <dcat:endDate rdf:datatype="http://www.w3.org/2001/XMLSchema#date">2021-11-30</dcat:endDate>
  </dct:PeriodOfTime></dct:temporal>
  <dcatap:applicableLegislation rdf:resource="${LEG}"/>
  <dcatap:hvdCategory rdf:resource="http://data.europa.eu/bna/c_b79e35eb"/>
  <dcat:temporalResolution rdf:datatype="http://www.w3.org/2001/XMLSchema#duration">P1M</dcat:temporalResolution>
  <dcat:spatialResolutionInMeters rdf:datatype="http://www.w3.org/2001/XMLSchema#decimal">25</dcat:spatialResolutionInMeters>
  <dct:isReferencedBy rdf:resource="https://doi.org/10.5555/red-viaria"/>
  <dcat:distribution><dcat:Distribution rdf:about="https://datos.example.org/d/red-viaria/gml">
    <dcat:accessURL rdf:resource="https://datos.example.org/wfs/red-viaria"/>
    <dct:title>Red viaria (GML)</dct:title>
    <dct:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#date">2021-12-01</dct:issued>
    <dct:modified rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime">2022-01-15T08:00:00</dct:modified>
    <dcat:temporalResolution rdf:datatype="http://www.w3.org/2001/XMLSchema#duration">P1M</dcat:temporalResolution>
    <dcat:spatialResolutionInMeters rdf:datatype="http://www.w3.org/2001/XMLSchema#decimal">25</dcat:spatialResolutionInMeters>
    <dcatap:availability rdf:resource="http://publications.europa.eu/resource/authority/planned-availability/STABLE"/>
    <dcat:compressFormat rdf:resource="http://www.iana.org/assignments/media-types/application/zip"/>
    <dcat:packageFormat rdf:resource="http://publications.europa.eu/resource/authority/file-type/ZIP"/>
    <dcatap:applicableLegislation rdf:resource="${LEG}"/>
    <dcat:accessService><dcat:DataService>
      <dcatap:availability rdf:resource="http://publications.europa.eu/resource/authority/planned-availability/STABLE"/>
      <dct:title>Servicio WFS de la red viaria</dct:title>
      <dcat:endpointURL rdf:resource="https://datos.example.org/wfs"/>
      <dct:description>Consulta de tramos por provincia</dct:description>
      <dcat:endpointDescription>Capacidades WFS 2.0</dcat:endpointDescription>
      <dct:license rdf:resource="http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"/>
      <dct:accessRights rdf:resource="http://publications.europa.eu/resource/authority/access-right/PUBLIC"/>
      <dcatap:applicableLegislation rdf:resource="${LEG}"/>
      <dct:modified rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime">2022-01-10T12:00:00</dct:modified>
      <dcat:theme rdf:resource="http://publications.europa.eu/resource/authority/data-theme/TRAN"/>
      <dcat:theme rdf:resource="http://publications.europa.eu/resource/authority/data-theme/REGI"/>
    </dcat:DataService></dcat:accessService>
  </dcat:Distribution></dcat:distribution>
</dcat:Dataset>
</rdf:RDF>`,
    'application/rdf+xml',
  )
  t.equal(ex(d, 'temporal_resolution'), 'P1M')
  t.equal(ex(d, 'spatial_resolution_in_meters'), '25.0')
  t.equal(ex(d, 'is_referenced_by'), '["https://doi.org/10.5555/red-viaria"]')
  t.equal(ex(d, 'temporal_start'), '1998-07-01T06:30:00+02:00')
  t.equal(ex(d, 'temporal_end'), '2021-11-30')
  t.equal(ex(d, 'applicable_legislation'), `["${LEG}"]`)
  t.equal(ex(d, 'hvd_category'), '["http://data.europa.eu/bna/c_b79e35eb"]')
  const [r] = resources(d)
  t.equal(r.availability, 'http://publications.europa.eu/resource/authority/planned-availability/STABLE')
  t.equal(r.compress_format, 'http://www.iana.org/assignments/media-types/application/zip')
  t.equal(r.package_format, 'http://publications.europa.eu/resource/authority/file-type/ZIP')
  t.equal(r.temporal_resolution, 'P1M')
  t.equal(r.spatial_resolution_in_meters, '25.0')
  t.equal(r.applicable_legislation, `["${LEG}"]`)
  t.same(JSON.parse(r.access_services as string), [
    {
      availability: 'http://publications.europa.eu/resource/authority/planned-availability/STABLE',
      title: 'Servicio WFS de la red viaria',
      endpoint_description: 'Capacidades WFS 2.0',
      license: 'http://publications.europa.eu/resource/authority/licence/CC_BY_4_0',
      access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      description: 'Consulta de tramos por provincia',
      modified: '2022-01-10T12:00:00',
      endpoint_url: ['https://datos.example.org/wfs'],
      applicable_legislation: [LEG],
      theme: ['http://publications.europa.eu/resource/authority/data-theme/TRAN', 'http://publications.europa.eu/resource/authority/data-theme/REGI'],
      uri: '',
    },
  ])
})

t.test('dcat_ap_2: availability on blank and named distributions, literal values', async (t) => {
  const PA = 'http://publications.europa.eu/resource/authority/planned-availability/'
  const d = await only(`<https://datos.example.org/d/a> a dcat:Dataset ; dcat:distribution
  [ a dcat:Distribution ; dct:description "${PA}AVAILABLE" ; dcatap:availability <${PA}AVAILABLE> ],
  <https://datos.example.org/d/a/2>,
  [ a dcat:Distribution ; dct:description "${PA}STABLE" ; dcatap:availability <${PA}STABLE> ] .
<https://datos.example.org/d/a/2> a dcat:Distribution ; dct:description "${PA}EXPERIMENTAL" ; dcatap:availability <${PA}EXPERIMENTAL> .`)
  t.equal(resources(d).length, 3)
  for (const r of resources(d)) t.equal(r.availability, r.description)
  const literal = await only(`<https://datos.example.org/d/l> a dcat:Dataset ; dcat:distribution [ a dcat:Distribution ;
  dcatap:availability "TEMPORARY" ; dcat:compressFormat "bzip2" ; dcat:packageFormat "ZIP" ] .`)
  t.same([resources(literal)[0].availability, resources(literal)[0].compress_format, resources(literal)[0].package_format], ['TEMPORARY', 'bzip2', 'ZIP'])
})

t.test('dcat_ap_2: repeated values', async (t) => {
  const d = await only(`<https://datos.example.org/d/m> a dcat:Dataset ;
  dcat:temporalResolution "PT1H"^^xsd:duration ;
  dcat:spatialResolutionInMeters "12.5"^^xsd:decimal, "40"^^xsd:decimal ;
  dct:isReferencedBy <https://doi.org/10.5555/uno>, <https://doi.org/10.5555/dos> ;
  dcatap:applicableLegislation <http://data.europa.eu/eli/reg_impl/2023/138/oj>, "http://data.europa.eu/eli/dir/2019/1024/oj" ;
  dcatap:hvdCategory <http://data.europa.eu/bna/c_dd313021>, "http://data.europa.eu/bna/c_164e0bf5" ;
  dcat:distribution [ a dcat:Distribution ; dcatap:applicableLegislation <http://data.europa.eu/eli/reg_impl/2023/138/oj>, "http://data.europa.eu/eli/dir/2019/1024/oj" ] .`)
  t.equal(ex(d, 'temporal_resolution'), 'PT1H')
  t.same(JSON.parse(ex(d, 'spatial_resolution_in_meters') as string).sort(), [12.5, 40])
  t.same(JSON.parse(ex(d, 'is_referenced_by') as string).sort(), ['https://doi.org/10.5555/dos', 'https://doi.org/10.5555/uno'])
  const legislation = JSON.parse(ex(d, 'applicable_legislation') as string)
  t.same([...legislation].sort(), ['http://data.europa.eu/eli/dir/2019/1024/oj', 'http://data.europa.eu/eli/reg_impl/2023/138/oj'])
  t.same(JSON.parse(ex(d, 'hvd_category') as string).sort(), ['http://data.europa.eu/bna/c_164e0bf5', 'http://data.europa.eu/bna/c_dd313021'])
  t.same(JSON.parse(resources(d)[0].applicable_legislation as string), legislation, 'the distribution lists the same, in the same order')
})

t.test('dcat_ap_2: access services, IRIs or literals, list values only', async (t) => {
  const service = (s: Dict) => `<dcat:accessService><dcat:DataService>
  <dcatap:availability rdf:resource="${s.availability}"/>
  <dct:title>${s.title}</dct:title>
  <dcat:endpointURL rdf:resource="${s.endpoint}"/>
  <dct:description>${s.description}</dct:description>
  <dcat:endpointDescription>${s.endpoint_description}</dcat:endpointDescription>
  <dct:license>${s.license}</dct:license>
  <dct:accessRights>${s.access_rights}</dct:accessRights>
  <dcat:servesDataset rdf:resource="${s.serves}"/>
</dcat:DataService></dcat:accessService>`
  const doc = (services: Dict[]) => `<?xml version="1.0" encoding="utf-8" ?>
<rdf:RDF xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dcatap="http://data.europa.eu/r5r/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<dcat:Dataset rdf:about="https://datos.example.org/d/s"><dcat:distribution>
  <dcat:Distribution rdf:about="https://datos.example.org/d/s/1"><dct:title>Servicios</dct:title>${services.map(service).join('')}</dcat:Distribution>
</dcat:distribution></dcat:Dataset></rdf:RDF>`
  const input = [
    {
      availability: 'http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE',
      title: 'API de consulta',
      endpoint: 'https://datos.example.org/api',
      description: 'Consulta por código postal',
      endpoint_description: 'OpenAPI 3',
      license: 'http://publications.europa.eu/resource/authority/licence/CC_BY_4_0',
      access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      serves: 'https://datos.example.org/d/s',
    },
    {
      availability: 'http://publications.europa.eu/resource/authority/planned-availability/EXPERIMENTAL',
      title: 'API de pruebas',
      endpoint: 'https://datos.example.org/api-beta',
      description: 'Versión en pruebas',
      endpoint_description: 'OpenAPI 3.1',
      license: 'CC_BY_4_0',
      access_rights: 'RESTRICTED',
      serves: 'https://datos.example.org/d/s',
    },
  ]
  const [r] = resources(await only(doc(input), 'application/rdf+xml'))
  const parsed = JSON.parse(r.access_services as string) as Dict[]
  t.same(
    parsed,
    input.map((s) => ({
      availability: s.availability,
      title: s.title,
      endpoint_description: s.endpoint_description,
      license: s.license,
      access_rights: s.access_rights,
      description: s.description,
      endpoint_url: [s.endpoint],
      serves_dataset: [s.serves],
      uri: '',
    })),
    'IRIs and literals both kept as written',
  )

  const listsOnly = await only(`<https://datos.example.org/d/s> a dcat:Dataset ; dcat:distribution [ a dcat:Distribution ;
  dcat:accessService [ a dcat:DataService ; dcat:endpointURL <https://datos.example.org/sparql> ; dcat:servesDataset <https://datos.example.org/d/s> ] ] .`)
  t.same(JSON.parse(resources(listsOnly)[0].access_services as string), [{ endpoint_url: ['https://datos.example.org/sparql'], serves_dataset: ['https://datos.example.org/d/s'], uri: '' }])
})

t.test('dates read as rdflib prints them (ckanext-dcat: modified 2012-05-10T21:04 → 2012-05-10T21:04:00)', async (t) => {
  const d = await only(`<https://datos.example.org/d/t> a dcat:Dataset ;
  dct:issued "2019-03-04"^^xsd:date ;
  dct:modified "2019-03-04T09:15"^^xsd:dateTime ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2018-01-01T00:00:00Z"^^xsd:dateTime ; dcat:endDate "2018-12-31T23:59:59.5-00:00"^^xsd:dateTime ] ;
  dcat:distribution [ a dcat:Distribution ; dct:issued "2019-03-05T10:00:00+0100"^^xsd:dateTime ; dct:modified "2019-03-06"^^xsd:dateTime ; dcat:byteSize "0042"^^xsd:nonNegativeInteger ] .`)
  t.equal(ex(d, 'issued'), '2019-03-04')
  t.equal(ex(d, 'modified'), '2019-03-04T09:15:00', 'seconds added')
  t.equal(ex(d, 'temporal_start'), '2018-01-01T00:00:00+00:00', 'Z as an offset')
  t.equal(ex(d, 'temporal_end'), '2018-12-31T23:59:59.500000+00:00', 'microseconds, -00:00 as +00:00')
  const [r] = resources(d)
  t.equal(r.issued, '2019-03-05T10:00:00+01:00')
  t.equal(r.modified, '2019-03-06T00:00:00', 'a date typed xsd:dateTime gets a time')
  t.equal(r.size, 42)
  const untyped = await only('<https://datos.example.org/d/t> a dcat:Dataset ; dct:modified "2019-03-04T09:15" ; dct:issued "2019-02-30"^^xsd:date .')
  t.equal(ex(untyped, 'modified'), '2019-03-04T09:15', 'an untyped literal is kept as written')
  t.equal(ex(untyped, 'issued'), '2019-02-30', 'an impossible date is kept as written')
  const page = await parseRdfPage(`${PREFIXES}<https://datos.example.org/d/t> a dcat:Dataset ; dct:title "T" ; dct:modified "2019-03-04T09:15"^^xsd:dateTime .`, { contentType: 'text/turtle', sourceUrl: '' })
  t.equal(page.datasets[0].modified, '2019-03-04T09:15:00', 'the harvest object keeps the same date')
})

t.test('dcat_ap_3: several temporal periods, the first one is read (no scheming: one pair of extras)', async (t) => {
  const d = await only(`<https://datos.example.org/d/p> a dcat:Dataset ; dct:title "Periodos" ;
  dct:temporal [ dcat:startDate "2020-01-01T00:00:00Z"^^xsd:dateTime ; dcat:endDate "2020-12-31T00:00:00Z"^^xsd:dateTime ] .`)
  t.same([ex(d, 'temporal_start'), ex(d, 'temporal_end')], ['2020-01-01T00:00:00+00:00', '2020-12-31T00:00:00+00:00'])
})

t.test('dcat_ap: datasets of a sub-catalog carry it as source_catalog_* (test_parse_subcatalog), also after the record is stored alone', async (t) => {
  const body = `${PREFIXES}
<https://agregador.example.org/catalogo> a dcat:Catalog ; dct:title "Agregador" ; dct:hasPart <https://provincia.example.org/> ;
  dcat:dataset <https://agregador.example.org/d/propio> .
<https://provincia.example.org/> a dcat:Catalog ; dct:title "Portal provincial" ; dct:description "Datos de la provincia" ;
  foaf:homepage <https://provincia.example.org/> ; dct:language "es" ; dct:modified "2024-03-01T10:00"^^xsd:dateTime ;
  dct:publisher <https://provincia.example.org/gobierno> ; dcat:dataset <https://provincia.example.org/d/rutas> .
<https://provincia.example.org/gobierno> a foaf:Organization ; foaf:name "Gobierno provincial" ; foaf:mbox "datos@provincia.example.org" .
<https://provincia.example.org/d/rutas> a dcat:Dataset ; dct:title "Rutas provinciales" .
<https://agregador.example.org/d/propio> a dcat:Dataset ; dct:title "Conjunto propio" .`
  const page = await parseRdfPage(body, { contentType: 'text/turtle', sourceUrl: '' })
  const [rutas, propio] = ['https://provincia.example.org/d/rutas', 'https://agregador.example.org/d/propio'].map((guid) => page.datasets.find((d) => d.guid === guid)!)
  const want = {
    source_catalog_title: 'Portal provincial',
    source_catalog_description: 'Datos de la provincia',
    source_catalog_homepage: 'https://provincia.example.org/',
    source_catalog_language: 'es',
    source_catalog_modified: '2024-03-01T10:00:00',
    source_catalog_publisher: '{"uri": "https://provincia.example.org/gobierno", "name": "Gobierno provincial", "email": "datos@provincia.example.org", "url": "", "type": "", "identifier": ""}',
  }
  for (const [k, v] of Object.entries(want)) t.equal(ex(rutas.dict, k), v, k)
  t.equal(ex(propio.dict, 'source_catalog_title'), undefined, 'a dataset of the root catalog has no source catalog')
  const again = await parseRdfPage(rutas.content, { rdfFormat: 'nt', sourceUrl: '' })
  t.same(
    again.datasets.map((d) => d.dict),
    [rutas.dict],
    'the stored record carries its sub-catalog',
  )
  t.notOk(rutas.content.includes('Conjunto propio'), 'but not the rest of the catalog')
})
