import t from 'tap'
import { parseQuery, parseSort, resolveDateMath } from '../../src/search/solr-query.js'
import type { QueryNode } from '../../src/search/ast.js'
import { SearchError, SearchQueryError } from '../../src/errors.js'

const NOW = new Date('2024-03-31T15:45:30.250Z')
const q = (text: string) => parseQuery(text, { mode: 'q', now: NOW })
const fq = (text: string) => parseQuery(text, { mode: 'fq', now: NOW })

const term = (field: string | null, value: string, phrase = false): QueryNode => ({ kind: 'term', field, value, phrase })
const and = (...children: QueryNode[]): QueryNode => ({ kind: 'and', children })
const or = (...children: QueryNode[]): QueryNode => ({ kind: 'or', children })
const not = (child: QueryNode): QueryNode => ({ kind: 'not', child })
const ALL: QueryNode = { kind: 'all' }

/** the error a parse throws; fails the test when it throws nothing */
function errorOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return new Error('no error thrown')
}

t.test('empty queries match everything', async (t) => {
  for (const text of ['', '   ', '""', "''", '\t\n']) t.same(q(text), ALL, `q=${JSON.stringify(text)}`)
  t.same(fq(''), ALL)
  t.same(fq('  '), ALL)
  t.same(q('*:*'), ALL)
  t.same(fq('*:*'), ALL)
  t.same(q('*'), ALL, 'a lone * in the search box')
})

t.test('DisMax: a q without a colon', async (t) => {
  t.same(q('agua'), { kind: 'match', clauses: [term(null, 'agua')], minimumMatch: 1, must: [], mustNot: [] })
  t.same(
    q('calidad del aire'),
    {
      kind: 'match',
      clauses: [term(null, 'calidad'), term(null, 'del'), term(null, 'aire')],
      minimumMatch: 2,
      must: [],
      mustNot: [],
    },
    '3 optional clauses: all but one',
  )
  t.same(q('"calidad del aire" madrid'), {
    kind: 'match',
    clauses: [term(null, 'calidad del aire', true), term(null, 'madrid')],
    minimumMatch: 2,
    must: [],
    mustNot: [],
  })
  t.same(q('+presupuesto -borrador +"gasto público" municipal'), {
    kind: 'match',
    clauses: [term(null, 'municipal')],
    minimumMatch: 1,
    must: [term(null, 'presupuesto'), term(null, 'gasto público', true)],
    mustNot: [term(null, 'borrador')],
  })
  const ops = q('agua AND (rio OR mar) NOT lago')
  t.same(
    ops,
    {
      kind: 'match',
      clauses: ['agua', 'rio', 'mar', 'lago'].map((w) => term(null, w)),
      minimumMatch: 3,
      must: [],
      mustNot: [],
    },
    'AND/OR/NOT are dropped words and parentheses separate words',
  )
  t.same(q('covid-19 datos?').kind === 'match' && (q('covid-19 datos?') as { clauses: QueryNode[] }).clauses, [term(null, 'covid-19'), term(null, 'datos?')], 'inner hyphen and a question mark stay in the word')
  t.same(
    q('educ* salud'),
    {
      kind: 'match',
      clauses: [{ kind: 'wildcard', field: null, pattern: 'educ*' }, term(null, 'salud')],
      minimumMatch: 2,
      must: [],
      mustNot: [],
    },
    'a * makes a wildcard',
  )
  t.same((q('dat?s*') as { clauses: QueryNode[] }).clauses, [{ kind: 'wildcard', field: null, pattern: 'dat\\?s*' }], '? is not a wildcard in the search box')
  t.same((q('salud & educación - ¿?') as { clauses: QueryNode[] }).clauses, [term(null, 'salud'), term(null, 'educación')], 'punctuation-only tokens are dropped')
  t.same((q('"sin cerrar agua') as { clauses: QueryNode[] }).clauses, [term(null, 'sin'), term(null, 'cerrar'), term(null, 'agua')], 'an unbalanced quote is ignored, not an error')
  t.same(q('AND OR'), ALL, 'nothing left: everything')
  t.same(q('-borrador'), { kind: 'match', clauses: [], minimumMatch: 0, must: [], mustNot: [term(null, 'borrador')] })
})

