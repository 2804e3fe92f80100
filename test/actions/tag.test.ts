import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { testApp } from '../helpers/app.js'
import { insertDataset } from './group-fixtures.js'

async function tag(db: Kysely<Database>, name: string, vocabularyId: string | null = null): Promise<string> {
  const id = randomUUID()
  await db.insertInto('tag').values({ id, name, vocabulary_id: vocabularyId }).execute()
  return id
}

async function fixtures(db: Kysely<Database>) {
  const vocab = randomUUID()
  await db.insertInto('vocabulary').values({ id: vocab, name: 'countries' }).execute()
  const tags = {
    water: await tag(db, 'water'),
    waste: await tag(db, 'waste'),
    privateOnly: await tag(db, 'secret-stuff'),
    orphan: await tag(db, 'orphan'),
    pct: await tag(db, '50%'),
    spain: await tag(db, 'spain', vocab),
    france: await tag(db, 'france', vocab),
    vocabWater: await tag(db, 'water', vocab),
  }
  await insertDataset(db, { name: 'pub-b', tags: [tags.water, tags.waste, tags.spain, tags.pct] })
  await insertDataset(db, { name: 'pub-a', tags: [tags.water] })
  await insertDataset(db, { name: 'hidden', private: true, tags: [tags.water, tags.privateOnly] })
  await insertDataset(db, { name: 'removed', state: 'deleted', tags: [tags.water] })
  return { vocab, tags }
}

t.test('tag_list', async (t) => {
  const { call, ok, db, app } = await testApp(t)
  const { vocab, tags } = await fixtures(db.kysely)

  const res = await call('tag_list', {}, { token: null })
  t.equal(res.statusCode, 200)
  t.same(
    res.json(),
    {
      help: 'http://test.local/api/3/action/help_show?name=tag_list',
      success: true,
      result: ['50%', 'waste', 'water'],
    },
    'free tags some dataset the caller sees carries (CKAN also lists the tags of hidden datasets: not here), not orphans nor vocabulary tags',
  )
  t.same(await ok('tag_list', {}), ['50%', 'secret-stuff', 'waste', 'water'], 'a sysadmin sees the tags of private datasets')
  t.same(await ok('tag_list', { query: 'WA' }), ['waste', 'water'], 'query: case-insensitive substring')
  t.same(await ok('tag_list', { q: 'ste' }), ['waste'])
  t.same(await ok('tag_list', { q: '0%' }), ['50%'])
  t.same(await ok('tag_list', { q: '_' }), [], 'wildcards are literal')
  t.same(await ok('tag_list', { vocabulary_id: 'countries' }), ['france', 'spain', 'water'], 'a vocabulary lists all its tags')
  t.same(await ok('tag_list', { vocabulary_id: vocab, query: 'R' }), ['france', 'water'], 'vocabulary tags need no dataset')
  t.same(await ok('tag_list', { vocabulary_id: 'nope', query: 'a' }), [], 'searching an unknown vocabulary finds nothing')
  const unknown = await call('tag_list', { vocabulary_id: 'nope' })
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json().error, { __type: 'Not Found Error', message: "Not found: could not find vocabulary 'nope'" })

  const all = await ok('tag_list', { all_fields: true, query: 'water' })
  t.same(all, [{ id: tags.water, name: 'water', vocabulary_id: null, display_name: 'water' }])
  const allVocab = await ok('tag_list', { all_fields: 'true', vocabulary_id: 'countries', query: 'spain' })
  t.same(allVocab, [{ id: tags.spain, name: 'spain', vocabulary_id: vocab, display_name: 'spain' }])
  const get = await app.inject({ method: 'GET', url: '/api/3/action/tag_list?q=was&all_fields=false' })
  t.same(get.json().result, ['waste'])
  const bad = await call('tag_list', { all_fields: 'perhaps' })
  t.equal(bad.statusCode, 409)
  t.same(bad.json().error, { __type: 'Validation Error', all_fields: ['Not a boolean'] })
})

t.test('tag_show', async (t) => {
  const { call, ok, db } = await testApp(t)
  const { vocab, tags } = await fixtures(db.kysely)

  const byName = await ok('tag_show', { id: 'water' }, { token: null })
  t.same(byName, { id: tags.water, name: 'water', vocabulary_id: null, display_name: 'water' }, 'a name finds the free tag')
  t.same(await ok('tag_show', { id: tags.spain }), { id: tags.spain, name: 'spain', vocabulary_id: vocab, display_name: 'spain' }, 'an id finds any tag')
  t.same(await ok('tag_show', { id: 'water', vocabulary_id: 'countries' }), { id: tags.vocabWater, name: 'water', vocabulary_id: vocab, display_name: 'water' })
  t.equal((await ok('tag_show', { id: tags.spain, vocabulary_id: vocab })).id, tags.spain)

  const withData = await ok('tag_show', { id: 'water', include_datasets: true })
  t.same(Object.keys(withData), ['id', 'name', 'vocabulary_id', 'display_name', 'packages'])
  t.same(
    withData.packages.map((p: Record<string, unknown>) => p.name),
    ['pub-a', 'pub-b'],
    'public active datasets only, even for a sysadmin',
  )
  t.equal(withData.packages[1].num_tags, 4, 'full package dicts')
  t.same(
    (await ok('tag_show', { id: tags.spain, include_datasets: 'yes' })).packages.map((p: Record<string, unknown>) => p.name),
    ['pub-b'],
  )
  t.equal((await call('tag_show', { id: 'orphan', include_datasets: true })).statusCode, 404, 'a free tag no visible dataset carries is not shown')
  t.equal((await call('tag_show', { id: 'secret-stuff' }, { token: null })).statusCode, 404, 'nor one only hidden datasets carry')
  t.same((await ok('tag_show', { id: 'secret-stuff', include_datasets: true })).packages, [], 'a sysadmin finds it; its datasets list stays public-only')

  const notFound: Record<string, unknown>[] = [{ id: 'nope' }, { id: 'spain' }, { id: 'water', vocabulary_id: 'nope' }, { id: tags.water, vocabulary_id: 'countries' }]
  for (const body of notFound) {
    const res = await call('tag_show', body)
    t.equal(res.statusCode, 404, JSON.stringify(body))
    t.same(res.json().error, { __type: 'Not Found Error', message: 'Not found' })
  }
  const missing = await call('tag_show', {})
  t.equal(missing.statusCode, 409)
  t.same(missing.json().error, { __type: 'Validation Error', id: ['Missing value'] })
})
