import t from 'tap'
import { pagination } from '../../src/web/search/pagination.js'
import { filterQuery, readSearchState, SearchLinks, BadPageNumber } from '../../src/web/search/search-state.js'
import { excerpt } from '../../src/web/search/plain-text.js'
import { markdownText as plainText } from '../../src/web/markdown.js'
import { correctionNotice } from '../../src/web/search/corrections.js'
import { parseQuery } from '../../src/search/solr-query.js'

t.test('filterQuery: any value is one literal term for the fq parser', async (t) => {
  for (const value of ['salud', 'agua potable', 'Hoja "ODS": v2', 'a\\b', 'x" OR tags:"y', 'tags:*', '(', 'ñandú ÁÉ', '"', '\\']) {
    t.same(parseQuery(filterQuery('tags', value), { mode: 'fq' }), { kind: 'term', field: 'tags', value, phrase: true }, JSON.stringify(value))
  }
})

t.test('readSearchState and SearchLinks', async (t) => {
  const state = readSearchState({ q: ' agua ', tags: ['b', 'a', 'b', ''], organization: 'inec', sort: 'title_string asc', page: '3', _tags_limit: '0', lang: 'en', ext_bbox: '1' })
  t.same(state, {
    q: 'agua',
    filters: [
      { field: 'organization', value: 'inec' },
      { field: 'tags', value: 'b' },
      { field: 'tags', value: 'a' },
    ],
    sort: 'title_string asc',
    page: 3,
    expanded: ['tags'],
  })
  const links = new SearchLinks('/dataset', state)
  t.equal(links.remove('tags', 'b'), '/dataset?q=agua&organization=inec&tags=a&sort=title_string+asc&_tags_limit=0', 'back to page 1')
  t.equal(links.add('res_format', 'CSV'), '/dataset?q=agua&organization=inec&tags=b&tags=a&res_format=CSV&sort=title_string+asc&_tags_limit=0')
  t.equal(links.page(4), '/dataset?q=agua&organization=inec&tags=b&tags=a&sort=title_string+asc&page=4&_tags_limit=0')
  t.equal(links.collapse('tags'), '/dataset?q=agua&organization=inec&tags=b&tags=a&sort=title_string+asc&page=3', 'showing fewer values keeps the page')
  t.equal(links.clearFilters(), '/dataset?q=agua&sort=title_string+asc&_tags_limit=0')
  t.equal(readSearchState({ sort: 'views_recent desc' }).sort, '', 'an order the page does not offer is the default')
  t.same(readSearchState({ organization: 'x', tags: 'y' }, 'organization').filters, [{ field: 'tags', value: 'y' }], "the page's own filter is not the URL's to set")
  for (const page of ['0', '-2', 'x', '1e3', '2.0']) {
    let thrown: unknown
    try {
      readSearchState({ page })
    } catch (err) {
      thrown = err
    }
    t.ok(thrown instanceof BadPageNumber, `page=${page} is refused`)
  }
  t.equal(readSearchState({ page: '9'.repeat(40) }).page, 10_000_000, 'a huge page is past the end of any catalogue, not an overflow')
})

t.test('pagination keeps the first, last and nearby pages', async (t) => {
  const url = (n: number) => `/p${n}`
  t.equal(pagination(1, 20, 20, url), null, 'one page: no nav')
  const mid = pagination(10, 400, 20, url)!
  t.same(
    mid.items.map((i) => (i.gap ? '…' : i.current ? `[${i.page}]` : String(i.page))),
    ['1', '…', '8', '9', '[10]', '11', '12', '…', '20'],
  )
  t.equal(mid.previous, '/p9')
  t.equal(mid.next, '/p11')
  const near = pagination(4, 400, 20, url)!
  t.same(
    near.items.map((i) => (i.gap ? '…' : String(i.page))),
    ['1', '2', '3', '4', '5', '6', '…', '20'],
    'a gap of one page shows the page instead',
  )
  const past = pagination(50, 41, 20, url)!
  t.equal(past.previous, '/p3', 'past the end, previous is the last page')
  t.equal(past.next, null)
})

t.test('plainText and excerpt', async (t) => {
  t.equal(plainText('# Título\n\nTexto con **negrita**, _cursiva_ y [un enlace](http://x).\n\n- uno\n- dos'), 'Título Texto con negrita, cursiva y un enlace. uno dos')
  t.equal(plainText('<p>Hola <script>alert(1)</script><b>mundo</b> &amp;lt;</p>'), 'Hola mundo &lt;')
  t.equal(plainText(null), '')
  t.equal(excerpt('palabra '.repeat(50), 30), 'palabra palabra palabra…')
})

t.test('correctionNotice', async (t) => {
  const link = (q: string) => `/dataset?q=${encodeURIComponent(q)}`
  const datasets = [{ title: 'Población por provincia' }]
  t.same(correctionNotice('Poblacon 2020', [{ word: 'Poblacon', suggestions: ['poblacion'] }], datasets, link), { query: 'población 2020', url: '/dataset?q=poblaci%C3%B3n%202020' }, 'spelt as the datasets spell it')
  t.same(correctionNotice('poblacon', [{ word: 'poblacon', suggestions: ['poblacion'] }], [], link)?.query, 'poblacion', 'folded when no dataset shows it')
  t.equal(correctionNotice('agua', [], datasets, link), null)
  t.equal(correctionNotice('agua', undefined, datasets, link), null, 'backends that cannot tell')
})