t.test('DisMax minimum match follows mm=2<-1 5<80%', async (t) => {
  const expected = [1, 2, 2, 3, 4, 4, 5, 6, 7, 8]
  for (let n = 1; n <= 10; n++) {
    const node = q(Array.from({ length: n }, (_, i) => `w${i}`).join(' '))
    t.equal(node.kind === 'match' && node.minimumMatch, expected[n - 1], `${n} words`)
  }
})

t.test('Lucene: fields, phrases, default field, implicit AND', async (t) => {
  t.same(q('tags:economy'), term('tags', 'economy'))
  t.same(q('title:"air quality"'), term('title', 'air quality', true))
  t.same(fq('tags:"Open Data"'), term('tags', 'Open Data', true))
  t.same(fq('agua'), term(null, 'agua'), 'a bare word in fq searches the default field')
  t.same(q('tags:a water'), and(term('tags', 'a'), term(null, 'water')), 'q.op=AND')
  t.same(q('title: water'), term('title', 'water'), 'space after the colon')
  t.same(q('res_format:CSV'), term('res_format', 'CSV'), 'case kept')
  t.same(q('extras_fuente:INE num_resources:3'), and(term('extras_fuente', 'INE'), term('num_resources', '3')))
  t.same(q('x.y-z_1:v'), term('x.y-z_1', 'v'), 'unknown field names are valid')
  t.same(q('título:agua'), term('título', 'agua'))
  t.same(q('id:urn:uuid:1234'), term('id', 'urn:uuid:1234'), 'colons inside a value')
  t.same(q('res_url:http://example.com/a.csv'), term('res_url', 'http://example.com/a.csv'))
  t.same(q('https://datos.gob.es/x'), term(null, 'https://datos.gob.es/x'), 'a bare URL is text, not a field named https')
  t.same(q('tags:Educación'), term('tags', 'Educación'))
})

t.test('Lucene: boolean operators and prefixes', async (t) => {
  t.same(q('tags:a AND tags:b'), and(term('tags', 'a'), term('tags', 'b')))
  t.same(q('tags:a && tags:b'), and(term('tags', 'a'), term('tags', 'b')))
  t.same(q('organization:a OR organization:b'), or(term('organization', 'a'), term('organization', 'b')))
  t.same(q('organization:a || organization:b'), or(term('organization', 'a'), term('organization', 'b')))
  t.same(q('NOT state:deleted'), and(ALL, not(term('state', 'deleted'))), 'purely negative: everything but')
  t.same(q('-tags:x'), and(ALL, not(term('tags', 'x'))))
  t.same(q('!tags:x'), and(ALL, not(term('tags', 'x'))))
  t.same(q('+tags:a -tags:b'), and(term('tags', 'a'), not(term('tags', 'b'))))
  t.same(q('+tags:a tags:b'), and(term('tags', 'a'), term('tags', 'b')), '+a b with q.op=AND')
  t.same(q('tags:a AND NOT tags:b'), and(term('tags', 'a'), not(term('tags', 'b'))))
  t.same(q('tags:a NOT tags:b'), and(term('tags', 'a'), not(term('tags', 'b'))))
  t.same(q('a OR b -c:x'), and(or(term(null, 'a'), term(null, 'b')), not(term('c', 'x'))), 'a OR b -c')
  t.same(q('a OR b OR c:1'), or(term(null, 'a'), term(null, 'b'), term('c', '1')), 'OR chains flatten')
  t.same(q('a:1 OR b:1 c:1 OR d:1'), and(or(term('a', '1'), term('b', '1')), or(term('c', '1'), term('d', '1'))), 'each OR run is one disjunction')
  t.same(q('a:1 OR -b:1 OR c:1'), and(or(term('a', '1'), term('c', '1')), not(term('b', '1'))), 'a prohibited clause stays out of the OR')
  t.same(q('ANDROID:x ORO NOTA'), and(term('ANDROID', 'x'), term(null, 'ORO'), term(null, 'NOTA')), 'operator words only as whole words')
  t.same(q('tags:a and tags:b'), and(term('tags', 'a'), term(null, 'and'), term('tags', 'b')), 'lowercase and is a word')
  t.same(q('covid-19 tags:x'), and(term(null, 'covid-19'), term('tags', 'x')), 'a hyphen inside a word is no operator')
})

