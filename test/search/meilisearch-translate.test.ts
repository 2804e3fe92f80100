import t, { type Test } from 'tap'
import type { QueryNode } from '../../src/search/ast.js'
import type { SearchRequest } from '../../src/search/port.js'
import { documentFromDict } from '../../src/search/document.js'
import { SearchError } from '../../src/errors.js'
import { SORTABLE_FIELDS } from '../../src/search/fields.js'
import { decodeValue, encodeValue } from '../../src/search/meilisearch/values.js'
import { normalise, stem, stemmedText, words } from '../../src/search/meilisearch/text.js'
import { toMeiliDocument } from '../../src/search/meilisearch/document.js'
import { INDEX_SETTINGS } from '../../src/search/meilisearch/settings.js'
import { FALSE, FilterCompiler, TRUE } from '../../src/search/meilisearch/filter.js'
import { facetPairs, planSearch, visibilityFilter } from '../../src/search/meilisearch/plan.js'

// The Meilisearch adapter's translation is pure: these pin the exact filter strings it sends, so
// the grammar (quoting, precedence, TO, EXISTS, IN) is checked without a server.
const E = encodeValue
const f = (n: QueryNode) => new FilterCompiler().compile(n)
/** tap's throws() matches a class by name; SearchError keeps Error's name, so check the class itself */
function throwsSearchError(t: Test, fn: () => unknown, message: string): void {
  let err: unknown = null
  try {
    fn()
  } catch (e) {
    err = e
  }
  t.ok(err instanceof SearchError, `${message} (got ${String(err)})`)
}
const term = (field: string | null, value: string, phrase = false): QueryNode => ({ kind: 'term', field, value, phrase })

t.test('encoding keeps case, order and prefixes, and needs no quoting', async (t) => {
  t.equal(E('A'), 'k1', 'one byte: high nibble g–v, low nibble 0–f')
  t.equal(E('agua'), 'm1m7n5m1')
  t.equal(E('Añ'), 'k1s3r1', 'UTF-8 bytes')
  t.not(E('CSV'), E('csv'), 'case survives Meilisearch lowercasing filter values')
  t.equal(E('CSV'), E('CSV').toLowerCase())
  const values = ['b', 'B', 'á', 'a', 'ab', 'a b', 'Z', '', 'zz', '"', '\\']
  const byBytes = [...values].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
  t.same(
    [...values].sort((x, y) => (E(x) < E(y) ? -1 : E(x) > E(y) ? 1 : 0)),
    byBytes,
    'encoded order = byte order (COLLATE "C")',
  )
  for (const v of values) t.equal(decodeValue(E(v)), v, `round trip ${JSON.stringify(v)}`)
  t.ok(
    values.every((v) => /^[0-9a-v]*$/.test(E(v))),
    'only [0-9a-v]: nothing to escape inside "…"',
  )
  t.ok(E('agua potable').startsWith(E('agua')), 'a prefix encodes to a prefix')
})

t.test('words and stems', async (t) => {
  t.same(words('Educación SUPERIOR, año-2023'), ['educacion', 'superior', 'ano', '2023'])
  t.same(['presupuestos', 'presupuesto', 'ciudades', 'ciudad', 'calles', 'calle', 'agua', '2023s'].map(stem), ['presupuesto', 'presupuesto', 'ciudad', 'ciudad', 'call', 'call', 'agua', '2023s'])
})

t.test('Spanish normalisation before the stemmer (the search conventions)', async (t) => {
  const cases = { exportaciones: 'exportacion', ciudades: 'ciudad', meses: 'mes', paises: 'pais', indices: 'indic', mes: 'mes', tres: 'tres', luz: 'luc', luces: 'luc', vez: 'vec', veces: 'vec', leyes: 'ley', ayes: 'ayes', casas: 'casas' }
  t.same(Object.fromEntries(Object.keys(cases).map((w) => [w, normalise(w)])), cases, 'final z → c; final es after a consonant with 3 letters before it goes')
  t.same(
    ['clase', 'clases', 'interés', 'intereses', 'calle', 'calles', 'país', 'países'].map((w) => stem(words(w)[0])),
    ['clas', 'clas', 'inter', 'inter', 'call', 'call', 'pais', 'pais'],
    'the stemmer takes nothing more off a word that lost its plural es',
  )
  t.equal(stemmedText('Exportaciones de Luz, por país'), 'exportacion de luc por pais', 'q and the searchable attributes: stemmed words, stopwords as they are')
})

