import t from 'tap'
import type { TFunction } from 'i18next'
import { epochSeconds, streamPage } from '../../src/web/activity-paging.js'
import { activityItems, type ActivityDict } from '../../src/web/activity-view.js'
import { activitySentence } from '../../src/web/activity-sentence.js'
import { loadCatalogues, translator } from '../../src/web/i18n.js'
import path from 'node:path'

t.test('epochSeconds keeps every microsecond of the naive UTC timestamp', async (t) => {
  t.equal(epochSeconds('2024-05-02T09:14:03.512345'), '1714641243.512345')
  t.equal(epochSeconds('2024-05-02T09:14:03.5'), '1714641243.500000', 'a short fraction is microseconds padded')
  t.equal(epochSeconds('2024-05-02T09:14:03'), '1714641243', 'no fraction, as CKAN writes whole seconds')
  t.equal(epochSeconds('2024-05-02T09:14:03.000000'), '1714641243')
  t.equal(epochSeconds('1970-01-01T00:00:00.000001'), '0.000001')
  t.equal(epochSeconds('not a date'), null)
  t.equal(epochSeconds('2024-05-02T09:14:03Z'), null, 'stored timestamps have no zone: anything else is not one')
})

const ts = (n: number) => ({ id: `a${n}`, timestamp: `2024-05-02T09:14:${String(n).padStart(2, '0')}.000100` })

t.test('streamPage: the extra activity, and which links a page has', async (t) => {
  // newest first, as the actions answer
  const desc = (from: number, count: number) => Array.from({ length: count }, (_, i) => ts(from - i))

  const first = streamPage(desc(10, 4), 3, {})
  t.same(
    first.items.map((a) => a.id),
    ['a10', 'a9', 'a8'],
    'first page: the extra is the oldest, dropped',
  )
  t.equal(first.newer, null, 'nothing newer than the first page')
  t.equal(first.older, `?before=${epochSeconds(ts(8).timestamp)}`, 'older: before the oldest shown')

  const only = streamPage(desc(10, 3), 3, {})
  t.equal(only.older, null, 'one page holds everything: no older link')
  t.equal(only.newer, null)

  const back = streamPage(desc(7, 4), 3, { before: '1' })
  t.same(
    back.items.map((a) => a.id),
    ['a7', 'a6', 'a5'],
  )
  t.equal(back.newer, `?after=${epochSeconds(ts(7).timestamp)}`, 'a page reached going back has a newer page')
  t.equal(back.older, `?before=${epochSeconds(ts(5).timestamp)}`)
  const lastBack = streamPage(desc(2, 2), 3, { before: '1' })
  t.equal(lastBack.older, null, 'the oldest page has no older link')
  t.ok(lastBack.newer)

  // `after` alone: the actions answer the `limit` activities right after it, newest first, so the extra is the newest
  const forward = streamPage(desc(8, 4), 3, { after: '1' })
  t.same(
    forward.items.map((a) => a.id),
    ['a7', 'a6', 'a5'],
    'going forward the extra is the newest, dropped',
  )
  t.equal(forward.newer, `?after=${epochSeconds(ts(7).timestamp)}`)
  t.equal(forward.older, `?before=${epochSeconds(ts(5).timestamp)}`, 'a page reached going forward always has an older page')
  const newest = streamPage(desc(10, 2), 3, { after: '1' })
  t.equal(newest.newer, null, 'the newest page has no newer link')
  t.ok(newest.older)

  const empty = streamPage([], 3, { before: '1' })
  t.same(empty, { items: [], older: null, newer: null }, 'an empty page links nowhere')
})

const catalogues = loadCatalogues([path.resolve('src/web/locales')], 'es')

t.test('activity sentences: slots in each language, text kept as text', async (t) => {
  const es = translator(catalogues, 'es')
  const en = translator(catalogues, 'en')
  t.same(activitySentence(es, 'changed'), [{ slot: 'actor' }, { text: ' actualizó el conjunto de datos ' }, { slot: 'dataset' }])
  t.same(activitySentence(en, 'new'), [{ slot: 'actor' }, { text: ' created the dataset ' }, { slot: 'dataset' }])
  t.same(activitySentence(en, 'deleted'), [{ slot: 'actor' }, { text: ' deleted the dataset ' }, { slot: 'dataset' }])
  // a language may put the dataset first: the slots follow the catalogue
  const inverted = ((key: string, o?: Record<string, string>) => (key === 'activity.new' && o ? `${o.dataset} fue creado por ${o.actor}.` : key)) as unknown as TFunction
  t.same(activitySentence(inverted, 'new'), [{ slot: 'dataset' }, { text: ' fue creado por ' }, { slot: 'actor' }, { text: '.' }])
})

t.test('activityItems: kinds, names and links from the activity dicts', async (t) => {
  const dict = (over: Partial<ActivityDict>): ActivityDict => ({
    id: 'x',
    timestamp: '2024-05-02T09:14:03.512345',
    user_id: 'u1',
    object_id: 'p1',
    activity_type: 'changed package',
    data: { package: { id: 'p1', name: 'censo', title: 'Censo 2022' }, actor: 'jdoe' },
    ...over,
  })
  const [changed, created, deleted, view, gone, other] = activityItems(
    [
      dict({}),
      dict({ activity_type: 'new package', user_id: 'u2' }),
      dict({ activity_type: 'deleted package' }),
      dict({ activity_type: 'new resource view', data: { package: { name: 'censo' } } }),
      dict({ user_id: 'u9', object_id: 'p/2', data: {} }),
      dict({ activity_type: 'changed extension thing' }),
    ],
    new Map([['u1', 'Juana Pérez']]),
  )
  t.equal(changed.kind, 'changed')
  t.equal(changed.actor, 'Juana Pérez', 'the display name looked up wins')
  t.equal(changed.dataset.title, 'Censo 2022', 'the title the dataset had then')
  t.equal(changed.dataset.page, '/dataset/p1', 'linked by id: a renamed dataset still answers')
  t.equal(changed.datetime, '2024-05-02T09:14:03.512345Z', 'the datetime attribute says it is UTC')
  t.equal(created.kind, 'new')
  t.equal(created.actor, 'jdoe', 'the stored actor name when the user was not found')
  t.equal(deleted.kind, 'deleted')
  t.equal(view.kind, 'view_new', 'resource view activities are told as such')
  t.equal(other.kind, 'other', 'other activity types get a generic sentence')
  t.equal(view.dataset.title, 'censo', 'the name when there is no title')
  t.equal(gone.actor, null, 'no name at all: the template says "someone"')
  t.equal(gone.dataset.title, 'p/2', 'no snapshot: the id')
  t.equal(gone.dataset.page, '/dataset/p%2F2', 'the id is escaped in the path')
})

t.test('metrics count the activity tab as a page, never by URL', async (t) => {
  const { routeLabels } = await import('../../src/metrics/route-kind.js')
  t.equal(routeLabels('/dataset/activity/:id').route, 'page')
})
