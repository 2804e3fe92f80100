import t from 'tap'
import { testApp } from '../helpers/app.js'
import { fuzzActions } from '../helpers/fuzz.js'
import { createFixtures } from '../helpers/fuzz-fixtures.js'

// Seeded and bounded: the same requests every run. `npm run fuzz` runs the long version.
const SEED = 20261203
const RUNS_PER_ACTION = Number(process.env.FUZZ_RUNS ?? 3)

t.test('hostile params generated from every action schema never get a 500, internals or an answer outside the envelope', async (t) => {
  const app = await testApp(t)
  const known = await createFixtures(app)
  const actions = app.app.actions.registry.all()
  t.ok(actions.length > 80, 'every registered action is fuzzed')
  const findings = await fuzzActions({ app: app.app, actions, known, callers: [['anonymous', null], ['sysadmin', app.sysadminToken]], seed: SEED, runs: RUNS_PER_ACTION })
  for (const f of findings) t.fail(`${f.action} as ${f.caller} (seed ${f.seed}, case ${f.index}): ${f.problem}; status ${f.status}\n  request: ${f.request}\n  body: ${f.body}`)
  t.equal(findings.length, 0, 'no findings')
})