const PAIRS = [
  ['exportación', 'exportaciones', 'exportacion', 'EXPORTACIONES'],
  ['niño', 'niños', 'nino', 'ninos'],
  ['ciudad', 'ciudades', 'Ciudades'],
  ['actividad', 'actividades'],
  ['luz', 'luces'],
  ['vez', 'veces'],
  ['índice', 'índices', 'indice', 'indices'],
  ['país', 'países', 'paises'],
  ['hospital', 'hospitales'],
]

t.test('singular and plural meet, with and without accents, on the q path and the filter path', async (t) => {
  for (const forms of PAIRS) {
    const misses: string[] = []
    for (const written of forms) {
      const doc = toMeiliDocument(documentFromDict({ id: 'x', name: 'x', title: `Datos de ${written}` }))
      const titleWords = String(doc.title).split(' ')
      const tokens = (doc.w as Record<string, string[]>).title
      for (const asked of forms) {
        const plan = planSearch({ ...base, query: term('title', asked) })
        if (!titleWords.includes(plan.q)) misses.push(`q ${asked} (${plan.q}) vs title "${written}" (${titleWords.join(' ')})`)
        const value = /^w\.title = "([0-9a-v]+)"$/.exec(f(term('title', asked)))?.[1]
        if (!value || !tokens.includes(value)) misses.push(`filter title:${asked} vs w.title of "${written}"`)
      }
    }
    t.same(misses, [], `${forms.join(' / ')} meet`)
  }
  const stems = PAIRS.map((forms) => stem(words(forms[0])[0]))
  t.equal(new Set(stems).size, PAIRS.length, `different words keep different stems (${stems.join(', ')})`)
  t.not(stem('capital'), stem('hospital'))
})

t.test('typo bounds: no typo under 5 characters, 1 from 5, 2 from 9, exact matches first', async (t) => {
  t.same(INDEX_SETTINGS.typoTolerance, { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } }, 'set explicitly, not left to the server default')
  const rules = INDEX_SETTINGS.rankingRules ?? []
  t.same(rules.slice(0, 2), ['words', 'typo'], 'every word is required (matchingStrategy all), so typo decides first: no typo match outranks an exact one')
  t.equal(INDEX_SETTINGS.prefixSearch, 'disabled', 'no prefix expansion of the last word either')
})

t.test('a q word some document has exactly is required as it is (never widened by typos)', async (t) => {
  const long = planSearch({ ...base, query: term(null, 'Exportaciones de agua') })
  const exp = `w.text = "${E('exportacion')}"`
  t.equal(long.q, 'exportacion de agua')
  t.same(long.exactWords, [{ condition: exp, probe: `(${exp} AND ${VIS})` }], 'one probe per word of 5+ characters (agua has no typo to fear, de is a stopword), over what the caller may see')
  t.equal(long.filter, `(${VIS})`, 'the condition is not in the plan: the client adds it when the probe finds the word')
  t.same(
    planSearch({ ...base, query: term('title', 'ciudades') }).exactWords.map((w) => w.condition),
    [`w.title = "${E('ciudad')}"`],
    'on the field the word is searched in, stemmed',
  )
  t.same(planSearch({ ...base, query: term(null, 'luces') }).exactWords, [], 'a stem under 5 characters gets no typo in Meilisearch: nothing to probe')
  t.same(planSearch({ ...base, query: term(null, 'exportaciones mineras', true) }).exactWords, [], 'phrases get no typos')
  t.same(planSearch({ ...base, query: term(null, 'exportaciones'), sort: [{ field: 'name', dir: 'asc' }] }).exactWords, [], 'without q (sorted by a field) words are exact filters already')
  const two = planSearch({ ...base, query: { kind: 'and', children: [term('title', 'exportaciones'), term('notes', 'mineras')] } })
  t.same(two.exactWords, [], 'words on several fields keep exact word filters: nothing to probe')
})

