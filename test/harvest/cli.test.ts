import t from 'tap'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync, promises as fs } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { testApp } from '../helpers/app.js'
import { runCli } from '../../scripts/lib/server-process.js'
import { createSource, startJob, LOCAL_REMOTES } from './harvest-helpers.js'

/** `abierto harvest run SOURCE` as an operator runs it, against a real remote instance. */

t.test('abierto harvest run', async (t) => {
  const a = await testApp(t)
  await a.app.listen({ port: 0, host: '127.0.0.1' })
  const aUrl = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`
  await a.ok('organization_create', { name: 'org-a' })
  for (let i = 1; i <= 3; i++) await a.ok('package_create', { name: `ds-${i}`, title: `Datos ${i}`, owner_org: 'org-a' })
  const b = await testApp(t, LOCAL_REMOTES)
  await b.ok('organization_create', { name: 'espejo' })
  const source = await createSource(b, { name: 'fuente-a', url: aUrl, source_type: 'ckan', owner_org: 'espejo' })
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'abierto-harvest-cli-'))
  t.teardown(() => fs.rm(dataDir, { recursive: true, force: true }))
  const env = { DATABASE_URL: b.db.url, DATA_DIR: dataDir, SITE_URL: 'http://b.local', ...LOCAL_REMOTES }

  const run = await runCli(['harvest', 'run', 'fuente-a'], env)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /: 3 added, 0 updated, 0 not modified, 0 deleted, 0 errored in [\d.]+ s/)
  const found = await b.ok<{ count: number }>('package_search', { q: 'datos' }, { token: null })
  t.equal(found.count, 3, 'the harvested datasets are searchable when the command returns')

  const again = await runCli(['harvest', 'run', source], env)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /0 added, 0 updated, 0 not modified, 0 deleted, 0 errored/, 'by id too; a second run reads the remote’s change feed and finds nothing to do')

  const missing = await runCli(['harvest', 'run', 'nope'], env)
  t.equal(missing.code, 1)
  t.match(missing.stderr, /no harvest source nope/)

  await startJob(b, source)
  const busy = await runCli(['harvest', 'run', 'fuente-a'], env)
  t.equal(busy.code, 1, 'a source with a pending job is not run twice')
  t.match(busy.stderr, /There already is an unrun job for this source/)

  const usage = await runCli(['harvest', 'run'], env)
  t.equal(usage.code, 2)
})
