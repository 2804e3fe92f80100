import { readFileSync } from 'node:fs'
import t from 'tap'
import { defaultRegistry } from '../../src/actions/registry.js'
import { OPENAPI_FILE, docsApp, openApiText } from '../../scripts/openapi.js'

interface Operation {
  operationId?: string
}
interface Doc {
  openapi: string
  paths: Record<string, { get?: Operation; post?: Operation }>
}

t.test('openapi/openapi.json is what the registry generates', async (t) => {
  const generated = await openApiText()
  let committed = ''
  try {
    committed = readFileSync(OPENAPI_FILE, 'utf8')
  } catch {
    // missing file: the comparison below fails with the same advice
  }
  // compare the text so a stale file fails here and not in a reviewer's diff
  t.ok(generated === committed, 'openapi/openapi.json is out of date: run npm run openapi (and commit the result)')
  if (generated !== committed) t.same(JSON.parse(committed || '{}'), JSON.parse(generated), 'difference (committed vs generated); run npm run openapi')
})

t.test('every registered action has an operation', async (t) => {
  const doc = JSON.parse(await openApiText()) as Doc
  t.equal(doc.openapi, '3.1.0')
  const actions = defaultRegistry().all()
  t.ok(actions.length > 0)
  for (const action of actions) {
    const item = doc.paths[`/api/3/action/${action.name}`]
    t.equal(item?.post?.operationId, action.name, `POST ${action.name} documented`)
    if (action.sideEffectFree) t.equal(item?.get?.operationId, `${action.name}_get`, `GET ${action.name} documented`)
    else t.notOk(item?.get, `GET ${action.name} not documented (it writes)`)
  }
  // only the /api/3 spelling is documented, and nothing but actions
  const expected = new Set(actions.map((a) => `/api/3/action/${a.name}`))
  t.same(
    Object.keys(doc.paths).filter((p) => !expected.has(p)),
    [],
    'no undocumented extras',
  )
})

t.test('GET /api/docs serves Swagger UI and /api/docs/json the document', async (t) => {
  const { app, close } = await docsApp()
  t.teardown(close)
  const ui = await app.inject({ method: 'GET', url: '/api/docs' })
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  t.match(ui.body, /swagger-ui/i)
  const json = await app.inject({ method: 'GET', url: '/api/docs/json' })
  t.equal(json.statusCode, 200)
  t.match(json.headers['content-type'], /application\/json/)
  t.same(json.json(), JSON.parse(await openApiText()))
  // the page's own assets load too
  const init = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' })
  t.equal(init.statusCode, 200)
  const bundle = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-ui-bundle.js' })
  t.equal(bundle.statusCode, 200)
})