t.test('facets count datasets: a value repeated in one dataset is stored once', async (t) => {
  const doc = toMeiliDocument(
    documentFromDict({
      id: 'x',
      name: 'x',
      title: 'x',
      groups: [{ name: 'g' }, { name: 'g' }],
      tags: [{ name: 'agua' }, { name: 'agua' }, { name: 'Chile', vocabulary_id: 'vid' }, { name: 'Chile', vocabulary_id: 'vid' }],
      resources: [{ format: 'CSV' }, { format: 'CSV' }, { format: 'csv' }],
    }),
  )
  const e = doc.e as Record<string, string[]>
  t.same([e.res_format, e.tags, e.groups], [[E('CSV'), E('csv')], [E('agua')], [E('g')]], 'res_format, tags, groups: each distinct value once (CSV and csv stay apart)')
  t.same(doc.v, { [E('vid')]: [E('Chile')] }, 'vocabulary tags too')
  t.same(
    planSearch({ ...base, facetFields: ['res_format', 'tags', 'groups', 'vocab_paises'] }).facets,
    ['e.res_format', 'e.tags', 'e.groups', `v.${E('paises')}`],
    'facets are counted on those attributes, where Meilisearch counts documents',
  )
  t.same(
    facetPairs('res_format', { [E('CSV')]: 2, [E('csv')]: 1 }, 2, 50, 1),
    [
      ['CSV', 2],
      ['csv', 1],
    ],
    "Meilisearch's per-document counts are passed through, never summed",
  )
})

t.test('terms', async (t) => {
  t.equal(f(term('tags', 'agua')), 'e.tags = "m1m7n5m1"', 'exact multi-valued field')
  t.equal(f(term('dataset_type', 'dataset')), `e.type = "${E('dataset')}"`, 'dataset_type is type')
  t.equal(f(term('res_format', 'CSV')), `e.res_format = "${E('CSV')}"`)
  t.equal(f(term('frecuencia', 'mensual')), `x.${E('frecuencia')} = "${E('mensual')}"`, 'a bare extra key')
  t.equal(f(term('no.such field', 'x')), `x.${E('no.such field')} = "${E('x')}"`, 'any key becomes a safe attribute name')
  t.equal(f(term('capacity', 'public')), `e.private = "${E('false')}"`)
  t.equal(f(term('capacity', 'other')), FALSE)
  t.equal(f(term('site_id', 'default')), TRUE)
  t.equal(f(term('metadata_modified', '2024-01-01T00:00:00.123456Z')), 'n.metadata_modified = 1704067200123', 'dates as epoch ms')
  t.equal(f(term('num_resources', '3')), 'n.num_resources = 3')
  throwsSearchError(t, () => f(term('num_tags', 'many')), 'a bad int is a Search Error')
  t.equal(f(term('title', 'Educación')), `w.title = "${E('educacion')}"`, 'text: folded word')
  t.equal(f(term(null, 'Presupuestos')), `w.text = "${E('presupuesto')}"`, 'text: stemmed, default field the catch-all')
  t.equal(f(term('extras_region', 'Valparaíso')), `wx.${E('region')} = "${E('valparaiso')}"`, 'extras_<key> is text')
  t.equal(f(term(null, 'agua potable', true)), `(w.text = "${E('agua')}" AND w.text = "${E('potabl')}")`, 'a phrase is all its words')
  t.equal(f(term(null, 'de')), TRUE, 'a stopword never restricts')
  t.equal(f({ kind: 'not', child: term(null, 'de') }), TRUE, 'not even negated')
  t.equal(f(term('res_extras_x', 'agua')), FALSE, 'res_extras_* is not indexed')
  const vocab = new FilterCompiler(new Map([['paises', 'vid-1']]))
  t.equal(vocab.compile(term('vocab_paises', 'Chile')), `v.${E('vid-1')} = "${E('Chile')}"`, 'vocab_<name> through the vocabulary id')
})

