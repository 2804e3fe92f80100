import t from 'tap'
import net from 'node:net'
import { MeilisearchIndex } from '../../src/search/meilisearch/index.js'
import { SearchBackendError } from '../../src/search/port.js'
import { CONTRACT_DOCS, VOCABULARY, searchContract } from './contract.js'

// The production backend against the same contract, when a server is given; otherwise the output
// says plainly that this run did not check it.
const url = process.env.MEILISEARCH_URL

if (!url) {
  t.test('Meilisearch contract: MEILISEARCH_URL not set', { skip: 'Meilisearch contract: MEILISEARCH_URL not set' }, () => {})
} else {
  t.test('Meilisearch search index: adapter contract', (t) =>
    searchContract(
      t,
      async (t) => {
        // a fresh index per run, so concurrent runs and leftovers never meet
        const index = new MeilisearchIndex({
          url,
          apiKey: process.env.MEILISEARCH_API_KEY ?? '',
          index: `abierto_contract_${process.pid}_${Date.now().toString(36)}`,
          vocabularyId: async (name) => (name === VOCABULARY.name ? VOCABULARY.id : null),
        })
        t.teardown(() => index.drop())
        return index
      },
      // a pattern keeps only its literal prefix in Meilisearch (documented in src/search/meilisearch/index.ts)
      { infixWildcards: false },
    ),
  )
}

// Needs no server: a port nobody listens on is an outage, which the outbox retries, so it must
// surface as SearchBackendError (500 Search Connection Error), never as a query error.
t.test('an unreachable server is a SearchBackendError', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port
      s.close(() => resolve(p))
    })
  })
  const index = new MeilisearchIndex({ url: `http://127.0.0.1:${port}`, apiKey: '', index: 'nowhere' })
  const request = {
    query: { kind: 'all' as const },
    filters: [],
    visibility: { labels: null, states: ['active'], includePrivate: true },
    sort: [{ field: 'score', dir: 'desc' as const }],
    rows: 10,
    start: 0,
    facetFields: [],
    facetLimit: 50,
    facetMincount: 1,
  }
  for (const [what, op] of [
    ['prepare', () => index.prepare()],
    ['search', () => index.search(request)],
    ['upsert', () => index.upsert(CONTRACT_DOCS.slice(0, 1))],
    ['remove', () => index.remove(['x'])],
    ['count', () => index.count()],
  ] as const) {
    const err = await op().then(
      () => null,
      (e: unknown) => e,
    )
    t.ok(err instanceof SearchBackendError, `${what}: ${String(err)}`)
  }
})
