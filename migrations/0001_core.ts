import { Kysely, sql } from 'kysely'

/**
 * Core catalogue: users and tokens, groups/organizations, datasets, resources, tags, members.
 * Timestamps are `timestamp(6)` in UTC because CKAN shows naive UTC with microseconds.
 * Later capabilities (activity, search outbox, files, DataStore, harvest) add their own tables
 * and reference these ids; nothing here encodes an assumption they would have to undo.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('fullname', 'text')
    .addColumn('email', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('about', 'text')
    .addColumn('image_url', 'text')
    .addColumn('sysadmin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('last_active', sql`timestamp(6)`)
    .addColumn('plugin_extras', 'jsonb')
    .execute()

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // sha256 of the token: tokens are 256-bit random, so a fast hash is enough and keeps lookups O(1)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('last_access', sql`timestamp(6)`)
    .addColumn('expires_at', sql`timestamp(6)`)
    .addColumn('revoked_at', sql`timestamp(6)`)
    .execute()
  await db.schema.createIndex('api_token_user_idx').on('api_token').column('user_id').execute()

  await db.schema
    .createTable('group')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('image_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('is_organization', 'boolean', (c) => c.notNull())
    .addColumn('approval_status', 'text', (c) => c.notNull().defaultTo('approved'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('extras', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute()
  await db.schema.createIndex('group_kind_idx').on('group').columns(['is_organization', 'state', 'title']).execute()

  await db.schema
    .createTable('package')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text')
    .addColumn('notes', 'text')
    .addColumn('url', 'text')
    .addColumn('version', 'text')
    .addColumn('author', 'text')
    .addColumn('author_email', 'text')
    .addColumn('maintainer', 'text')
    .addColumn('maintainer_email', 'text')
    .addColumn('license_id', 'text')
    .addColumn('owner_org', 'text', (c) => c.references('group.id').onDelete('set null'))
    .addColumn('private', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('dataset'))
    .addColumn('creator_user_id', 'text')
    .addColumn('metadata_created', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('metadata_modified', sql`timestamp(6)`, (c) => c.notNull())
    // ordered list of {key, value}; kept as one document because it is always read and written whole
    .addColumn('extras', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('plugin_data', 'jsonb')
    .execute()
  await db.schema.createIndex('package_owner_org_idx').on('package').column('owner_org').execute()
  await db.schema.createIndex('package_state_name_idx').on('package').columns(['state', 'name']).execute()
  await db.schema.createIndex('package_modified_idx').on('package').column('metadata_modified').execute()

  await db.schema
    .createTable('resource')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('package_id', 'text', (c) => c.notNull().references('package.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('format', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text')
    .addColumn('name', 'text')
    .addColumn('hash', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('mimetype', 'text')
    .addColumn('mimetype_inner', 'text')
    .addColumn('size', 'bigint')
    .addColumn('resource_type', 'text')
    .addColumn('url_type', 'text')
    .addColumn('cache_url', 'text')
    .addColumn('cache_last_updated', sql`timestamp(6)`)
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('last_modified', sql`timestamp(6)`)
    .addColumn('metadata_modified', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    // free keys beyond CKAN's columns, shown flattened at the top level of the resource dict
    .addColumn('extras', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute()
  await db.schema.createIndex('resource_package_idx').on('resource').columns(['package_id', 'position']).execute()

  await db.schema
    .createTable('vocabulary')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute()

  await db.schema
    .createTable('tag')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('vocabulary_id', 'text', (c) => c.references('vocabulary.id').onDelete('cascade'))
    .execute()
  await sql`CREATE UNIQUE INDEX tag_name_vocab_uq ON tag (name, coalesce(vocabulary_id, ''))`.execute(db)

  await db.schema
    .createTable('package_tag')
    .addColumn('package_id', 'text', (c) => c.notNull().references('package.id').onDelete('cascade'))
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tag.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addPrimaryKeyConstraint('package_tag_pk', ['package_id', 'tag_id'])
    .execute()
  await db.schema.createIndex('package_tag_tag_idx').on('package_tag').column('tag_id').execute()

  // CKAN's member table: datasets in groups, users in organizations/groups (with capacity),
  // groups in groups. table_id is not a foreign key because it points at several tables.
  await db.schema
    .createTable('member')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().references('group.id').onDelete('cascade'))
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('table_id', 'text', (c) => c.notNull())
    .addColumn('capacity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .execute()
  await db.schema.createIndex('member_group_idx').on('member').columns(['group_id', 'table_name', 'state']).execute()
  await db.schema.createIndex('member_object_idx').on('member').columns(['table_id', 'table_name', 'state']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['member', 'package_tag', 'tag', 'vocabulary', 'resource', 'package', 'group', 'api_token', 'user']) {
    await db.schema.dropTable(t).ifExists().cascade().execute()
  }
}
