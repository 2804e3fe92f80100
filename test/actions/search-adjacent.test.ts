import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { nowIso } from '../../src/model/time.js'
import { testApp, type TestApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'
import { insertUser } from './group-fixtures.js'
import { addMember, world as rolesWorld, type Role } from '../auth/roles-fixtures.js'

/**
 * resource_search, package_autocomplete, format_autocomplete, tag_search, tag_autocomplete and
 * the q of organization_list / group_list / user_list, over rows written straight to the
 * database: one public dataset per kind of match, plus a private, a draft and a deleted one whose
 * names, formats, tags and resource extras must never reach anonymous callers or outsiders.
 */

interface ResourceSpec {
  name: string
  format?: string
  url?: string
  hash?: string
  size?: number | null
  description?: string
  state?: string
  extras?: Record<string, unknown>
  created?: string
}

async function dataset(
  db: Kysely<Database>,
  spec: { name: string; title: string; owner_org?: string | null; private?: boolean; state?: string; creator?: string; tags?: string[]; resources?: ResourceSpec[] },
): Promise<{ id: string; resources: string[] }> {
  const id = randomUUID()
  const now = nowIso()
  await db
    .insertInto('package')
    .values({
      id,
      name: spec.name,
      title: spec.title,
      notes: null,
      url: null,
      version: null,
      author: null,
      author_email: null,
      maintainer: null,
      maintainer_email: null,
      license_id: null,
      owner_org: spec.owner_org ?? null,
      private: spec.private ?? false,
      state: spec.state ?? 'active',
      creator_user_id: spec.creator ?? null,
      metadata_created: now,
      metadata_modified: now,
      plugin_data: null,
    })
    .execute()
  for (const tagId of spec.tags ?? []) await db.insertInto('package_tag').values({ package_id: id, tag_id: tagId }).execute()
  const resources: string[] = []
  for (const [position, r] of (spec.resources ?? []).entries()) {
    const rid = randomUUID()
    await db
      .insertInto('resource')
      .values({
        id: rid,
        package_id: id,
        position,
        url: r.url ?? `https://example.org/${r.name}`,
        format: r.format ?? '',
        description: r.description ?? null,
        name: r.name,
        hash: r.hash ?? '',
        mimetype: null,
        mimetype_inner: null,
        size: r.size ?? null,
        resource_type: null,
        url_type: null,
        cache_url: null,
        cache_last_updated: null,
        created: r.created ?? now,
        last_modified: null,
        metadata_modified: now,
        state: r.state ?? 'active',
        extras: JSON.stringify(r.extras ?? {}) as never,
      })
      .execute()
    resources.push(rid)
  }
  return { id, resources }
}

async function tag(db: Kysely<Database>, name: string, vocabularyId: string | null = null): Promise<string> {
  const id = randomUUID()
  await db.insertInto('tag').values({ id, name, vocabulary_id: vocabularyId }).execute()
  return id
}

async function world(t: { teardown(fn: () => unknown): void }) {
  const app = await testApp(t)
  const db = app.db.kysely
  const aguaOrg = await insertGroup(db, 'org-agua', { title: 'Agua y Saneamiento' })
  const eduOrg = await insertGroup(db, 'ministerio-educacion', { title: 'Ministerio de Educación' })
  await insertGroup(db, 'org-borrada', { title: 'Educación borrada', state: 'deleted' })
  await insertGroup(db, 'grupo-rios', { organization: false, title: 'Ríos' })
  await db.updateTable('group').set({ description: 'Cuencas hidrográficas' }).where('name', '=', 'grupo-rios').execute()
  const member = await insertUser(db, 'miembro', { fullname: 'José Pérez', email: 'jose@example.org' })
  const editor = await insertUser(db, 'editora', { fullname: 'Ana Gómez', email: 'ana@example.org' })
  const outsider = await insertUser(db, 'ajeno', { fullname: 'Luis Ajeno', email: 'luis@example.org' })
  await addMember(db, aguaOrg, member.id, 'member')
  await addMember(db, aguaOrg, editor.id, 'editor')

  const vocab = randomUUID()
  await db.insertInto('vocabulary').values({ id: vocab, name: 'temas' }).execute()
  const tags = {
    agua: await tag(db, 'agua'),
    calidad: await tag(db, 'calidad'),
    poblacion: await tag(db, 'población'),
    secreto: await tag(db, 'secreto-agua'),
    borrador: await tag(db, 'borrador-agua'),
    eliminada: await tag(db, 'eliminada-agua'),
    huerfana: await tag(db, 'agua-huerfana'),
    pct: await tag(db, '100%'),
    temaAgua: await tag(db, 'agua', vocab),
    temaSuelo: await tag(db, 'suelo', vocab),
  }

  const calidad = await dataset(db, {
    name: 'calidad-del-agua',
    title: 'Calidad del Agua Potable',
    owner_org: aguaOrg,
    tags: [tags.agua, tags.calidad, tags.pct],
    resources: [
      { name: 'Mediciones 2023', format: 'CSV', url: 'https://example.org/agua.csv', hash: 'abc123def', size: 1024, description: 'Mediciones de pH', extras: { licencia_datos: 'CC-BY', idioma: 'es' }, created: '2023-05-01T10:00:00' },
      { name: 'Mapa de puntos', format: 'GeoJSON', url: 'https://example.org/mapa.geojson', hash: 'ffee', size: 2048 },
      { name: 'Mediciones viejas', format: 'CSV', url: 'https://example.org/viejo.csv', state: 'deleted' },
    ],
  })
  const poblacion = await dataset(db, {
    name: 'poblacion-municipal',
    title: 'Población municipal',
    owner_org: eduOrg,
    tags: [tags.poblacion, tags.agua],
    resources: [{ name: 'Padrón', format: 'csv', url: 'https://example.org/padron.csv', description: '100% de los municipios' }],
  })
  const presupuesto = await dataset(db, {
    name: 'presupuesto-2024',
    title: 'Presupuesto 2024',
    owner_org: eduOrg,
    resources: [
      { name: 'Gastos', format: 'CSV', url: 'https://example.org/gastos.csv' },
      { name: 'Informe', format: 'PDF', url: 'https://example.org/informe.pdf' },
    ],
  })
  const privado = await dataset(db, {
    name: 'agua-privada-secreta',
    title: 'Agua privada',
    owner_org: aguaOrg,
    private: true,
    tags: [tags.secreto, tags.agua],
    resources: [{ name: 'Secreto agua', format: 'SECRETFMT', url: 'https://example.org/agua-secreta.csv', extras: { clave_oculta: 'x' } }],
  })
  const borrador = await dataset(db, {
    name: 'agua-borrador',
    title: 'Borrador de agua',
    owner_org: aguaOrg,
    state: 'draft',
    creator: editor.id,
    tags: [tags.borrador],
    resources: [{ name: 'Borrador agua', format: 'DRAFTFMT', url: 'https://example.org/agua-borrador.csv' }],
  })
  const eliminado = await dataset(db, {
    name: 'agua-eliminada',
    title: 'Agua eliminada',
    state: 'deleted',
    tags: [tags.eliminada],
    resources: [{ name: 'Eliminado agua', format: 'DELFMT', url: 'https://example.org/agua-eliminada.csv' }],
  })
  return { ...app, member, editor, outsider, vocab, tags, calidad, poblacion, presupuesto, privado, borrador, eliminado }
}

type World = Awaited<ReturnType<typeof world>>

function names(results: { name: string }[]): string[] {
  return results.map((r) => r.name)
}

async function validationError(w: TestApp, action: string, body: Record<string, unknown>) {
  const res = await w.call(action, body)
  return { status: res.statusCode, error: res.json().error }
}

t.test('resource_search', async (t) => {
  const w: World = await world(t)
  const { ok, call, app } = w

  t.same(await validationError(w, 'resource_search', {}), { status: 409, error: { __type: 'Validation Error', query: 'Missing value' } }, 'no query: a plain string, not a list')
  t.same(await validationError(w, 'resource_search', { query: 'mediciones' }), { status: 409, error: { __type: 'Validation Error', query: 'Must be <field>:<value> pair(s)' } })
  t.same((await validationError(w, 'resource_search', { query: ['name:x', 'bogus:y'] })).error, { __type: 'Validation Error', query: 'Field "bogus" not recognised in resource_search.' })
  t.same((await validationError(w, 'resource_search', { query: 'id:x' })).error.query, 'Field "id" not recognised in resource_search.', "only CKAN's core resource columns may be named")
  t.same((await validationError(w, 'resource_search', { query: 'clave_oculta:x' })).error.query, 'Field "clave_oculta" not recognised in resource_search.', "an extras key only a private dataset's resource carries is not revealed")
  const badSize = await validationError(w, 'resource_search', { query: 'size:big' })
  t.equal(badSize.status, 409, 'a non-integer size is a validation error, not a 500')
  t.match(badSize.error.query, /size/)
  t.equal((await validationError(w, 'resource_search', { query: 'created:2023-13-45' })).status, 409, 'an impossible date is a validation error')
  t.equal((await validationError(w, 'resource_search', { query: 'created:2023-02-30' })).status, 409, 'a date that does not exist too')
  t.equal((await ok('resource_search', { query: 'size:999999999999999999' })).count, 0, 'a size past 2^53 is compared exactly, not an error')
  t.same((await validationError(w, 'resource_search', { query: 'name:a', limit: -1 })).error, { __type: 'Validation Error', limit: ['Must be a natural number'] })

  const one = await ok('resource_search', { query: 'name:MEDICIONES' }, { token: null })
  t.equal(one.count, 1, 'case-insensitive substring; the deleted resource of the same dataset stays out')
  t.same(one.results, [await ok('resource_show', { id: w.calidad.resources[0] })], 'results are resource_show dicts')

  const csv = await ok('resource_search', { query: 'format:csv', order_by: 'name' })
  t.same(names(csv.results), ['Gastos', 'Mediciones 2023', 'Padrón'], 'even a sysadmin only gets resources of active public datasets, as in CKAN; order_by sorts')
  t.equal(csv.count, 3)
  t.same(names((await ok('resource_search', { query: 'url:agua' }, { token: w.member.token })).results), ['Mediciones 2023'], "private, draft and deleted datasets never appear, even to their organization's members")

  t.same(names((await ok('resource_search', { query: 'url:agua' })).results), ['Mediciones 2023'], 'nor to sysadmins')
  t.equal((await ok('resource_search', { query: [] })).count, 5, 'an empty list of pairs matches every visible resource')
  t.equal((await validationError(w, 'resource_search', { query: 5 })).status, 409, 'a query that is neither string nor list is a validation error')
  t.same(names((await ok('resource_search', { query: ['format:csv', 'url:agua'] })).results), ['Mediciones 2023'], 'a list of pairs is ANDed')
  t.equal((await ok('resource_search', { query: 'hash:ABC' })).count, 1, 'hash: case-insensitive prefix')
  t.equal((await ok('resource_search', { query: 'hash:123' })).count, 0, 'hash is not matched inside')
  t.same(names((await ok('resource_search', { query: 'size:2048' })).results), ['Mapa de puntos'], 'size: equality')
  t.equal((await ok('resource_search', { query: 'created:2023-05-01T10:00:00' })).count, 1, 'dates: equality')
  t.same(names((await ok('resource_search', { query: 'licencia_datos:cc-by' })).results), ['Mediciones 2023'], 'extras matched inside the JSON')
  t.equal((await ok('resource_search', { query: 'idioma:CC' })).count, 0, 'an extra matches its own value only, not the blob')
  t.equal((await ok('resource_search', { query: 'description:%' })).count, 1, '% is literal: only the description that contains one')
  t.equal((await ok('resource_search', { query: 'name:_' })).count, 0, '_ is literal')
  t.same(names((await ok('resource_search', { query: 'url:https://example.org/agua.csv' })).results), ['Mediciones 2023'], 'split at the first colon: the term may hold more')

  const page = await ok('resource_search', { query: 'url:https:', order_by: 'name', limit: 2, offset: 1 })
  t.equal(page.count, 5, 'count ignores limit and offset')
  t.same(names(page.results), ['Informe', 'Mapa de puntos'])
  t.equal((await ok('resource_search', { query: 'url:https', order_by: 'no_such_column' })).count, 5, 'an unknown order_by is ignored')

  t.equal((await ok('resource_search', { fields: { format: 'csv' } })).count, 3, 'legacy fields dict')
  t.same(names((await ok('resource_search', { fields: { name: 'mediciones 2023' } })).results), ['Mediciones 2023'], 'legacy fields: every word must match')

  const get = await app.inject({ method: 'GET', url: '/api/3/action/resource_search?query=format:csv&query=url:padron' })
  t.same(names(get.json().result.results), ['Padrón'], 'GET: repeated query parameters are a list')
  const post = await call('resource_search', { query: 'format:csv' }, { token: null })
  t.same(Object.keys(post.json().result).sort(), ['count', 'results'])
})

t.test('package_autocomplete', async (t) => {
  const w: World = await world(t)
  const { ok } = w
  t.same(await validationError(w, 'package_autocomplete', {}), { status: 409, error: { __type: 'Validation Error', q: ['Missing value'] } })

  t.same(
    await ok('package_autocomplete', { q: 'agua' }, { token: null }),
    [{ name: 'calidad-del-agua', title: 'Calidad del Agua Potable', match_field: 'name', match_displayed: 'calidad-del-agua' }],
    "anonymous: public active datasets only, CKAN's shape",
  )
  t.same(names(await ok('package_autocomplete', { q: 'agua' }, { token: w.outsider.token })), ['calidad-del-agua'], 'outsiders see no private dataset')
  t.same(names(await ok('package_autocomplete', { q: 'agua' }, { token: w.member.token })), ['agua-privada-secreta', 'calidad-del-agua'], 'an org member sees its private dataset (prefix matches first)')
  t.same(names(await ok('package_autocomplete', { q: 'agua' }, { token: w.editor.token })), ['agua-privada-secreta', 'calidad-del-agua'], "drafts stay out, as CKAN's index query adds +state:active")
  t.same(names(await ok('package_autocomplete', { q: 'agua' })), ['agua-privada-secreta', 'calidad-del-agua'], 'a sysadmin never gets deleted datasets')
  t.same(names(await ok('package_autocomplete', { q: 'agua', limit: 1 })), ['agua-privada-secreta'], 'limit')

  t.same(
    await ok('package_autocomplete', { q: 'Potable' }, { token: null }),
    [{ name: 'calidad-del-agua', title: 'Calidad del Agua Potable', match_field: 'title', match_displayed: 'Calidad del Agua Potable (calidad-del-agua)' }],
    'a title match shows "title (name)"',
  )
  t.same(await ok('package_autocomplete', { q: 'POBLACION' }, { token: null }), [{ name: 'poblacion-municipal', title: 'Población municipal', match_field: 'name', match_displayed: 'poblacion-municipal' }], 'case-insensitive')
  t.same(names(await ok('package_autocomplete', { q: 'población' }, { token: null })), ['poblacion-municipal'], 'accents ignored')
  t.same(names(await ok('package_autocomplete', { q: 'poblacon' }, { token: null })), ['poblacion-municipal'], 'a typo still matches')
  t.same(names(await ok('package_autocomplete', { q: 'presupuestos' }, { token: null })), ['presupuesto-2024'], 'a plural still matches')
  t.same((await validationError(w, 'package_autocomplete', { q: 'agua', limit: 'many' })).error, { __type: 'Validation Error', limit: ['Invalid integer'] })
  t.same(await ok('package_autocomplete', { q: 'agua', limit: 0 }), [], 'limit 0: no rows, as Solr answers rows=0')
  t.same(await ok('package_autocomplete', { q: 'zzzz' }, { token: null }), [])
  t.same(await ok('package_autocomplete', { q: '%' }, { token: null }), [], '% is literal')
  const get = await w.app.inject({ method: 'GET', url: '/api/3/action/package_autocomplete?q=presu&limit=5' })
  t.same(names(get.json().result), ['presupuesto-2024'], 'GET')
})

t.test('format_autocomplete', async (t) => {
  const w: World = await world(t)
  const { ok } = w
  t.same(await validationError(w, 'format_autocomplete', { limit: 2 }), { status: 409, error: { __type: 'Validation Error', q: ['Missing value'] } })
  t.same(await ok('format_autocomplete', { q: 'C' }, { token: null }), ['csv'], 'lowercased, "CSV" and "csv" counted together, deleted resources left out')
  t.same(await ok('format_autocomplete', { q: '' }, { token: null }), ['csv', 'geojson', 'pdf'], 'most used first, then by name')
  t.same(await ok('format_autocomplete', { q: '', limit: 1 }, { token: null }), ['csv'], 'limit')
  t.same(await ok('format_autocomplete', { q: 'fmt' }, { token: null }), [], 'formats of private, draft and deleted datasets stay hidden from anonymous callers')
  t.same(await ok('format_autocomplete', { q: 'fmt' }, { token: w.outsider.token }), [], 'and from outsiders')
  t.same(await ok('format_autocomplete', { q: 'fmt' }, { token: w.member.token }), ['secretfmt'], 'members see the formats of their private datasets')
  t.same(await ok('format_autocomplete', { q: 'fmt' }), ['secretfmt'], 'deleted datasets count for nobody')
})

t.test('tag_search and tag_autocomplete', async (t) => {
  const w: World = await world(t)
  const { ok, tags } = w
  t.same(
    await ok('tag_search', { q: 'agua' }, { token: null }),
    { count: 1, results: [{ id: tags.agua, name: 'agua', vocabulary_id: null }] },
    'free tags of visible datasets only: not those of private, draft or deleted datasets, nor orphans',
  )
  t.same(names((await ok('tag_search', { query: 'agua' }, { token: w.outsider.token })).results), ['agua'])
  t.same(names((await ok('tag_search', { query: 'agua' }, { token: w.member.token })).results), ['agua', 'secreto-agua'], 'members see the tags of their private datasets')
  t.same(names((await ok('tag_search', { query: 'agua' }, { token: w.editor.token })).results), ['agua', 'secreto-agua'])
  t.same(await ok('tag_search', {}), { count: 0, results: [] }, 'no terms find nothing')
  t.same(await ok('tag_search', { q: '   ' }), { count: 0, results: [] })
  t.same(names((await ok('tag_search', { query: ['A', 'd'] })).results), ['calidad'], 'several terms are ANDed, case-insensitively')
  t.same(names((await ok('tag_search', { q: '0%' })).results), ['100%'], '% is literal')
  const page = await ok('tag_search', { q: 'a', limit: 1, offset: 1 }, { token: null })
  t.same(page, { count: 3, results: [{ id: tags.calidad, name: 'calidad', vocabulary_id: null }] }, 'count before paging')
  t.same(await ok('tag_search', { q: 'agua', vocabulary_id: 'temas' }, { token: null }), { count: 1, results: [{ id: tags.temaAgua, name: 'agua', vocabulary_id: w.vocab }] }, 'a vocabulary, by name')
  t.same(await ok('tag_search', { q: 'agua', vocabulary_id: 'nope' }), { count: 0, results: [] }, 'an unknown vocabulary finds nothing')
  t.same(names((await ok('tag_search', { fields: { tag: 'calid' } })).results), ['calidad'], 'deprecated fields')
  t.same((await validationError(w, 'tag_search', { q: 'a', limit: 'x' })).error, { __type: 'Validation Error', limit: ['Invalid integer'] })
  const get = await w.app.inject({ method: 'GET', url: '/api/3/action/tag_search?q=calid' })
  t.same(get.json().result, { count: 1, results: [{ id: tags.calidad, name: 'calidad', vocabulary_id: null }] }, 'GET')

  t.same(await ok('tag_autocomplete', { q: 'a' }, { token: null }), ['agua', 'calidad', 'población'], 'names')
  t.same(await ok('tag_autocomplete', { q: 'agua' }, { token: w.member.token }), ['agua', 'secreto-agua'])
  t.same(await ok('tag_autocomplete', { query: 'o', vocabulary_id: w.vocab }), ['suelo'], 'vocabulary by id')
  t.same(await ok('tag_autocomplete', { q: 'a', limit: 2 }, { token: null }), ['agua', 'calidad'])
  t.same(await ok('tag_autocomplete', {}), [], 'no terms: an empty list')
})

t.test('q on organization_list, group_list and user_list', async (t) => {
  const w: World = await world(t)
  const { ok } = w
  t.same(await ok('organization_list', { q: 'educacion' }, { token: null }), ['ministerio-educacion'], 'name match; the deleted organization stays out')
  t.same(await ok('organization_list', { q: 'EDUCACIÓN', sort: 'name' }, { token: null }), ['ministerio-educacion'], 'accents and case ignored')
  t.same(await ok('organization_list', { q: 'saneamiento' }, { token: null }), ['org-agua'], 'title match')
  t.same(await ok('organization_list', { q: 'rios' }, { token: null }), [], 'groups are not organizations')
  t.same(await ok('group_list', { q: 'rios' }, { token: null }), ['grupo-rios'])
  t.same(await ok('group_list', { q: 'hidrográficas' }, { token: null }), ['grupo-rios'], 'description match')
  const dicts = await ok('organization_list', { q: 'agua', all_fields: true }, { token: null })
  t.same(
    dicts.map((d: { name: string; package_count: number }) => [d.name, d.package_count]),
    [['org-agua', 1]],
    'all_fields with q; package_count counts only what an anonymous caller may see',
  )

  t.same(await ok('user_list', { q: 'jose', all_fields: false }, { token: null }), ['miembro'], 'full name, accents ignored')
  t.same(await ok('user_list', { q: 'ajen', all_fields: false }, { token: null }), ['ajeno'], 'name')
  t.same(await ok('user_list', { q: 'example.org', all_fields: false }, { token: w.outsider.token }), [], 'e-mails are not searched for other users')
  t.same(await ok('user_list', { q: 'example.org', all_fields: false }), ['editora', 'miembro', 'ajeno'], 'sysadmins search e-mails too (display-name order)')
})

t.test('hidden datasets never leak through these actions (the roles world)', async (t) => {
  const w = await rolesWorld(t)
  await w.ok('package_create', { name: 'open-data', title: 'Open Data', owner_org: 'org1', tags: [{ name: 'common' }], resources: [{ url: 'http://example.org/open.csv', format: 'CSV' }] })
  const hidden = []
  for (const state of ['private', 'draft', 'deleted'] as const) {
    hidden.push(
      await w.dataset(state, `hidden-${state}`, {
        tags: [{ name: 'common' }, { name: `${state}secret` }],
        resources: [{ url: `http://example.org/hidden-${state}.csv`, format: `${state}fmt`, name: `Hidden ${state} data` }],
      }),
    )
  }
  const secrets = hidden.flatMap((d) => [d.id, d.name, `Title of ${d.name}`, `http://example.org/${d.name}.csv`, d.resourceId])
  for (const state of ['private', 'draft', 'deleted']) secrets.push(`${state}secret`, `${state}fmt`, `Hidden ${state}`)
  const reads: [string, Record<string, unknown>][] = [
    ['resource_search', { query: 'url:example.org' }],
    ['resource_search', { query: 'name:hidden' }],
    ['package_autocomplete', { q: 'hidden' }],
    ['package_autocomplete', { q: 'title of' }],
    ['package_autocomplete', { q: 'hiden' }],
    ['format_autocomplete', { q: '' }],
    ['format_autocomplete', { q: 'fmt' }],
    ['tag_search', { q: 'secret' }],
    ['tag_search', { q: 'e' }],
    ['tag_autocomplete', { q: 'secret' }],
  ]
  for (const role of ['anonymous', 'registered', 'other_admin'] as Role[]) {
    const token = w.token(role)
    for (const [name, body] of reads) {
      const res = await w.call(name, body, { token })
      t.equal(res.statusCode, 200, `${name} ${JSON.stringify(body)} as ${role}`)
      t.same(
        secrets.filter((s) => res.body.includes(s)),
        [],
        `${name} ${JSON.stringify(body)} as ${role} leaks nothing`,
      )
    }
    t.same(await w.ok('format_autocomplete', { q: '' }, { token }), ['csv'], `${role}: the public dataset's format only`)
  }
  for (const role of ['member', 'collab_member'] as Role[]) {
    const token = w.token(role)
    t.same(names(await w.ok('package_autocomplete', { q: 'hidden' }, { token })), ['hidden-private'], `${role} sees the private dataset it may read, not the draft nor the deleted one`)
    t.same(await w.ok('tag_autocomplete', { q: 'secret' }, { token }), ['privatesecret'], `${role}: tags of readable datasets`)
    t.equal((await w.ok('resource_search', { query: 'name:hidden' }, { token })).count, 0, `${role}: resource_search stays public-only`)
  }
  t.same(await w.ok('format_autocomplete', { q: 'fmt' }, { token: w.token('member') }), ['privatefmt'])
})
