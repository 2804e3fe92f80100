import t from 'tap'
import { DataFactory } from 'n3'
import { literalText } from '../../src/dcat/read/literal-text.js'

// expected values printed by rdflib 7 (str(Literal(text, datatype=XSD.type))), the library ckanext-dcat reads with
const XSD = 'http://www.w3.org/2001/XMLSchema#'
const CASES: [string, string, string][] = [
  ['2012-05-10T21:04', 'dateTime', '2012-05-10T21:04:00'],
  ['2013-04-26T00:00:00Z', 'dateTime', '2013-04-26T00:00:00+00:00'],
  ['2012-05-10T21:04:00.000Z', 'dateTime', '2012-05-10T21:04:00+00:00'],
  ['2012-05-10T21:04:00-00:00', 'dateTime', '2012-05-10T21:04:00+00:00'],
  ['2012-05-10T21:04:00+0200', 'dateTime', '2012-05-10T21:04:00+02:00'],
  ['2012-05-10T21:04:00.500+02:00', 'dateTime', '2012-05-10T21:04:00.500000+02:00'],
  ['2012-05-10T21:04:05.12', 'dateTime', '2012-05-10T21:04:05.120000'],
  ['2012-05-10T21:04:00.1234567', 'dateTime', '2012-05-10T21:04:00.123456'],
  ['2024-01-01T00:00:00+05:30', 'dateTime', '2024-01-01T00:00:00+05:30'],
  ['2012-05-10 21:04:00', 'dateTime', '2012-05-10T21:04:00'],
  ['2012-05-10T21', 'dateTime', '2012-05-10T21:00:00'],
  ['2012-05-10', 'dateTime', '2012-05-10T00:00:00'],
  ['2012-05-10T24:00:00', 'dateTime', '2012-05-10T24:00:00'],
  ['2012-05-10', 'date', '2012-05-10'],
  ['2012-05-10+02:00', 'date', '2012-05-10'],
  ['2012-05-10Z', 'date', '2012-05-10'],
  ['2012-05-10T21:04:06', 'date', '2012-05-10'],
  ['2012-02-30', 'date', '2012-02-30'],
  ['2012-5-1', 'date', '2012-5-1'],
  ['012', 'integer', '12'],
  ['+12', 'integer', '12'],
  ['-0', 'integer', '0'],
  ['  7 ', 'integer', '7'],
  ['1.0', 'integer', '1.0'],
  ['100', 'nonNegativeInteger', '100'],
  ['1', 'boolean', 'true'],
  ['0', 'boolean', 'false'],
  ['TRUE', 'boolean', 'true'],
  ['1.50', 'decimal', '1.50'],
  ['PT15M', 'duration', 'PT15M'],
  ['2012', 'gYear', '2012'],
]

t.test('typed literals print as rdflib prints them', async (t) => {
  for (const [text, type, want] of CASES) t.equal(literalText(DataFactory.literal(text, DataFactory.namedNode(`${XSD}${type}`))), want, `"${text}"^^xsd:${type}`)
  t.equal(literalText(DataFactory.literal('2012-05-10T21:04')), '2012-05-10T21:04', 'untyped: as written')
  t.equal(literalText(DataFactory.literal('2012-05-10T21:04', 'es')), '2012-05-10T21:04', 'language-tagged: as written')
})
