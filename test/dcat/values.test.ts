import t from 'tap'
import { negotiate } from '../../src/dcat/negotiation.js'
import { dateLiteral, geoJsonBbox, geoJsonToWkt, listValue } from '../../src/dcat/write/values.js'
import { fileTypeIri, frequencyIri, languageIri, mediaTypeIri, themeIri } from '../../src/dcat/write/vocabularies.js'
import { parseProfiles } from '../../src/dcat/write/profiles.js'
import { ValidationError } from '../../src/errors.js'
import { datasetUri, resourceUri } from '../../src/dcat/write/graph.js'

t.test('Accept header → RDF format (ckanext-dcat parse_accept_header)', async (t) => {
  t.equal(negotiate('text/turtle'), 'turtle')
  t.equal(negotiate('text/html, application/xhtml+xml, */*;q=0.8'), undefined, 'a browser gets the page')
  t.equal(negotiate('text/html;q=0.4, application/ld+json;q=0.9'), 'jsonld', 'by q')
  t.equal(negotiate('application/ld+json, text/turtle'), 'jsonld', 'ties in header order')
  t.equal(negotiate('text/*'), 'n3', 'text/* is the first text format')
  t.equal(negotiate('application/json, application/rdf+xml;q=0.5'), 'rdfxml', 'unknown types are skipped')
  t.equal(negotiate('text/turtle;q=0'), undefined, 'q=0 is refused')
  t.equal(negotiate(undefined), undefined)
})

t.test('dates keep their precision', async (t) => {
  const dt = (v: string) => {
    const l = dateLiteral(v)
    return [l.value, l.datatype.value.split('#')[1]]
  }
  t.same(dt('2024'), ['2024', 'gYear'])
  t.same(dt('2024-05'), ['2024-05', 'gYearMonth'])
  t.same(dt('2024-05-01'), ['2024-05-01', 'date'])
  t.same(dt('2024-05-01T10:11:12.123456'), ['2024-05-01T10:11:12.123456', 'dateTime'])
  t.same(dt('2024-05-01 10:11'), ['2024-05-01T10:11:00', 'dateTime'])
  t.same(dt('2024-05-01T10:11:12+02:00'), ['2024-05-01T10:11:12+02:00', 'dateTime'])
  t.same(dt('primavera 2024'), ['primavera 2024', 'string'], 'text stays text')
})

t.test('GeoJSON → WKT', async (t) => {
  t.equal(geoJsonToWkt('{"type":"Point","coordinates":[-58.4,-34.6]}'), 'POINT (-58.4 -34.6)')
  t.equal(
    geoJsonToWkt({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      ],
    }),
    'MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))',
  )
  t.equal(geoJsonToWkt('{"type":"Point","coordinates":["a",1]}'), undefined, 'bad coordinates')
  t.equal(geoJsonToWkt('not json'), undefined)
  t.equal(geoJsonToWkt('{"type":"Circle","coordinates":[0,0]}'), undefined)
  t.equal(geoJsonBbox('{"type":"LineString","coordinates":[[-58.41234,-34.6],[-57,-33.123456]]}'), 'POLYGON ((-58.4123 -34.6, -57 -34.6, -57 -33.1235, -58.4123 -33.1235, -58.4123 -34.6))')
})

t.test('list values as ckanext-dcat reads them', async (t) => {
  const d = (value: string) => ({ extras: [{ key: 'language', value }] })
  t.same(listValue(d('["es", "en"]'), 'language'), ['es', 'en'])
  t.same(listValue(d('es, en'), 'language'), ['es', 'en'])
  t.same(listValue(d('es'), 'language'), ['es'])
  t.same(listValue({ language: ['pt'] }, 'language'), ['pt'], 'a root list')
  t.same(listValue({ extras: [{ key: 'dcat_language', value: 'fr' }] }, 'language'), ['fr'], 'legacy dcat_ prefix')
})

t.test('EU authority IRIs', async (t) => {
  const A = 'http://publications.europa.eu/resource/authority/'
  t.equal(languageIri('es'), `${A}language/SPA`)
  t.equal(languageIri('es-AR'), `${A}language/SPA`)
  t.equal(languageIri('ENG'), `${A}language/ENG`)
  t.equal(languageIri('klingon'), undefined)
  t.equal(themeIri('econ'), `${A}data-theme/ECON`)
  t.equal(themeIri('economía'), undefined)
  t.equal(frequencyIri('R/P1Y'), `${A}frequency/ANNUAL`)
  t.equal(frequencyIri('eventual'), `${A}frequency/IRREG`)
  t.equal(frequencyIri('weekly'), `${A}frequency/WEEKLY`)
  t.equal(fileTypeIri('CSV'), `${A}file-type/CSV`)
  t.equal(fileTypeIri('GeoJSON'), `${A}file-type/GEOJSON`)
  t.equal(fileTypeIri('Formato raro'), undefined)
  t.equal(mediaTypeIri('text/csv; charset=utf-8'), 'https://www.iana.org/assignments/media-types/text/csv')
  t.equal(mediaTypeIri('csv'), undefined)
})

t.test('profiles', async (t) => {
  t.same(parseProfiles(undefined), ['euro_dcat_ap_3'])
  t.same(parseProfiles('schemaorg, euro_dcat_ap_3'), ['schemaorg', 'euro_dcat_ap_3'])
  t.same(parseProfiles(['schemaorg']), ['schemaorg'])
  t.same(parseProfiles('euro_dcat_ap_2,euro_dcat_ap'), ['euro_dcat_ap_2', 'euro_dcat_ap'])
  t.throws(() => parseProfiles('x,euro_dcat_ap_1'), new ValidationError({ message: 'Unknown RDF profiles: euro_dcat_ap_1, x' }))
})

t.test('stored uris are kept only when absolute', async (t) => {
  const site = { url: 'http://s', title: '', description: '' }
  const ds = (uri?: string) => datasetUri({ id: 'i', extras: uri === undefined ? [] : [{ key: 'uri', value: uri }] }, site)
  t.equal(ds('https://x.org/d/1'), 'https://x.org/d/1')
  t.equal(ds('urn:uuid:123'), 'urn:uuid:123')
  t.equal(ds('not an iri'), 'http://s/dataset/i')
  t.equal(ds('None'), 'http://s/dataset/i', "ckanext-dcat's None")
  t.equal(ds(), 'http://s/dataset/i')
  t.equal(resourceUri({ id: 'r', uri: 'https://x.org/dist/1' }, 'i', site), 'https://x.org/dist/1')
  t.equal(resourceUri({ id: 'r', uri: '' }, 'i', site), 'http://s/dataset/i/resource/r')
})
