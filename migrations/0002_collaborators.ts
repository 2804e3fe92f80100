import { Kysely, sql } from 'kysely'

/**
 * Dataset collaborators (CKAN's package_member): a user given a capacity (member, editor, admin)
 * on one dataset, used when ALLOW_DATASET_COLLABORATORS is on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('package_member')
    .addColumn('package_id', 'text', (c) => c.notNull().references('package.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('capacity', 'text', (c) => c.notNull())
    .addColumn('modified', sql`timestamp(6)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('package_member_pk', ['package_id', 'user_id'])
    .execute()
  await db.schema.createIndex('package_member_user_idx').on('package_member').column('user_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('package_member').ifExists().execute()
}
