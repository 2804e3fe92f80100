import t from 'tap'
import { testApp } from '../helpers/app.js'

t.test('envelope, unknown action, GET on a write action, API version', async (t) => {
  const { app } = await testApp(t)
  const ok = await app.inject({ method: 'GET', url: '/api/3/action/status_show' })
  t.equal(ok.statusCode, 200)
  t.match(ok.headers['content-type'], /application\/json/)
  const body = ok.json()
  t.same(Object.keys(body).sort(), ['help', 'result', 'success'])
  t.equal(body.help, 'http://test.local/api/3/action/help_show?name=status_show')
  t.equal(body.result.ckan_version, '2.11.5')

  const unknown = await app.inject({ method: 'POST', url: '/api/action/no_such_action' })
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json(), 'Bad request - Action name not known: no_such_action')

  const v = await app.inject({ method: 'GET', url: '/api/3' })
  t.same(v.json(), { version: 3 })
  t.same((await app.inject({ method: 'GET', url: '/api' })).json(), { version: 1 })

  const badJson = await app.inject({ method: 'POST', url: '/api/3/action/status_show', headers: { 'content-type': 'application/json' }, payload: '{nope' })
  t.equal(badJson.statusCode, 400)
  t.match(badJson.json(), /^Bad request - JSON Error: Error decoding JSON data/)

  const notDict = await app.inject({ method: 'POST', url: '/api/3/action/status_show', headers: { 'content-type': 'application/json' }, payload: '[1, 2]' })
  t.equal(notDict.statusCode, 400)
  t.equal(notDict.json(), 'Bad request - JSON Error: Request data JSON decoded to [1,2] but it needs to be a dictionary.')
})