t.test('Lucene: grouping and field distribution', async (t) => {
  t.same(fq('(organization:a OR organization:b) AND tags:x'), and(or(term('organization', 'a'), term('organization', 'b')), term('tags', 'x')))
  t.same(fq('tags:(a OR b)'), or(term('tags', 'a'), term('tags', 'b')))
  t.same(fq('title:(air quality)'), and(term('title', 'air'), term('title', 'quality')))
  t.same(fq('tags:(a OR title:b OR "c d")'), or(term('tags', 'a'), term('title', 'b'), term('tags', 'c d', true)), 'inner field wins; phrases take the group field')
  t.same(fq('((a:1))'), term('a', '1'))
  t.same(fq('a:1 AND (b:1 AND (c:1 AND d:1))'), and(term('a', '1'), term('b', '1'), term('c', '1'), term('d', '1')), 'nested ANDs flatten')
  t.same(fq('-(a:1 OR b:1)'), and(ALL, not(or(term('a', '1'), term('b', '1')))))
  t.same(fq('(-a:1)'), and(ALL, not(term('a', '1'))), 'a purely negative group')
  t.same(fq('x:1 (-a:1)'), and(term('x', '1'), not(term('a', '1'))), 'and(all, …) inside and() drops the all')
  t.same(fq('*:* AND tags:x'), term('tags', 'x'))
  t.same(fq('*:* OR tags:x'), ALL)
  t.same(fq('tags:x (*)'), term('tags', 'x'))
})

t.test('Lucene: wildcards and exists', async (t) => {
  t.same(q('name:water*'), { kind: 'wildcard', field: 'name', pattern: 'water*' })
  t.same(q('title:*quality*'), { kind: 'wildcard', field: 'title', pattern: '*quality*' })
  t.same(q('name:w?ter'), { kind: 'wildcard', field: 'name', pattern: 'w?ter' })
  t.same(q('extras_foo:*'), { kind: 'exists', field: 'extras_foo' })
  t.same(q('tags:(*)'), { kind: 'exists', field: 'tags' })
  t.same(fq('agua*'), { kind: 'wildcard', field: null, pattern: 'agua*' })
  t.same(fq('*'), ALL)
  t.same(q('name:a\\*b*'), { kind: 'wildcard', field: 'name', pattern: 'a\\*b*' }, 'an escaped * stays escaped in a pattern')
  t.same(q('name:a\\-b\\\\c*'), { kind: 'wildcard', field: 'name', pattern: 'a-b\\\\c*' }, 'other escapes resolved, \\\\ kept')
  t.same(q('name:a\\*b'), term('name', 'a*b'), 'only escaped wildcards: a plain term with the escapes removed')
})

