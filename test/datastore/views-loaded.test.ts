import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { testApp } from '../helpers/app.js'
import { poll } from '../helpers/poll.js'
import { postMultipart } from '../storage/multipart.js'

/**
 * End to end with the loader: an uploaded CSV is loaded into the DataStore by the job worker,
 * which then asks for the views of data in the DataStore (datatables_view) as xloader does; the
 * resource page shows the loaded rows. Skipped in a build without the loader.
 */

const h = await testApp(t, {}, { jobWorker: true })
const loader = h.app.hasRoute({ method: 'POST', url: '/api/3/action/xloader_submit' })

t.test('an uploaded CSV: loaded, given its table view, shown from the DataStore', { skip: loader ? false : 'the loader (xloader_submit) is not in this build' }, async (t) => {
  await h.ok('organization_create', { name: 'inec' })
  const ds = await h.ok('package_create', { name: 'poblacion', owner_org: 'inec' })
  const csv = readFileSync(path.resolve('test/fixtures/preview/latin1-semicolon.csv'))
  const up = await postMultipart(h.app, 'resource_create', { package_id: ds.id, name: 'Población', format: 'CSV' }, { filename: 'poblacion.csv', content: csv }, h.sysadminToken)
  if (up.statusCode !== 200) throw new Error(`upload failed: ${up.body}`)
  const rid = up.json().result.id as string

  const views = await poll('the table view after the load', async () => {
    const list = (await h.ok('resource_view_list', { id: rid })) as Array<{ view_type: string }>
    return list.length > 0 ? list : undefined
  })
  t.match(views, [{ view_type: 'datatables_view', title: 'Table', resource_id: rid, package_id: ds.id, filterable: true }])
  t.equal(views.length, 1, 'a CSV gets no other default view')
  t.equal((await h.ok('resource_show', { id: rid })).datastore_active, true)

  const page = await h.app.inject({ url: `/dataset/poblacion/resource/${rid}?sort=Provincia&dir=desc`, headers: { accept: 'text/html' } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /class="preview preview-datastore"/)
  t.match(page.body, /Filas 1 a 5 de 5\./)
  t.match(page.body, /<tbody>\s*<tr><td>Imbabura<\/td>/, 'Latin-1 decoded by the loader, sorted by the DataStore')
})
