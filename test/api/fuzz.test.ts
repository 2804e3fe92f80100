import t from 'tap'
import { testApp } from '../helpers/app.js'
import { fuzzActions, PROTO_NAMES } from '../helpers/fuzz.js'
import { createFixtures } from '../helpers/fuzz-fixtures.js'

// Seeded and bounded: the same requests every run. `npm run fuzz` runs the long version.
const SEED = 20261203
const RUNS_PER_ACTION = Number(process.env.FUZZ_RUNS ?? 3)

t.test('hostile params generated from every action schema never get a 500, internals or an answer outside the envelope', async (t) => {
  const app = await testApp(t)
  const known = await createFixtures(app)
  const actions = app.app.actions.registry.all()
  t.ok(actions.length > 80, 'every registered action is fuzzed')
  const findings = await fuzzActions({
    app: app.app,
    actions,
    known,
    callers: [
      ['anonymous', null],
      ['sysadmin', app.sysadminToken],
    ],
    seed: SEED,
    runs: RUNS_PER_ACTION,
  })
  for (const f of findings) t.fail(`${f.action} as ${f.caller} (seed ${f.seed}, case ${f.index}): ${f.problem}; status ${f.status}\n  request: ${f.request}\n  body: ${f.body}`)
  t.equal(findings.length, 0, 'no findings')
})

t.test('the catalog and download routes take the same hostile strings in paths, queries and headers', async (t) => {
  const app = await testApp(t)
  const known = await createFixtures(app)
  const [datasetId, resourceId] = [known[7], known[8]]
  const strings = ['\u0000', '%00', '%ED%BF%BF', '%E9', '%zz', ...PROTO_NAMES, 'constructor:x', '*:*', '[* TO *]', '"', 'a'.repeat(5000), '-1', '99999999999999999999', '1e309', '2024-13-45', 'ttl', '.ttl']
  const enc = (s: string) => (s.startsWith('%') ? s : encodeURIComponent(s))
  const requests: Array<{ url: string; headers?: Record<string, string> }> = []
  for (const s of strings) {
    const e = enc(s)
    requests.push(
      { url: `/catalog.ttl?q=${e}&fq=${e}` },
      { url: `/catalog.jsonld?page=${e}&modified_since=${e}&profiles=${e}` },
      { url: `/catalog.${e}` },
      { url: `/dataset/${e}`, headers: { accept: 'text/turtle' } },
      { url: `/dataset/${e}.ttl?profiles=${e}` },
      { url: `/dataset/${datasetId}.rdf?profiles=${e}` },
      { url: `/dataset/${e}/resource/${e}/download` },
      { url: `/dataset/${datasetId}/resource/${resourceId}/download/${e}` },
      { url: `/api/3/action/${e}` },
      { url: `/api/${e}` },
    )
    // eslint-disable-next-line no-control-regex -- header values cannot carry control or non-Latin-1 characters at all
    if (!/[\u0000-\u001f\u0080-\uffff]/.test(s)) {
      requests.push(
        { url: `/dataset/${datasetId}`, headers: { accept: s } },
        { url: `/dataset/${datasetId}/resource/${resourceId}/download`, headers: { range: `bytes=${s}`, 'if-none-match': s, 'if-range': s } },
        { url: '/api/3/action/package_show?id=fz-dataset', headers: { authorization: s } },
      )
    }
  }
  for (const r of requests) {
    const res = await app.app.inject({ method: 'GET', url: r.url, headers: r.headers })
    const leak = res.statusCode >= 500 || /\n\s+at |\.(?:ts|js):\d+|invalid byte sequence|syntax error at|ENOENT|ENOSPC|TypeError|RangeError|URIError/.test(res.body)
    if (leak) t.fail(`${r.url.slice(0, 120)} ${JSON.stringify(r.headers ?? {}).slice(0, 80)} → ${res.statusCode} ${res.body.slice(0, 200)}`)
  }
  t.pass(`${requests.length} requests`)
})