t.test('Lucene: ranges', async (t) => {
  t.same(q('num_resources:[1 TO *]'), { kind: 'range', field: 'num_resources', lower: { value: '1', inclusive: true }, upper: null })
  t.same(q('num_resources:{1 TO 5}'), {
    kind: 'range',
    field: 'num_resources',
    lower: { value: '1', inclusive: false },
    upper: { value: '5', inclusive: false },
  })
  t.same(q('num_resources:[1 TO 5}'), {
    kind: 'range',
    field: 'num_resources',
    lower: { value: '1', inclusive: true },
    upper: { value: '5', inclusive: false },
  })
  t.same(q('num_tags:{* TO 3]'), { kind: 'range', field: 'num_tags', lower: null, upper: { value: '3', inclusive: true } })
  t.same(q('metadata_modified:[* TO *]'), { kind: 'exists', field: 'metadata_modified' })
  t.same(
    q('metadata_modified:[2020-01-01T00:00:00Z TO *]'),
    {
      kind: 'range',
      field: 'metadata_modified',
      lower: { value: '2020-01-01T00:00:00Z', inclusive: true },
      upper: null,
    },
    'plain dates pass through',
  )
  t.same(
    q('metadata_modified:[  2024-05-01T09:00:00.123456Z   TO   NOW ]'),
    {
      kind: 'range',
      field: 'metadata_modified',
      lower: { value: '2024-05-01T09:00:00.123456Z', inclusive: true },
      upper: { value: '2024-03-31T15:45:30.250Z', inclusive: true },
    },
    'microseconds kept; NOW resolved; spaces inside brackets',
  )
  t.same(
    q('title_string:["A b" TO "C\\"d"]'),
    {
      kind: 'range',
      field: 'title_string',
      lower: { value: 'A b', inclusive: true },
      upper: { value: 'C"d', inclusive: true },
    },
    'quoted bounds',
  )
  t.same(
    q('title_string:["*" TO b]'),
    {
      kind: 'range',
      field: 'title_string',
      lower: { value: '*', inclusive: true },
      upper: { value: 'b', inclusive: true },
    },
    'a quoted * is a literal bound',
  )
  t.same(fq('[a TO b]'), { kind: 'range', field: 'text', lower: { value: 'a', inclusive: true }, upper: { value: 'b', inclusive: true } })
  t.same(fq('num_resources:[1 TO 2]^3 tags:x'), and({ kind: 'range', field: 'num_resources', lower: { value: '1', inclusive: true }, upper: { value: '2', inclusive: true } }, term('tags', 'x')), 'boost after a range')
})

t.test('date math', async (t) => {
  const cases: Array<[string, string]> = [
    ['NOW', '2024-03-31T15:45:30.250Z'],
    ['NOW-7DAYS', '2024-03-24T15:45:30.250Z'],
    ['NOW-1DAY', '2024-03-30T15:45:30.250Z'],
    ['NOW/DAY', '2024-03-31T00:00:00.000Z'],
    ['NOW/DAY-1MONTH', '2024-02-29T00:00:00.000Z'],
    ['NOW-1MONTH', '2024-02-29T15:45:30.250Z'],
    ['NOW+2HOURS', '2024-03-31T17:45:30.250Z'],
    ['NOW-1YEAR/YEAR', '2023-01-01T00:00:00.000Z'],
    ['NOW/MONTH+1MONTH-1MILLI', '2024-03-31T23:59:59.999Z'],
    ['NOW+30MINUTES/MINUTE', '2024-03-31T16:15:00.000Z'],
    ['NOW-5SECONDS/SECOND', '2024-03-31T15:45:25.000Z'],
    ['NOW+1DATE', '2024-04-01T15:45:30.250Z'],
    ['NOW/HOUR+250MILLISECONDS', '2024-03-31T15:00:00.250Z'],
    ['NOW-1days', '2024-03-30T15:45:30.250Z'],
    ['2020-01-31T10:00:00Z+1MONTH', '2020-02-29T10:00:00.000Z'],
    ['2020-01-01T10:20:30.123456Z/DAY', '2020-01-01T00:00:00.000Z'],
    ['2021-01-31T00:00:00Z+1MONTH', '2021-02-28T00:00:00.000Z'],
  ]
  for (const [text, iso] of cases) t.equal(resolveDateMath(text, NOW), iso, text)
  t.equal(resolveDateMath('2020-01-01T00:00:00Z', NOW), null, 'a plain date is not rewritten')
  t.equal(resolveDateMath('NOWHERE', NOW), null, 'a word starting with NOW is not date math')
  t.equal(resolveDateMath('abc', NOW), null)
  for (const bad of ['NOW-7WEEKS', 'NOW+', 'NOW-DAY', 'NOW/', 'NOW+1DAY2', '2020-02-30T00:00:00Z/DAY', 'NOW+999999999YEARS']) {
    t.equal(resolveDateMath(bad, NOW), undefined, `${bad} is invalid`)
  }
  t.same(fq('metadata_modified:[NOW/DAY-7DAYS TO NOW/DAY+1DAY}'), {
    kind: 'range',
    field: 'metadata_modified',
    lower: { value: '2024-03-24T00:00:00.000Z', inclusive: true },
    upper: { value: '2024-04-01T00:00:00.000Z', inclusive: false },
  })
  t.same(fq('metadata_modified:NOW/DAY'), term('metadata_modified', '2024-03-31T00:00:00.000Z'), 'date math in a term on a date field')
  t.same(fq('metadata_created:2020-01-01T00\\:00\\:00Z'), term('metadata_created', '2020-01-01T00:00:00Z'))
  t.same(fq('tags:NOW-1DAY'), term('tags', 'NOW-1DAY'), 'not on other fields')
  t.type(
    errorOf(() => fq('metadata_modified:NOW+1WEEK')),
    SearchQueryError,
  )
  const err = errorOf(() => fq('metadata_modified:[NOW-7WEEKS TO *]'))
  t.type(err, SearchQueryError)
  t.match((err as Error).message, /invalid date math 'NOW-7WEEKS' at column 20/)
  const before = Date.now()
  const node = parseQuery('metadata_created:[NOW TO *]', { mode: 'fq' })
  const lower = node.kind === 'range' ? Date.parse(node.lower!.value) : NaN
  t.ok(lower >= before && lower <= Date.now(), 'NOW defaults to the current time')
})

