import t from 'tap'
import { testApp, type TestApp } from '../helpers/app.js'

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

/** The activity ids a page lists, in order. */
function listed(body: string): string[] {
  return [...body.matchAll(/<li class="activity-item activity-\w+" id="activity-([^"]+)">/g)].map((m) => m[1])
}

/** The href of the pager link with `rel` (`prev` = newer, `next` = older), `&amp;` unescaped. */
function pagerLink(body: string, rel: 'prev' | 'next'): string | null {
  const pager = /<nav class="pagination activity-pager"[\s\S]*?<\/nav>/.exec(body)?.[0] ?? ''
  const m = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(pager)
  return m ? m[1].replace(/&amp;/g, '&') : null
}

/** An editor of `inec` with a display name that must be escaped, and their token. */
async function editor(h: TestApp): Promise<string> {
  await h.ok('organization_create', { name: 'inec', title: 'INEC' })
  await h.ok('user_create', { name: 'ana', email: 'ana@example.org', password: 'una-clave-larga-123', fullname: 'Ana <b>Pérez</b>' })
  await h.ok('organization_member_create', { id: 'inec', username: 'ana', role: 'editor' })
  const { token } = await h.ok('api_token_create', { user: 'ana', name: 'test' })
  return token as string
}

t.test("a dataset's activity tab: newest first, who/what/when, paging with before/after", async (t) => {
  // pages of three activities, so eight make three pages
  const h = await testApp(t, { ACTIVITY_LIST_LIMIT: '3' })
  const ana = await editor(h)
  const censo = await h.ok('package_create', { name: 'censo', title: 'Censo <script>alert(1)</script>', owner_org: 'inec' }, { token: ana })
  for (let i = 1; i <= 7; i++) await h.ok('package_patch', { id: 'censo', title: `Censo v${i}` }, { token: ana })
  const all = (await h.ok<Array<{ id: string; activity_type: string }>>('package_activity_list', { id: 'censo', limit: 100 }, { token: null })).map((a) => a.id)
  t.equal(all.length, 8, 'the action lists one activity per write')

  const first = await h.app.inject({ url: '/dataset/activity/censo', headers: HTML })
  t.equal(first.statusCode, 200)
  t.match(first.headers['content-security-policy'], /script-src 'self'/)
  t.same(listed(first.body), all.slice(0, 3), 'the first page: the three newest, newest first')
  t.match(first.body, /<span class="activity-actor">Ana &lt;b&gt;Pérez&lt;\/b&gt;<\/span> actualizó el conjunto de datos <a href="\/dataset\/censo">Censo v7<\/a>/, 'who (display name, escaped), what, and the title the dataset had then')
  t.notMatch(first.body, /<b>Pérez/, 'the display name is text')
  t.match(first.body, /<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z">\d+ de [a-z]+ de \d{4}/, 'when: a UTC datetime, written as Spanish writes dates')
  t.match(first.body, /<a href="\/dataset\/activity\/censo" aria-current="page">Actividad<\/a>/, 'the Actividad tab is the current one')
  t.equal(pagerLink(first.body, 'prev'), null, 'nothing is newer than the first page')
  const older1 = pagerLink(first.body, 'next')
  t.match(older1, /^\/dataset\/activity\/censo\?before=\d+(\.\d{1,6})?$/, 'older: before the oldest shown, in epoch seconds')

  const second = await h.app.inject({ url: older1!, headers: HTML })
  t.same(listed(second.body), all.slice(3, 6), 'the second page follows on without a gap or a repeat')
  t.match(second.body, /<meta name="robots" content="noindex">/, 'pages past the first are not indexed')
  const older2 = pagerLink(second.body, 'next')
  const newer2 = pagerLink(second.body, 'prev')
  t.ok(older2 && newer2, 'a middle page links both ways')

  const third = await h.app.inject({ url: older2!, headers: HTML })
  t.same(listed(third.body), all.slice(6), 'the last page holds the two oldest')
  t.match(third.body, /Ana &lt;b&gt;Pérez&lt;\/b&gt;<\/span> creó el conjunto de datos <a href="\/dataset\/censo">Censo &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/a>/, 'the oldest is the creation, its title escaped')
  t.notMatch(third.body, /<script>alert/, 'no markup from a title')
  t.equal(pagerLink(third.body, 'next'), null, 'nothing older than the creation')

  const back = await h.app.inject({ url: pagerLink(third.body, 'prev')!, headers: HTML })
  t.same(listed(back.body), all.slice(3, 6), 'newer from the last page: the three right after it (after=…)')
  t.ok(pagerLink(back.body, 'prev'), 'and it links newer still')
  t.equal(pagerLink(back.body, 'next'), pagerLink(second.body, 'next'), 'its older link is the same as the second page')
  const top = await h.app.inject({ url: pagerLink(back.body, 'prev')!, headers: HTML })
  t.same(listed(top.body), all.slice(0, 3), 'and back to the newest')
  t.equal(pagerLink(top.body, 'prev'), null, 'the newest page reached going forward has no newer link')

  // the kind-of-change filter (a GET form), kept by the paging links
  const created = await h.app.inject({ url: '/dataset/activity/censo?activity_type=new+package', headers: HTML })
  t.same(listed(created.body), all.slice(7), 'creation only: the one activity')
  t.match(created.body, /<option value="new package" selected>Creación<\/option>/, 'the form shows the filter in force')
  t.equal(pagerLink(created.body, 'next'), null)
  const changed = await h.app.inject({ url: '/dataset/activity/censo?activity_type=changed%20package', headers: HTML })
  t.same(listed(changed.body), all.slice(0, 3), 'updates only, newest first')
  const changedOlder = pagerLink(changed.body, 'next')
  t.match(changedOlder, /^\/dataset\/activity\/censo\?before=[\d.]+&activity_type=changed%20package$/, 'the older link keeps the filter')
  const changed2 = await h.app.inject({ url: changedOlder!, headers: HTML })
  t.same(listed(changed2.body), all.slice(3, 6), 'next updates')
  const changed3 = await h.app.inject({ url: pagerLink(changed2.body, 'next')!, headers: HTML })
  t.same(listed(changed3.body), all.slice(6, 7), 'the last update, and not the creation')
  t.equal(pagerLink(changed3.body, 'next'), null)
  const deleted = await h.app.inject({ url: '/dataset/activity/censo?activity_type=deleted+package', headers: HTML })
  t.same(listed(deleted.body), [])
  t.match(deleted.body, /No hay actividad de este tipo\./)
  const unknown = await h.app.inject({ url: '/dataset/activity/censo?activity_type=bogus', headers: HTML })
  t.same(listed(unknown.body), all.slice(0, 3), 'an unknown kind filters nothing')

  const en = await h.app.inject({ url: `${older2}&lang=en`, headers: HTML })
  t.match(en.body, /Ana &lt;b&gt;Pérez&lt;\/b&gt;<\/span> created the dataset <a href="\/dataset\/censo">/, 'English')
  t.match(en.body, /<time datetime="[^"]+">\d+ [A-Z][a-z]+ \d{4}/, 'an English date')
  t.match(en.body, />Activity Stream<\/a>/)

  const show = await h.app.inject({ url: '/dataset/censo', headers: HTML })
  t.match(show.body, /<a href="\/dataset\/activity\/censo">Actividad<\/a>/, 'the dataset page links its activity tab')
  t.match(show.body, /<a href="\/dataset\/censo" aria-current="page">Conjunto de datos<\/a>/)

  const byId = await h.app.inject({ url: `/dataset/activity/${censo.id}?before=1`, headers: HTML })
  t.equal(byId.statusCode, 302, 'by id: sent to the address by name, as the dataset page')
  t.equal(byId.headers.location, '/dataset/activity/censo?before=1')

  const blank = await h.app.inject({ url: '/dataset/activity/censo?before=&after=', headers: HTML })
  t.same(listed(blank.body), all.slice(0, 3), 'empty bounds: the first page')
  const bad = await h.app.inject({ url: '/dataset/activity/censo?before=ayer', headers: HTML })
  t.equal(bad.statusCode, 400, 'a cursor that is not a timestamp is a bad request, not a server error')
})

t.test('private and unknown datasets: 404 like the dataset page, activities only for who may read them', async (t) => {
  const h = await testApp(t)
  const ana = await editor(h)
  const secreto = await h.ok('package_create', { name: 'secreto', title: 'Dataset secreto', owner_org: 'inec', private: true }, { token: ana })
  await h.ok('package_patch', { id: 'secreto', notes: 'más' }, { token: ana })

  for (const url of ['/dataset/activity/secreto', `/dataset/activity/${secreto.id}`, '/dataset/activity/no-existe']) {
    const res = await h.app.inject({ url, headers: HTML })
    t.equal(res.statusCode, 404, `${url}: 404 for an anonymous visitor`)
    t.match(res.body, /Página no encontrada/)
    t.notMatch(res.body, /Dataset secreto|activity-item/, 'nothing of the dataset')
    t.equal((await h.app.inject({ url: url.replace('/activity', ''), headers: HTML })).statusCode, 404, 'as its dataset page')
  }
  await h.ok('user_create', { name: 'otro', email: 'otro@example.org', password: 'una-clave-larga-123' })
  const { token: other } = await h.ok('api_token_create', { user: 'otro', name: 'test' })
  t.equal((await h.app.inject({ url: '/dataset/activity/secreto', headers: { ...HTML, authorization: other } })).statusCode, 404, 'a signed-in user outside the organization: 404 too')

  const member = await h.app.inject({ url: '/dataset/activity/secreto', headers: { ...HTML, authorization: ana } })
  t.equal(member.statusCode, 200, 'a member of its organization sees it')
  t.equal(listed(member.body).length, 2, 'with both of its activities')
  t.match(member.body, /<span class="state-badge">Privado<\/span>/)
  t.match(member.body, /<meta name="robots" content="noindex">/)
  t.equal((await h.app.inject({ url: '/dataset/activity/secreto', headers: HTML })).statusCode, 404, "a signed-in visit never fills the anonymous visitors' cache")
})

t.test("the home page's recent changes: the latest public dataset activities, linked", async (t) => {
  const h = await testApp(t)
  const ana = await editor(h)
  const empty = await h.app.inject({ url: '/', headers: HTML })
  t.match(empty.body, /<h2 id="changes-title">Cambios recientes<\/h2>\s*<p>Todavía no hay cambios\.<\/p>/, 'no activity yet: said so')

  const censo = await h.ok('package_create', { name: 'censo', title: 'Censo <i>2022</i>', owner_org: 'inec' }, { token: ana })
  for (let i = 1; i <= 5; i++) await h.ok('package_patch', { id: 'censo', notes: `revisión ${i}` }, { token: ana })
  const secreto = await h.ok('package_create', { name: 'secreto', title: 'Dataset secreto', owner_org: 'inec', private: true }, { token: ana })
  await h.ok('package_patch', { id: 'secreto', notes: 'x' }, { token: ana })
  // public when created, withdrawn since: its first activity stays labelled public in the action's answer
  const retirado = await h.ok('package_create', { name: 'retirado', title: 'Dataset retirado', owner_org: 'inec' }, { token: ana })
  await h.ok('package_patch', { id: 'retirado', private: true }, { token: ana })
  const publicList = await h.ok<Array<{ object_id: string }>>('recently_changed_packages_activity_list', { limit: 10 }, { token: null })
  t.ok(
    publicList.some((a) => a.object_id === retirado.id),
    'the action still lists the withdrawn dataset’s public activity (frozen labels, as CKAN)',
  )

  const home = await h.app.inject({ url: '/', headers: HTML })
  t.equal(home.statusCode, 200)
  const box = /<section aria-labelledby="changes-title"[\s\S]*?<\/section>/.exec(home.body)?.[0] ?? ''
  const shown = listed(box)
  t.equal(shown.length, 5, 'five changes')
  t.same(
    shown,
    publicList
      .filter((a) => a.object_id === censo.id)
      .slice(0, 5)
      .map((a) => (a as unknown as { id: string }).id),
    'the latest public ones, newest first',
  )
  t.match(box, new RegExp(`<span class="activity-actor">Ana &lt;b&gt;Pérez&lt;/b&gt;</span> actualizó el conjunto de datos <a href="/dataset/${censo.id}">Censo &lt;i&gt;2022&lt;/i&gt;</a>`), 'who, what, and a link to the dataset, escaped')
  t.notMatch(home.body, new RegExp(`secreto|${secreto.id}`, 'i'), "a private dataset's activity is never shown to the public")
  t.notMatch(home.body, new RegExp(`retirado|${retirado.id}`, 'i'), 'nor the earlier activity of a dataset made private since')

  const admin = await h.app.inject({ url: '/', headers: { ...HTML, authorization: h.sysadminToken } })
  t.match(admin.body, /Dataset retirado|Dataset secreto/, 'who may read the private datasets sees their changes')

  const en = await h.app.inject({ url: '/?lang=en', headers: HTML })
  t.match(en.body, /<h2 id="changes-title">Recent changes<\/h2>/)
  t.match(en.body, /updated the dataset <a href="\/dataset\//)
})
