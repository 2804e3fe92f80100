import t, { type Test } from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { QueryNode } from '../../src/search/ast.js'
import type { SearchRequest } from '../../src/search/port.js'
import { MeilisearchIndex } from '../../src/search/meilisearch/index.js'
import { encodeValue as E } from '../../src/search/meilisearch/values.js'

// Meilisearch cannot run here: a stub answering its two search routes records what the client
// sends, so the known-word rule (probe, then require the known words) is checked without a server.
interface Recorded {
  path: string
  body: Record<string, any>
}

async function stub(t: Test, knownFilters: (filter: string) => boolean): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = []
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (c: Buffer) => (raw += c.toString()))
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, any>
      requests.push({ path: req.url ?? '', body })
      const answer =
        req.url === '/multi-search'
          ? {
              results: (body.queries as Array<{ indexUid: string; filter: string }>).map((q) => ({
                indexUid: q.indexUid,
                hits: knownFilters(q.filter) ? [{ id: 'k' }] : [],
                query: '',
                processingTimeMs: 0,
                limit: 1,
                offset: 0,
                estimatedTotalHits: 0,
              })),
            }
          : { hits: [{ id: 'a' }], query: body.q, processingTimeMs: 0, hitsPerPage: 10, page: 1, totalPages: 1, totalHits: 1, facetDistribution: {} }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const term = (field: string | null, value: string): QueryNode => ({ kind: 'term', field, value, phrase: false })
const request = (query: QueryNode): SearchRequest => ({
  query,
  filters: [],
  visibility: { labels: ['public'], states: ['active'], includePrivate: false },
  sort: [{ field: 'score', dir: 'desc' }],
  rows: 10,
  start: 0,
  facetFields: [],
  facetLimit: 50,
  facetMincount: 1,
})

t.test('a known word is required exactly; an unknown one is left to typo tolerance', async (t) => {
  const known = `w.text = "${E('exportacion')}"`
  const unknown = `w.text = "${E('poblacon')}"`
  const { url, requests } = await stub(t, (filter) => filter.includes(known))
  const index = new MeilisearchIndex({ url, apiKey: '', index: 'datasets' })
  const result = await index.search(request({ kind: 'and', children: [term(null, 'Exportaciones'), term(null, 'poblacon')] }))
  t.same(result.ids, ['a'], 'the answer is the search, not a probe')
  t.same(
    requests.map((r) => r.path),
    ['/multi-search', '/indexes/datasets/search'],
    'one multi-search of probes, then the search',
  )
  const probes = (requests[0].body.queries as Array<{ filter: string; q: string }>).map((q) => ({ q: q.q, word: q.filter.slice(1, q.filter.indexOf(' AND ')), visible: q.filter.includes(' AND e.state IN ') }))
  t.same(
    probes,
    [
      { q: '', word: known, visible: true },
      { q: '', word: unknown, visible: true },
    ],
    'a probe per word: no q (so no typo), the word exactly, within what the caller may see',
  )
  const search = requests[1].body
  t.equal(search.q, 'exportacion poblacon', 'q carries the stemmed words')
  t.ok(String(search.filter).includes(known), 'the known word is required as it is')
  t.notOk(String(search.filter).includes(unknown), 'the unknown word is not: Meilisearch may correct it')
})

t.test('no probe when no word could take a typo', async (t) => {
  const { url, requests } = await stub(t, () => true)
  const index = new MeilisearchIndex({ url, apiKey: '', index: 'datasets' })
  await index.search(request(term(null, 'agua de luz')))
  t.same(
    requests.map((r) => [r.path, r.body.q]),
    [['/indexes/datasets/search', 'agua de luc']],
    'agua and luc (stems under 5 characters) never take a typo, de is a stopword',
  )
})
