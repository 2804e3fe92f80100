import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema.js'
import { nowIso } from '../../src/model/time.js'
import { testApp, type TestApp } from '../helpers/app.js'
import { insertGroup } from '../helpers/fixtures.js'
import { insertUser } from '../actions/group-fixtures.js'

export async function addMember(db: Kysely<Database>, groupId: string, userId: string, capacity: string): Promise<void> {
  await db.insertInto('member').values({ id: randomUUID(), group_id: groupId, table_name: 'user', table_id: userId, capacity, state: 'active' }).execute()
}

export async function addCollaborator(db: Kysely<Database>, packageId: string, userId: string, capacity: string): Promise<void> {
  await db.insertInto('package_member').values({ package_id: packageId, user_id: userId, capacity, modified: nowIso() }).execute()
}

export const ROLES = ['anonymous', 'registered', 'member', 'editor', 'admin', 'other_admin', 'collab_member', 'collab_editor', 'sysadmin'] as const
export type Role = (typeof ROLES)[number]
export const STATES = ['public', 'private', 'draft', 'deleted'] as const
export type DatasetState = (typeof STATES)[number]

export interface World extends TestApp {
  org1: string
  org2: string
  group1: string
  users: Record<Exclude<Role, 'anonymous' | 'sysadmin'>, { id: string; token: string }>
  /** token per role (null = anonymous) */
  token(role: Role): string | null
  /** user name shown in messages */
  nameOf(role: Role): string
  /** a dataset in org1 in that state, with one resource; collaborators added for the collab roles */
  dataset(state: DatasetState, name: string, extra?: Record<string, unknown>): Promise<{ id: string; name: string; resourceId: string }>
}

export async function world(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = { ALLOW_DATASET_COLLABORATORS: 'true' }, deps: Parameters<typeof testApp>[2] = {}): Promise<World> {
  const app = await testApp(t, env, deps)
  const db = app.db.kysely
  const org1 = await insertGroup(db, 'org1')
  const org2 = await insertGroup(db, 'org2')
  const group1 = await insertGroup(db, 'group1', { organization: false })
  const users = {
    registered: await insertUser(db, 'registered'),
    member: await insertUser(db, 'member'),
    editor: await insertUser(db, 'editor'),
    admin: await insertUser(db, 'orgadmin'),
    other_admin: await insertUser(db, 'otheradmin'),
    collab_member: await insertUser(db, 'collabmember'),
    collab_editor: await insertUser(db, 'collabeditor'),
  }
  await addMember(db, org1, users.member.id, 'member')
  await addMember(db, org1, users.editor.id, 'editor')
  await addMember(db, org1, users.admin.id, 'admin')
  await addMember(db, org2, users.other_admin.id, 'admin')
  const names: Record<Role, string> = {
    anonymous: '',
    registered: 'registered',
    member: 'member',
    editor: 'editor',
    admin: 'orgadmin',
    other_admin: 'otheradmin',
    collab_member: 'collabmember',
    collab_editor: 'collabeditor',
    sysadmin: 'admin',
  }
  return {
    ...app,
    org1,
    org2,
    group1,
    users,
    token: (role) => (role === 'anonymous' ? null : role === 'sysadmin' ? app.sysadminToken : users[role].token),
    nameOf: (role) => names[role],
    async dataset(state, name, extra = {}) {
      const d = await app.ok('package_create', {
        name,
        title: `Title of ${name}`,
        owner_org: 'org1',
        private: state === 'private',
        resources: [{ url: `http://example.org/${name}.csv` }],
        ...extra,
      })
      if (state === 'draft' || state === 'deleted') await db.updateTable('package').set({ state }).where('id', '=', d.id).execute()
      await addCollaborator(db, d.id, users.collab_member.id, 'member')
      await addCollaborator(db, d.id, users.collab_editor.id, 'editor')
      // direct writes skip the runner: drop what the read cache holds
      await app.ok('package_patch', { id: d.id })
      if (state === 'draft' || state === 'deleted') {
        const after = await db.selectFrom('package').select('state').where('id', '=', d.id).executeTakeFirstOrThrow()
        if (after.state !== state) throw new Error(`state ${after.state}`)
      }
      return { id: d.id, name, resourceId: d.resources[0].id }
    },
  }
}