t.test('wildcards, exists, ranges', async (t) => {
  t.equal(f({ kind: 'wildcard', field: 'name', pattern: 'agua*' }), 'e.name "m1m7n5m1" TO "m1m7n5m1w"', 'a prefix is a range')
  t.equal(f({ kind: 'wildcard', field: 'name', pattern: 'ag\\*ua*' }), `e.name "${E('ag*ua')}" TO "${E('ag*ua')}w"`, 'escaped * is literal')
  t.equal(f({ kind: 'wildcard', field: 'name', pattern: 'ag?a' }), `e.name "${E('ag')}" TO "${E('ag')}w"`, 'other patterns keep their literal prefix')
  t.equal(f({ kind: 'wildcard', field: 'name', pattern: '*agua' }), 'e.name EXISTS', 'a leading wildcard: has a value')
  t.equal(f({ kind: 'wildcard', field: 'title', pattern: 'Presu*' }), `w.title "${E('presu')}" TO "${E('presu')}w"`, 'a word prefix on text')
  t.equal(f({ kind: 'wildcard', field: 'frecuencia', pattern: '*' }), `x.${E('frecuencia')} EXISTS`)
  t.equal(f({ kind: 'exists', field: 'organization' }), 'e.organization EXISTS')
  t.equal(f({ kind: 'exists', field: 'text' }), TRUE)
  t.equal(f({ kind: 'exists', field: 'notes' }), 'w.notes EXISTS')
  t.equal(f({ kind: 'exists', field: 'metadata_created' }), 'n.metadata_created EXISTS')
  const range = (field: string, lo: string | null, hi: string | null, inc: [boolean, boolean] = [true, true]): QueryNode => ({
    kind: 'range',
    field,
    lower: lo === null ? null : { value: lo, inclusive: inc[0] },
    upper: hi === null ? null : { value: hi, inclusive: inc[1] },
  })
  t.equal(f(range('metadata_modified', '2024-01-01T00:00:00Z', null)), 'n.metadata_modified >= 1704067200000')
  t.equal(f(range('metadata_modified', '2024-01-01', '2024-01-02T00:00:00Z', [false, false])), '(n.metadata_modified > 1704067200000 AND n.metadata_modified < 1704153600000)')
  t.equal(f(range('num_resources', '1', null)), 'n.num_resources >= 1')
  t.equal(f(range('name', 'a', 'c', [true, false])), `(e.name >= "${E('a')}" AND e.name < "${E('c')}")`, 'strings compare encoded')
  t.equal(f(range('tags', 'a', 'c')), `e.tags "${E('a')}" TO "${E('c')}"`, 'multi-valued inclusive: one TO condition')
  t.equal(f(range('title', 'A', null)), `e.title_string >= "${E('A')}"`)
  t.equal(f(range('notes', 'a', 'b')), FALSE, 'tokenised text has no comparable value')
  t.equal(f(range('organization', null, null)), 'e.organization EXISTS', '[* TO *] is exists')
  throwsSearchError(t, () => f(range('metadata_modified', 'NOW', null)), 'unresolved date text is a Search Error')
})

t.test('boolean structure', async (t) => {
  const a = term('tags', 'a')
  const b = term('tags', 'b')
  const c = term('tags', 'c')
  const [ea, eb, ec] = ['a', 'b', 'c'].map((v) => `e.tags = "${E(v)}"`)
  t.equal(f({ kind: 'and', children: [a, { kind: 'or', children: [b, c] }] }), `(${ea} AND (${eb} OR ${ec}))`)
  t.equal(f({ kind: 'not', child: { kind: 'or', children: [a, b] } }), `NOT (${ea} OR ${eb})`)
  t.equal(f({ kind: 'not', child: a }), `NOT (${ea})`)
  t.equal(f({ kind: 'and', children: [{ kind: 'all' }, a] }), ea, 'TRUE drops out of AND')
  t.equal(f({ kind: 'or', children: [{ kind: 'all' }, a] }), TRUE, 'TRUE absorbs OR')
  t.equal(f({ kind: 'or', children: [] }), FALSE)
  t.equal(f({ kind: 'match', clauses: [a, b, c], minimumMatch: 2, must: [], mustNot: [] }), `((${ea} AND ${eb}) OR (${ea} AND ${ec}) OR (${eb} AND ${ec}))`, 'minimum match as combinations')
  t.equal(f({ kind: 'match', clauses: [a, b], minimumMatch: 1, must: [c], mustNot: [term('tags', 'd')] }), `(${ec} AND NOT (e.tags = "${E('d')}") AND (${ea} OR ${eb}))`, '+must, -mustNot, then the clauses')
  t.equal(f({ kind: 'match', clauses: [a, b, c, term(null, 'de')], minimumMatch: 3, must: [], mustNot: [] }), `((${ea} AND ${eb}) OR (${ea} AND ${ec}) OR (${eb} AND ${ec}))`, 'stopwords drop out before the mm rule (3 words: 2 needed)')
  const many = Array.from({ length: 12 }, (_, i) => term('tags', `t${i}`))
  t.equal(f({ kind: 'match', clauses: many, minimumMatch: 9, must: [], mustNot: [] }), `(${many.map((_, i) => `e.tags = "${E(`t${i}`)}"`).join(' OR ')})`, 'too many combinations: any clause (superset)')
})

const base: SearchRequest = {
  query: { kind: 'all' },
  filters: [],
  visibility: { labels: ['public'], states: ['active'], includePrivate: false },
  sort: [
    { field: 'score', dir: 'desc' },
    { field: 'metadata_modified', dir: 'desc' },
  ],
  rows: 10,
  start: 0,
  facetFields: [],
  facetLimit: 50,
  facetMincount: 1,
}
const VIS = `e.state IN ["${E('active')}"] AND e.private = "${E('false')}" AND e.permission_labels IN ["${E('public')}"]`

