import { Kysely, sql } from 'kysely'

/**
 * Users and API tokens as CKAN 2.11 shows them: the e-mail notification flag of the user dict,
 * one active account per e-mail address (CKAN's idx_only_one_active_email, here case-insensitive
 * as its validator is), and an index for number_created_packages.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('user')
    .addColumn('activity_streams_email_notifications', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await sql`CREATE UNIQUE INDEX user_active_email_idx ON "user" (lower(email)) WHERE state = 'active' AND email IS NOT NULL`.execute(db)
  await sql`CREATE INDEX IF NOT EXISTS package_creator_user_idx ON package (creator_user_id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS package_creator_user_idx`.execute(db)
  await sql`DROP INDEX IF EXISTS user_active_email_idx`.execute(db)
  await db.schema.alterTable('user').dropColumn('activity_streams_email_notifications').execute()
}
