import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { issueToken } from '../../src/auth/tokens.js'
import { nowIso } from '../../src/model/time.js'
import { insertGroup } from '../helpers/fixtures.js'
import type { TestApp } from '../helpers/app.js'

/** Shared set-up of the DataStore write tests: users, an organization, datasets, direct reads of the tables. */

export interface Who {
  id: string
  name: string
  token: string
}

/** A user row and a token (no password hashing needed here). */
export async function user(b: TestApp, name: string): Promise<Who> {
  const id = randomUUID()
  await b.db.kysely
    .insertInto('user')
    .values({ id, name, fullname: null, email: `${name}@example.org`, created: nowIso(), state: 'active' })
    .execute()
  const { token } = await issueToken(b.db.kysely, id, 'test')
  return { id, name, token }
}

/** An organization `org` with an editor and a member, and an outsider. */
export async function people(b: TestApp): Promise<{ editor: Who; member: Who; outsider: Who }> {
  await insertGroup(b.db.kysely, 'org')
  const editor = await user(b, 'editor')
  const member = await user(b, 'member')
  const outsider = await user(b, 'outsider')
  await b.ok('organization_member_create', { id: 'org', username: 'editor', role: 'editor' })
  await b.ok('organization_member_create', { id: 'org', username: 'member', role: 'member' })
  return { editor, member, outsider }
}

/** The status and error body of a call that must fail. */
export async function fails(b: TestApp, name: string, body: Record<string, unknown>, token?: string | null): Promise<{ status: number; error: Record<string, unknown> }> {
  const res = await b.call(name, body, token === undefined ? {} : { token })
  const json = res.json()
  if (json.success !== false) throw new Error(`${name} should have failed: ${res.body}`)
  return { status: res.statusCode, error: json.error }
}

/** Every row of a resource's table (system columns left out), in `_id` order. */
export async function rows(b: TestApp, resourceId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.id('datastore', resourceId)} ORDER BY "_id"`.execute(b.db.kysely)
  return rows.map(({ _full_text: _f, ...r }) => r)
}

/** The columns of a table and their Postgres type names, in order. */
export async function columns(b: TestApp, name: string): Promise<[string, string][]> {
  const { rows } = await sql<{ attname: string; typname: string }>`
    SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = to_regclass(${`datastore."${name}"`}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`.execute(b.db.kysely)
  return rows.map((r) => [r.attname, r.typname])
}

export async function tableExists(b: TestApp, name: string): Promise<boolean> {
  const { rows } = await sql<{ t: string | null }>`SELECT to_regclass(${`datastore."${name}"`})::text AS t`.execute(b.db.kysely)
  return rows[0].t !== null
}

/** A dataset in `org` with one DataStore-less resource; returns the resource id. */
export async function resourceIn(b: TestApp, dataset: string, opts: { private?: boolean; url_type?: string } = {}): Promise<string> {
  const ds = await b.ok('package_create', { name: dataset, owner_org: 'org', private: opts.private ?? false })
  const res = await b.ok('resource_create', { package_id: ds.id, url: 'http://example.org/data.csv', ...(opts.url_type ? { url_type: opts.url_type } : {}) })
  return res.id as string
}