t.test('visibility', async (t) => {
  t.same(visibilityFilter(base.visibility), [`e.state IN ["${E('active')}"]`, `e.private = "${E('false')}"`, `e.permission_labels IN ["${E('public')}"]`])
  t.same(visibilityFilter({ labels: null, states: ['active', 'draft'], includePrivate: true }), [`e.state IN ["${E('active')}", "${E('draft')}"]`], 'sysadmin: states only')
  t.same(visibilityFilter({ labels: [], states: [], includePrivate: true }), [FALSE, FALSE], 'empty lists match nothing')
})

t.test('planSearch', async (t) => {
  const all = planSearch(base)
  t.same(all, { q: '', attributesToSearchOn: null, filter: `(${VIS})`, sort: ['n.metadata_modified:desc', 'e.id:asc'], facets: [], exactWords: [] }, '*:* sorted by score then date')
  const text = planSearch({ ...base, query: term(null, 'agua'), filters: [term('res_format', 'CSV')] })
  t.same([text.q, text.attributesToSearchOn, text.filter], ['agua', null, `(e.res_format = "${E('CSV')}" AND ${VIS})`], 'a required word goes to q, not the filter')
  const dismax = planSearch({ ...base, query: { kind: 'match', clauses: [term(null, 'agua'), term(null, 'potable')], minimumMatch: 2, must: [], mustNot: [term('tags', 'x')] } })
  t.same([dismax.q, dismax.filter], ['agua potabl', `(NOT (e.tags = "${E('x')}") AND ${VIS})`], 'an all-required DisMax: words to q, -clauses to the filter')
  const title = planSearch({ ...base, query: term('title', 'agua') })
  t.same([title.q, title.attributesToSearchOn, title.filter], ['agua', ['title'], `(${VIS})`], 'a field-restricted word searches that attribute')
  const phrase = planSearch({ ...base, query: term('notes', 'agua "potable"', true) })
  t.same([phrase.q, phrase.attributesToSearchOn], ['"agua potabl"', ['notes']], 'a phrase is quoted for q, stemmed (inner quotes dropped)')
  const two = planSearch({ ...base, query: { kind: 'and', children: [term('title', 'agua'), term('notes', 'rio')] } })
  t.same([two.q, two.attributesToSearchOn, two.filter], ['agua rio', ['title', 'notes'], `(w.title = "${E('agua')}" AND w.notes = "${E('rio')}" AND ${VIS})`], 'words on several fields keep their word filters')
  const orText = planSearch({ ...base, query: { kind: 'or', children: [term(null, 'agua'), term('tags', 'x')] } })
  t.same([orText.q, orText.filter], ['', `((w.text = "${E('agua')}" OR e.tags = "${E('x')}") AND ${VIS})`], 'text under OR stays in the filter')
  const byName = planSearch({ ...base, query: term(null, 'agua'), sort: [{ field: 'name', dir: 'asc' }] })
  t.same([byName.q, byName.filter, byName.sort], ['', `(w.text = "${E('agua')}" AND ${VIS})`, ['e.name:asc', 'e.id:asc']], 'sorted by a field: no q, so relevance cannot reorder')
  t.same(planSearch({ ...base, sort: [{ field: 'id', dir: 'desc' }] }).sort, ['e.id:desc'], 'no duplicate tie-break')
  t.same(
    planSearch({
      ...base,
      sort: [
        { field: 'title_string', dir: 'asc' },
        { field: 'capacity', dir: 'desc' },
      ],
    }).sort,
    ['e.title_string:asc', 'e.private:desc', 'e.id:asc'],
  )
  throwsSearchError(t, () => planSearch({ ...base, sort: [{ field: 'tags', dir: 'asc' }] }), 'sorting on a multi-valued field is a Search Error')
  t.same(planSearch({ ...base, facetFields: ['tags', 'capacity', 'num_resources', 'frecuencia', 'site_id'] }).facets, ['e.tags', 'e.private', 'n.num_resources', `x.${E('frecuencia')}`], 'facet attributes')
})