t.test('escapes', async (t) => {
  t.same(q('name:a\\:b'), term('name', 'a:b'))
  t.same(q('title:\\(draft\\)'), term('title', '(draft)'))
  t.same(q('tags:c\\+\\+'), term('tags', 'c++'))
  t.same(q('tags:\\-neg'), term('tags', '-neg'))
  t.same(q('url:a\\/b\\&\\|\\!\\{\\}\\[\\]\\^\\"\\~\\?\\\\'), term('url', 'a/b&|!{}[]^"~?\\'))
  t.same(q('title:"say \\"hi\\""'), term('title', 'say "hi"', true))
  t.same(q('a\\ b:c'), term('a b', 'c'), 'an escaped space in a field name')
})

t.test('boost and fuzzy are accepted', async (t) => {
  t.same(q('title:agua^2'), term('title', 'agua'))
  t.same(q('title:agua^0.5 tags:x^3'), and(term('title', 'agua'), term('tags', 'x')))
  t.same(q('title:poblacon~'), { kind: 'term', field: 'title', value: 'poblacon', phrase: false, fuzzy: true })
  t.same(q('title:poblacon~1^2'), { kind: 'term', field: 'title', value: 'poblacon', phrase: false, fuzzy: true })
  t.same(q('title:poblacon^2~0.8'), { kind: 'term', field: 'title', value: 'poblacon', phrase: false, fuzzy: true })
  t.same(q('title:"calidad aire"~3'), term('title', 'calidad aire', true), 'proximity on a phrase is ignored')
  t.same(q('(tags:a OR tags:b)^2'), or(term('tags', 'a'), term('tags', 'b')))
  t.same(q('*:*^2'), ALL)
})

t.test('the harvester filter', async (t) => {
  const text = 'organization:a OR organization:b -groups:g metadata_modified:[2024-05-01T09:00:00.123456Z TO *]'
  const expected = and(or(term('organization', 'a'), term('organization', 'b')), not(term('groups', 'g')), { kind: 'range', field: 'metadata_modified', lower: { value: '2024-05-01T09:00:00.123456Z', inclusive: true }, upper: null })
  t.same(fq(text), expected, "the OR still filters (CKAN's Lucene would make it optional)")
  t.same(q(text), expected, 'same tree from q')
  t.same(fq('organization:a -groups:g'), and(term('organization', 'a'), not(term('groups', 'g'))))
  t.same(
    fq('metadata_modified:[2024-05-01T09:00:00Z TO *]'),
    {
      kind: 'range',
      field: 'metadata_modified',
      lower: { value: '2024-05-01T09:00:00Z', inclusive: true },
      upper: null,
    },
    'no fraction when microseconds are 0',
  )
})

