import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { issueToken } from '../../src/auth/tokens.js'
import { nowIso } from '../../src/model/time.js'

/** Rows written straight to the database, so these tests do not depend on the package actions. */

export interface DatasetSpec {
  name: string
  owner_org?: string | null
  private?: boolean
  state?: string
  /** ids of groups it is an active member of */
  groups?: string[]
  /** tag ids it carries */
  tags?: string[]
  creator_user_id?: string | null
}

export async function insertDataset(db: Kysely<Database>, spec: DatasetSpec): Promise<string> {
  const id = randomUUID()
  const now = nowIso()
  await db
    .insertInto('package')
    .values({
      id,
      name: spec.name,
      title: spec.name,
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
      creator_user_id: spec.creator_user_id ?? null,
      metadata_created: now,
      metadata_modified: now,
      plugin_data: null,
    })
    .execute()
  for (const gid of spec.groups ?? []) {
    await db.insertInto('member').values({ id: randomUUID(), group_id: gid, table_name: 'package', table_id: id, capacity: 'public', state: 'active' }).execute()
  }
  for (const tid of spec.tags ?? []) await db.insertInto('package_tag').values({ package_id: id, tag_id: tid }).execute()
  return id
}

/** A plain (non-sysadmin) user and an API token for it. */
export async function insertUser(db: Kysely<Database>, name: string, extra: { fullname?: string; email?: string } = {}): Promise<{ id: string; token: string }> {
  const id = randomUUID()
  await db
    .insertInto('user')
    .values({ id, name, fullname: extra.fullname ?? null, email: extra.email ?? null, password_hash: null, about: null, image_url: null, created: nowIso(), last_active: null, plugin_extras: null })
    .execute()
  const { token } = await issueToken(db, id, 'test')
  return { id, token }
}

/** CKAN's timestamp format: naive UTC, microseconds when non-zero. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/
