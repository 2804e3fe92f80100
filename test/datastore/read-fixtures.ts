import { sql, type Kysely } from 'kysely'
import { createTable, syncReaderAccess, tableRef, type ColumnSpec } from '../../src/datastore/table.js'
import { setDatastoreActive } from '../../src/datastore/active.js'
import type { TestApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'

/**
 * DataStore tables for the read tests, made with the table conventions directly (createTable +
 * INSERT), so these tests do not depend on datastore_create.
 */

export async function fillTable(db: Kysely<any>, resourceId: string, columns: ColumnSpec[], rows: Record<string, unknown>[]): Promise<void> {
  await createTable(db, resourceId, columns)
  const json = new Set(columns.filter((c) => c.type === 'json' || c.type === 'jsonb').map((c) => c.id))
  for (const row of rows) {
    const keys = Object.keys(row)
    const value = (k: string) => (json.has(k) && row[k] !== null ? JSON.stringify(row[k]) : row[k])
    await sql`INSERT INTO ${tableRef(resourceId)} (${sql.join(keys.map((k) => sql.id(k)))}) VALUES (${sql.join(keys.map((k) => sql`${value(k)}`))})`.execute(db)
  }
  await syncReaderAccess(db, resourceId)
  await setDatastoreActive(db, resourceId, true)
}

/** An alias (a view over the table), as datastore_create's `aliases` makes them. */
export async function addAlias(db: Kysely<any>, resourceId: string, alias: string): Promise<void> {
  await sql`CREATE VIEW ${tableRef(alias)} AS SELECT * FROM ${tableRef(resourceId)}`.execute(db)
  await syncReaderAccess(db, resourceId)
}

export interface Datasets {
  /** a public dataset's resource */
  pub: string
  /** a private dataset's resource (org `org1`) */
  priv: string
  org: string
  memberToken: string
  outsiderToken: string
}

/** org1 with a member, a public and a private dataset with one resource each, and an outsider. */
export async function twoDatasets(ta: TestApp): Promise<Datasets> {
  const { ok, db } = ta
  const org = await insertGroup(db.kysely, 'org1')
  await ok('user_create', { name: 'member', email: 'm@x.org', password: 'a-long-password' })
  await ok('user_create', { name: 'outsider', email: 'o@x.org', password: 'a-long-password' })
  await ok('organization_member_create', { id: 'org1', username: 'member', role: 'member' })
  const pub = await ok('package_create', { name: 'publico', owner_org: 'org1', resources: [{ url: 'http://x.org/a.csv', name: 'a' }] })
  const priv = await ok('package_create', { name: 'privado', owner_org: 'org1', private: true, resources: [{ url: 'http://x.org/b.csv', name: 'b' }] })
  const memberToken = (await ok('api_token_create', { user: 'member', name: 't' })).token as string
  const outsiderToken = (await ok('api_token_create', { user: 'outsider', name: 't' })).token as string
  return { pub: pub.resources[0].id, priv: priv.resources[0].id, org, memberToken, outsiderToken }
}