t.test('local parameters and nested queries are refused', async (t) => {
  for (const [text, mode] of [
    ['{!child of=type:parent}title:x', 'q'],
    ['  {!lucene}x', 'fq'],
    ['_query_:"{!dismax}x"', 'q'],
    ['_val_:"recip(x)"', 'fq'],
    ['{!x', 'q'],
  ] as const) {
    const err = errorOf(() => parseQuery(text, { mode }))
    t.type(err, SearchError, text)
    t.notOk(err instanceof SearchQueryError, `${text}: 409 Search Error, not 400`)
    t.equal((err as Error).message, `Local parameters are not supported in param '${mode}'.`)
  }
  for (const text of ['tags:x _query_:"{!dismax}y"', 'tags:x AND _val_:1', 'tags:x {!lucene}y', 'a:{!x y}']) {
    t.type(
      errorOf(() => fq(text)),
      SearchQueryError,
      `${text}: a syntax error elsewhere`,
    )
  }
})

t.test('syntax errors are Search Query Errors with a position', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['tags:(a OR b', /missing '\)' for the '\(' opened at column 6/],
    ['tags:a)', /unbalanced '\)' at column 7/],
    ['title:"air quality', /unterminated phrase at column 7/],
    ['tags:', /field 'tags' has no value at column 6/],
    ['tags: ', /field 'tags' has no value/],
    ['tags:)', /field 'tags' has no value/],
    ['(tags:)', /field 'tags' has no value/],
    ['tags:a AND', /an operator is missing its clause at column 11/],
    ['tags:a OR ', /operator is missing its clause/],
    ['AND tags:a', /a query cannot start with AND at column 1/],
    ['OR tags:a', /cannot start with OR/],
    ['tags:a AND OR tags:b', /unexpected OR/],
    ['NOT NOT tags:a', /unexpected NOT/],
    ['tags:a -', /operator is missing its clause/],
    ['--tags:a', /unexpected '-'/],
    ['tags:AND', /has no value/],
    ['a:1 OR ()', /empty parentheses at column 9/],
    ['x:1 ( )', /empty parentheses/],
    ['num_resources:[1 TO]', /a range bound is missing/],
    ['num_resources:[1 TO 2', /missing '\]' or '\}' for the range opened at column 15/],
    ['num_resources:[1 2]', /needs 'TO'/],
    ['num_resources:[1 to 2]', /needs 'TO'/],
    ['num_resources:[TO 2]', /needs 'TO'/],
    ['num_resources:[]', /range bound is missing/],
    ['num_resources:["1 TO 2]', /unterminated quoted range bound/],
    ['tags:a\\', /backslash at the end/],
    ['x:[a\\', /backslash at the end/],
    ['*:x', /only valid in '\*:\*'/],
    ['a*:x', /invalid field name 'a\*'/],
    [':x', /unexpected ':'/],
    ['tags:a]', /unexpected '\]'/],
    ['tags:a^', /'\^' needs a number/],
    ['tags:a^x', /'\^' needs a number/],
    ['(a:1)~2', /'~' only follows a term or a phrase/],
    ['x:[1 TO 2]~1', /'~' only follows/],
  ]
  for (const [text, message] of cases) {
    const err = errorOf(() => q(text))
    t.type(err, SearchQueryError, text)
    t.match((err as Error).message, message, text)
    t.match((err as Error).message, /^Cannot parse '/, `${text}: names the query`)
  }
  const long = `tags:(${'x '.repeat(500)}`
  const msg = (errorOf(() => q(long)) as Error).message
  t.ok(msg.length < 300, 'a long query is shortened in the message')
})

t.test('deep nesting is an error, not a stack overflow', async (t) => {
  t.same(fq(`${'('.repeat(100)}a:1${')'.repeat(100)}`), term('a', '1'), '100 levels parse')
  const err = errorOf(() => fq(`${'('.repeat(5000)}a:1${')'.repeat(5000)}`))
  t.type(err, SearchQueryError)
  t.match((err as Error).message, /nested deeper than 100/)
})

