import t from 'tap'
import { columnNames, cutToBytes } from '../../src/datastore/load/headers.js'
import { TypeGuesser, valueType, widen } from '../../src/datastore/load/guess.js'
import { copyValue, demotedColumn } from '../../src/datastore/load/copy.js'

t.test('column names from headers', async (t) => {
  t.same(columnNames(['Año', ' Población total ', '', 'Año', 'año', '_id', '__x', 'a"b', 'línea\nnueva', '   ']), [
    { id: 'Año', label: 'Año' },
    { id: 'Población total', label: ' Población total ' },
    { id: 'column_3' },
    { id: 'Año_2', label: 'Año' },
    { id: 'año_3', label: 'año' },
    { id: 'id', label: '_id' },
    { id: 'x', label: '__x' },
    { id: "a'b", label: 'a"b' },
    { id: 'línea nueva', label: 'línea\nnueva' },
    { id: 'column_10' },
  ])
  const long = 'ñ'.repeat(40)
  const [a, b] = columnNames([long, long])
  t.equal(Buffer.byteLength(a.id), 62, 'cut at 63 bytes without splitting a two-byte character')
  t.equal(a.label, long)
  t.equal(b.id, 'ñ'.repeat(30) + '_2', 'a duplicate of a long name still fits with its suffix')
  t.ok(Buffer.byteLength(b.id) <= 63)
  t.equal(cutToBytes('ab😀cd', 4), 'ab', 'never half a surrogate pair')
})

t.test('value types', async (t) => {
  const cases: [string, string][] = [
    ['0', 'int8'],
    ['-12', 'int8'],
    ['+7', 'int8'],
    ['9223372036854775807', 'int8'],
    ['9223372036854775808', 'numeric'],
    ['007', 'text'],
    ['1.5', 'numeric'],
    ['.5', 'numeric'],
    ['-0.25', 'numeric'],
    ['1e5', 'numeric'],
    ['0012.5', 'text'],
    ['1,5', 'text'],
    ['1.000.000', 'text'],
    ['NaN', 'text'],
    ['2020-02-29', 'date'],
    ['2021-02-29', 'text'],
    ['2020-13-01', 'text'],
    ['2020-01-31T10:15', 'timestamp'],
    ['2020-01-31 23:59:59.123', 'timestamp'],
    ['2020-01-31T24:00:00', 'text'],
    ['2020-01-31T10:15:00Z', 'text'],
    ['31/12/2020', 'text'],
    ['true', 'text'],
  ]
  for (const [v, type] of cases) t.equal(valueType(v), type, v)
  t.equal(widen('int8', 'numeric'), 'numeric')
  t.equal(widen('date', 'timestamp'), 'timestamp')
  t.equal(widen('int8', 'date'), 'text')
  const g = new TypeGuesser(5)
  g.add(['1', '1', '2020-01-01', '', 'x'])
  g.add(['2', '1.5', '2020-01-01 10:00', ' ', '3'])
  g.add(['', '', '', ''])
  t.same(g.result(), ['int8', 'numeric', 'timestamp', 'text', 'text'], 'empty cells fit anything; a column with no value is text')
})

t.test('COPY text values and the column a refused value names', async (t) => {
  t.equal(copyValue(undefined), '\\N')
  t.equal(copyValue(''), '\\N')
  t.equal(copyValue('   '), '\\N')
  t.equal(copyValue(' a\\b\tc\nd\re\0f '), 'a\\\\b\\tc\\nd\\re' + 'f')
  t.equal(demotedColumn({ code: '22P02', where: 'COPY x_loading, line 5, column a b: "abc"' }, ['a', 'a b']), 'a b', 'the longest name that matches')
  t.equal(demotedColumn({ code: '22P04', where: 'COPY x_loading, line 5: "1,2"' }, ['a']), null, 'no column: not a type problem')
  t.equal(demotedColumn({ code: '23505', where: 'COPY x_loading, line 5, column a: "1"' }, ['a']), null, 'not a data exception')
})
