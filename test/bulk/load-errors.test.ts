/**
 * Bad lines in a load: each is reported with its line number and field and skipped, the good ones
 * are loaded, and nothing of a rejected dataset is left in any table. Private and draft datasets
 * keep their visibility, in the API and in the dump.
 */
import path from 'node:path'
import t from 'tap'
import { sql } from 'kysely'
import { testApp } from '../helpers/app.js'
import { CLI, REPO_ROOT, childEnv, spawnNode } from '../../scripts/lib/server-process.js'
import { cli, readJsonl, scratch, summary, writeJsonl } from './helpers.js'

const ORG = { name: 'org-buena', title: 'Organización Buena', description: 'La buena', image_url: 'http://img.example/logo.png' }
const RESOURCE_ID = '6a4b9c1e-1111-4a2b-9c3d-000000000001'

const lines = [
  /* 1 */ {
    name: 'bueno-uno',
    title: 'Bueno uno',
    organization: ORG,
    owner_org: ORG.name,
    groups: [{ name: 'grupo-a', title: 'Grupo A' }],
    tags: [{ name: 'agua' }],
    resources: [{ id: RESOURCE_ID, url: 'http://a.example/1.csv' }, { url: 'http://a.example/2.csv' }],
  },
  /* 2 */ '{"name": "roto", ',
  /* 3 */ { title: 'Sin nombre', owner_org: ORG.name },
  /* 4 */ { name: 'org-numero', owner_org: 123 },
  /* 5 */ { name: 'recurso-malo', owner_org: ORG.name, resources: [{ url: 'http://a.example/ok.csv' }, { url: 'http://a.example/x.csv', size: 'grande', created: 'ayer' }] },
  /* 6 */ { name: 'privado', owner_org: ORG.name, private: true, tags: [{ name: 'secreto' }] },
  /* 7 */ { name: 'etiqueta-corta', organization: { name: 'org-huerfana', title: 'Huérfana' }, groups: [{ name: 'grupo-huerfano' }], tags: [{ name: 'x' }] },
  /* 8 */ '',
  /* 9 */ { name: 'bueno-dos', owner_org: ORG.name, resources: [{ url: 'http://a.example/3.csv', format: 'CSV' }] },
  /* 10 */ { name: 'choque', owner_org: ORG.name, tags: [{ name: 'choque' }], resources: [{ id: RESOURCE_ID, url: 'http://a.example/robado.csv' }] },
  /* 11 */ '[1, 2]',
  /* 12 */ { name: 'privado-sin-org', private: true },
  /* 13 */ { name: 'borrador', owner_org: ORG.name, state: 'draft' },
  /* 14 */ { name: 'recursos-texto', owner_org: ORG.name, resources: 'http://a.example/1.csv' },
]