t.test('random input never throws anything but search errors', async (t) => {
  // deterministic PRNG so a failure can be replayed
  let seed = 42
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const alphabet = ['a', 'b', 'tags', ':', ' ', '(', ')', '[', ']', '{', '}', '"', '\\', '*', '?', '+', '-', '!', '^', '~', '&&', '||', 'AND', 'OR', 'NOT', 'TO', 'NOW', '/DAY', '-1DAY', '1', '.', 'á', '{!', '_query_']
  let thrown = 0
  let bad = 0
  for (let i = 0; i < 5000; i++) {
    const n = 1 + Math.floor(rand() * 12)
    let text = ''
    for (let j = 0; j < n; j++) text += alphabet[Math.floor(rand() * alphabet.length)]
    for (const mode of ['q', 'fq'] as const) {
      try {
        parseQuery(text, { mode, now: NOW })
      } catch (err) {
        thrown++
        if (!(err instanceof SearchError || err instanceof SearchQueryError)) {
          bad++
          if (bad < 5) t.fail(`${mode}=${JSON.stringify(text)} threw ${String(err)}`)
        }
      }
    }
  }
  t.equal(bad, 0, `only search errors (${thrown} of 10000 inputs refused)`)
})

// how long parsing takes is reported by `npm run bench` (scripts/bench-search.ts), not asserted here
t.test('a 10 kB query parses whole', async (t) => {
  const parts: string[] = []
  for (let i = 0; parts.join(' ').length < 10_000; i++) {
    parts.push(i % 3 === 0 ? `(tags:t${i} OR organization:o${i})` : i % 3 === 1 ? `-groups:"g ${i}"` : `title:agua${i}*`)
  }
  const text = parts.join(' ')
  t.ok(text.length >= 10_000)
  const node = fq(text)
  t.equal(node.kind === 'and' && node.children.length, parts.length, 'every clause of fq kept')
  const words = Array.from({ length: 1500 }, (_, i) => `palabra${i}`)
  const dismax = JSON.stringify(q(words.join(' ')))
  t.ok(
    words.every((w) => dismax.includes(`"${w}"`)),
    'every word of a 1,500-word q kept',
  )
})

t.test('sort', async (t) => {
  const dflt = [
    { field: 'score', dir: 'desc' },
    { field: 'metadata_modified', dir: 'desc' },
  ]
  for (const s of [undefined, null, '', '  ', 'rank']) t.same(parseSort(s), dflt, `sort=${JSON.stringify(s)}`)
  t.same(parseSort('score desc, metadata_modified desc'), dflt)
  t.same(parseSort('id asc'), [{ field: 'id', dir: 'asc' }])
  t.same(parseSort(' title_string  ASC ,name Desc'), [
    { field: 'title_string', dir: 'asc' },
    { field: 'name', dir: 'desc' },
  ])
  t.same(parseSort('metadata_created desc'), [{ field: 'metadata_created', dir: 'desc' }])
  t.same(parseSort('dataset_type asc'), [{ field: 'dataset_type', dir: 'asc' }])
  for (const bad of ['metadata_modified', 'name up', 'name asc desc', 'name asc,', ',name asc', 'unknown_field asc', 'constructor asc']) {
    const err = errorOf(() => parseSort(bad))
    t.type(err, SearchQueryError, bad)
    t.equal((err as Error).message, 'Invalid "sort" parameter', bad)
  }
  for (const [bad, field] of [
    ['tags asc', 'tags'],
    ['title asc', 'title'],
    ['name asc, res_format desc', 'res_format'],
    ['extras_foo asc', 'extras_foo'],
  ]) {
    const err = errorOf(() => parseSort(bad))
    t.type(err, SearchError, bad)
    t.notOk(err instanceof SearchQueryError, `${bad}: a 409, as Solr refuses it`)
    t.equal((err as Error).message, `Can not sort on multivalued field: ${field}`)
  }
})
