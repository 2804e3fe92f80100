import t from 'tap'
import { testApp } from '../helpers/app.js'

t.test('garbage never gets a 500', async (t) => {
  const { app, sysadminToken } = await testApp(t, { BODY_LIMIT_MB: '1' })
  const auth = { authorization: sysadminToken }
  const cases: { name: string; method: 'GET' | 'POST' | 'PUT'; url: string; headers?: Record<string, string>; payload?: string | Buffer }[] = [
    { name: 'oversized body', method: 'POST', url: '/api/3/action/package_create', headers: { 'content-type': 'application/json', ...auth }, payload: JSON.stringify({ name: 'x', notes: 'a'.repeat(2 * 1024 * 1024) }) },
    { name: 'binary garbage', method: 'POST', url: '/api/3/action/package_create', headers: { 'content-type': 'application/octet-stream', ...auth }, payload: Buffer.from([0, 255, 1, 2, 3]) },
    { name: 'text/plain JSON', method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'text/plain' }, payload: '{"id": 5}' },
    { name: 'JSON null', method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: 'null' },
    { name: 'wrong types', method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/json' }, payload: '{"id": {"$ne": 1}}' },
    { name: 'limit as object', method: 'POST', url: '/api/3/action/package_list', headers: { 'content-type': 'application/json' }, payload: '{"limit": {"a": 1}}' },
    { name: 'negative offset', method: 'GET', url: '/api/3/action/package_list?offset=-5' },
    { name: 'huge limit', method: 'GET', url: '/api/3/action/package_list?limit=99999999999999999999' },
    { name: 'revise with junk', method: 'POST', url: '/api/3/action/package_revise', headers: { 'content-type': 'application/json', ...auth }, payload: '{"match": "{not json", "update": 3}' },
    { name: 'update with list body', method: 'POST', url: '/api/3/action/package_update', headers: { 'content-type': 'application/json', ...auth }, payload: '[]' },
    { name: 'resource_create junk', method: 'POST', url: '/api/3/action/resource_create', headers: { 'content-type': 'application/json', ...auth }, payload: '{"package_id": ["a", "b"], "size": [1]}' },
    { name: 'reorder junk', method: 'POST', url: '/api/3/action/package_resource_reorder', headers: { 'content-type': 'application/json', ...auth }, payload: '{"id": "x", "order": "abc"}' },
    { name: 'PUT', method: 'PUT', url: '/api/3/action/package_show' },
    { name: 'api v2', method: 'GET', url: '/api/2/action/package_show' },
    { name: 'unicode name', method: 'POST', url: '/api/3/action/package_create', headers: { 'content-type': 'application/json', ...auth }, payload: '{"name": "ñandú\\u0000", "owner_org": "\\ud800"}' },
  ]
  for (const c of cases) {
    const res = await app.inject({ method: c.method, url: c.url, headers: c.headers, payload: c.payload })
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${c.name} → ${res.statusCode} ${res.body.slice(0, 120)}`)
    t.doesNotThrow(() => JSON.parse(res.body), `${c.name}: JSON body`)
  }
})