t.test('facetPairs', async (t) => {
  const dist = { [E('b')]: 2, [E('a')]: 2, [E('C')]: 5, [E('d')]: 1 }
  t.same(
    facetPairs('tags', dist, 9, 50, 1),
    [
      ['C', 5],
      ['a', 2],
      ['b', 2],
      ['d', 1],
    ],
    'decoded, count desc, value asc',
  )
  t.same(
    facetPairs('tags', dist, 9, 2, 1),
    [
      ['C', 5],
      ['a', 2],
    ],
    'limit',
  )
  t.same(
    facetPairs('tags', dist, 9, -1, 2),
    [
      ['C', 5],
      ['a', 2],
      ['b', 2],
    ],
    'mincount, no limit',
  )
  t.same(facetPairs('capacity', { [E('true')]: 1, [E('false')]: 4 }, 5, 50, 1), [
    ['public', 4],
    ['private', 1],
  ])
  t.same(
    facetPairs('num_resources', { '2': 3, '10': 3 }, 6, 50, 1),
    [
      ['10', 3],
      ['2', 3],
    ],
    'numbers are not encoded',
  )
  t.same(facetPairs('site_id', undefined, 4, 50, 1), [['default', 4]])
  t.same(facetPairs('tags', undefined, 0, 50, 1), [])
})

t.test('toMeiliDocument', async (t) => {
  const doc = toMeiliDocument(
    documentFromDict({
      id: 'abc',
      name: 'calidad-agua',
      title: 'Calidad del Agua',
      notes: 'Ríos',
      state: 'active',
      private: false,
      owner_org: null,
      organization: null,
      tags: [{ name: 'Agua' }, { name: 'x', vocabulary_id: 'vid-1' }],
      resources: [{ format: 'CSV', name: 'Datos', url: 'https://x.org/a.csv' }],
      extras: [
        { key: 'frecuencia', value: 'mensual' },
        { key: 'vacio', value: '' },
      ],
      metadata_modified: '2024-01-01T00:00:00.5',
    }),
  )
  const e = doc.e as Record<string, unknown>
  t.same([e.name, e.tags, e.res_format, e.private], [E('calidad-agua'), [E('Agua')], [E('CSV')], E('false')], 'exact values encoded')
  t.notOk('organization' in e, 'no organization: no attribute, so EXISTS is false')
  t.notOk('groups' in e, 'empty lists are left out too')
  t.same(doc.x, { [E('frecuencia')]: E('mensual') }, 'empty extras are left out')
  t.same(doc.v, { [E('vid-1')]: [E('x')] }, 'vocabulary tags by vocabulary id')
  t.equal((doc.n as Record<string, number>).metadata_modified, 1704067200500)
  const w = doc.w as Record<string, string[]>
  t.ok(w.title.includes(E('agua')) && w.notes.includes(E('rios')), 'folded words')
  t.ok(w.text.includes(E('mensual')) && w.text.includes(E('datos')) && w.text.includes(E('csv')), 'the catch-all has extras, resource names and urls')
  t.same([doc.title, doc.notes, doc.tags, doc.name], ['calidad del agua', 'rio', ['agua', 'x'], 'calidad agua'], 'searchable attributes hold stemmed words, stopwords kept for the stopWords setting')
})

t.test('settings cover what planSearch sends', async (t) => {
  const sortable = new Set(INDEX_SETTINGS.sortableAttributes)
  for (const field of SORTABLE_FIELDS) {
    if (field === 'score') continue
    const [first] = planSearch({ ...base, sort: [{ field, dir: 'asc' }] }).sort
    t.ok(sortable.has(first.slice(0, first.lastIndexOf(':'))), `sort=${field} asc uses a sortable attribute (${first})`)
  }
  const filterable = (INDEX_SETTINGS.filterableAttributes ?? []) as string[]
  const plan = planSearch({ ...base, facetFields: ['tags', 'groups', 'organization', 'res_format', 'license_id', 'num_tags', 'vocab_x', 'frecuencia'] })
  for (const attr of plan.facets) t.ok(filterable.includes(attr.split('.')[0]), `facet ${attr} is under a filterable parent`)
  t.ok(restrictableFieldsSearchable(), 'every attribute q may be restricted to is searchable')
})

function restrictableFieldsSearchable(): boolean {
  const searchable = new Set(INDEX_SETTINGS.searchableAttributes)
  const fields = ['title', 'notes', 'res_name', 'res_description', 'author', 'maintainer', 'license', 'urls', 'author_email', 'maintainer_email']
  return fields.every((f) => {
    const plan = planSearch({ ...base, query: term(f, 'agua') })
    return plan.attributesToSearchOn?.every((a) => searchable.has(a)) === true && plan.q === 'agua'
  })
}