t.test('bad lines are reported and skipped, good ones loaded, nothing half-written', async (t) => {
  const { db, ok, call } = await testApp(t, {}, { indexWorker: false })
  const dir = scratch(t)
  const file = writeJsonl(path.join(dir, 'mixed.jsonl'), lines)

  const res = await cli(db, dir, ['load', file])
  t.equal(res.code, 1, 'exit 1: some lines failed')
  t.same(summary(res.stdout), { created: 4, updated: 0, failed: 9 })
  const reported = res.stderr.split('\n').filter((l) => /^line \d+: /.test(l))
  t.match(reported, [/^line 2: json: /, /^line 3: name: Missing value$/, /^line 4: owner_org: Organization does not exist$/], 'in line order')
  const expected: [number, RegExp][] = [
    [2, /^line 2: json: /],
    [3, /^line 3: name: Missing value$/],
    [4, /^line 4: owner_org: Organization does not exist$/],
    [5, /^line 5: resources\[1\]\.size: Invalid integer$/],
    [5, /^line 5: resources\[1\]\.created: Date format incorrect$/],
    [7, /^line 7: tags: Tag "x" length is less than minimum 2$/],
    [10, /^line 10: resources\[0\]\.id: Resource id already exists\.$/],
    [11, /^line 11: json: not a dataset dict$/],
    [12, /^line 12: owner_org: An organization must be provided$/],
    [14, /^line 14: resources: Only lists of dicts can be placed against subschema resources, not str$/],
  ]
  for (const [, re] of expected)
    t.ok(
      reported.some((l) => re.test(l)),
      `reported: ${re}`,
    )
  t.equal(reported.length, expected.length, `nothing else reported:\n${reported.join('\n')}`)

  const names = (await sql<{ name: string }>`SELECT name FROM package ORDER BY name`.execute(db.kysely)).rows.map((r) => r.name)
  t.same(names, ['borrador', 'bueno-dos', 'bueno-uno', 'privado'], 'only the good datasets exist')
  const ids = (await sql<{ id: string }>`SELECT id FROM package`.execute(db.kysely)).rows.map((r) => r.id)
  const orphans = await sql<{ resources: number; package_tags: number; members: number }>`
    SELECT (SELECT count(*)::int FROM resource WHERE package_id <> ALL(${ids}::text[])) AS resources,
           (SELECT count(*)::int FROM package_tag WHERE package_id <> ALL(${ids}::text[])) AS package_tags,
           (SELECT count(*)::int FROM member WHERE table_name = 'package' AND table_id <> ALL(${ids}::text[])) AS members`.execute(db.kysely)
  t.same(orphans.rows[0], { resources: 0, package_tags: 0, members: 0 }, 'no row of a rejected dataset')
  const resources = await sql<{ url: string }>`SELECT url FROM resource ORDER BY url`.execute(db.kysely)
  t.same(
    resources.rows.map((r) => r.url),
    ['http://a.example/1.csv', 'http://a.example/2.csv', 'http://a.example/3.csv'],
    'the clashing resource kept its dataset and url',
  )
  const tags = await sql<{ name: string }>`SELECT name FROM tag ORDER BY name`.execute(db.kysely)
  t.same(
    tags.rows.map((r) => r.name),
    ['agua', 'secreto'],
    'tags only of loaded datasets (the savepoint took "choque" back)',
  )
  const groups = await sql<{ name: string }>`SELECT name FROM "group" ORDER BY name`.execute(db.kysely)
  t.same(
    groups.rows.map((r) => r.name),
    ['grupo-a', 'org-buena'],
    'the rejected line created no organization or group',
  )
  const org = await ok('organization_show', { id: ORG.name })
  t.match(org, { title: ORG.title, description: ORG.description, image_url: ORG.image_url }, 'the organization keeps the file’s title, description and image')
  const uno = await ok('package_show', { id: 'bueno-uno' }, { token: null })
  t.same(
    uno.groups.map((g: { name: string }) => g.name),
    ['grupo-a'],
  )
  t.equal(uno.resources[0].id, RESOURCE_ID, 'a UUID from the file is kept')

  const queued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_outbox`.execute(db.kysely)
  t.equal(queued.rows[0].n, 0, 'everything written is indexed')

  // private and draft datasets
  t.equal((await call('package_show', { id: 'privado' }, { token: null })).statusCode, 403, 'private: hidden from anonymous users')
  const shown = await ok('package_show', { id: 'privado' })
  t.equal(shown.private, true, 'loaded private')
  const anonymous = await ok('package_search', { q: '*:*', rows: 10 }, { token: null })
  t.same(anonymous.results.map((r: { name: string }) => r.name).sort(), ['bueno-dos', 'bueno-uno'], 'anonymous search: public active datasets only')
  const admin = await ok('package_search', { q: '*:*', rows: 10, include_private: true, include_drafts: true })
  t.same(admin.results.map((r: { name: string }) => r.name).sort(), ['borrador', 'bueno-dos', 'bueno-uno', 'privado'], 'a sysadmin finds them all')
  t.equal((await ok('package_show', { id: 'borrador' })).state, 'draft')

  const dump = async (...flags: string[]) => {
    const out = path.join(dir, `dump${flags.join('')}.jsonl`)
    const r = await cli(db, dir, ['dump', out, ...flags])
    t.equal(r.code, 0, r.stderr)
    return readJsonl(out).map((d) => d.name)
  }
  t.same(await dump(), ['bueno-dos', 'bueno-uno'], 'dump: public active datasets')
  t.same(await dump('--include-private'), ['bueno-dos', 'bueno-uno', 'privado'])
  t.same(await dump('--include-private', '--include-drafts'), ['borrador', 'bueno-dos', 'bueno-uno', 'privado'])

  const toStdout = await cli(db, dir, ['dump', '-'])
  t.equal(toStdout.code, 0)
  t.same(
    toStdout.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).name),
    ['bueno-dos', 'bueno-uno'],
    'dump - writes to stdout',
  )
  t.match(toStdout.stderr, /dumped 2 datasets/)

  const usage = await cli(db, dir, ['dump', out('x'), '--include-everything'])
  t.equal(usage.code, 2, 'unknown flag: usage')
  function out(n: string) {
    return path.join(dir, n)
  }
})

t.test('load - reads stdin', async (t) => {
  const { db } = await testApp(t, {}, { indexWorker: false })
  const dir = scratch(t)
  const url = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString
  const child = spawnNode([CLI, 'load', '-'], { cwd: REPO_ROOT, env: childEnv({ DATABASE_URL: url, DATA_DIR: dir }), stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stdin!.end(
    [
      { name: 'desde-stdin', organization: { name: 'org-stdin' } },
      { name: 'otro-stdin', owner_org: 'org-stdin', private: true },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  )
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  t.equal(code, 0)
  t.same(summary(stdout), { created: 2, updated: 0, failed: 0 })
  const rows = await sql<{ name: string; private: boolean; org: string }>`
    SELECT p.name, p.private, g.name AS org FROM package p JOIN "group" g ON g.id = p.owner_org ORDER BY p.name`.execute(db.kysely)
  t.same(
    rows.rows,
    [
      { name: 'desde-stdin', private: false, org: 'org-stdin' },
      { name: 'otro-stdin', private: true, org: 'org-stdin' },
    ],
    'an organization given only by owner_org is the one created for the line before',
  )
})
