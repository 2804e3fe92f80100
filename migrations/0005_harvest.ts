import { Kysely, sql } from 'kysely'

/**
 * Harvesting (ckanext-harvest's model). A harvest source is a dataset of type `harvest` plus one
 * `harvest_source` row with the same id; title, description, owner and state stay on the package
 * row, so nothing is stored twice. Jobs, objects and their errors are kept as CKAN shapes them,
 * with three guarantees CKAN lacks, enforced here rather than in code:
 * - at most one New/Running job per source (partial unique index), so racing job_create calls
 *   cannot both start a harvest;
 * - at most one current object per (source, guid) and per dataset, so two sources never silently
 *   claim the same dataset;
 * - the per-source watermark of the last error-free run is stored, not derived from job history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('harvest_source')
    .addColumn('id', 'text', (c) => c.primaryKey().references('package.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('config', 'text')
    .addColumn('frequency', 'text', (c) => c.notNull().defaultTo('MANUAL'))
    .addColumn('next_run', sql`timestamp(6)`)
    .addColumn('user_id', 'text')
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    // gather_started of the last job whose gather and every import succeeded (incremental runs)
    .addColumn('watermark', sql`timestamp(6)`)
    .execute()

  await db.schema
    .createTable('harvest_job')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull().references('harvest_source.id').onDelete('cascade'))
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('gather_started', sql`timestamp(6)`)
    .addColumn('gather_finished', sql`timestamp(6)`)
    .addColumn('finished', sql`timestamp(6)`)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('New'))
    // ckan | full | incremental: how the gather listed the remote (for the report and the watermark)
    .addColumn('mode', 'text')
    .execute()
  await db.schema.createIndex('harvest_job_source_idx').on('harvest_job').columns(['source_id', 'created']).execute()
  await sql`CREATE UNIQUE INDEX harvest_job_one_pending_idx ON harvest_job (source_id) WHERE status IN ('New', 'Running')`.execute(db)

  await db.schema
    .createTable('harvest_object')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('guid', 'text', (c) => c.notNull())
    .addColumn('current', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('gathered', sql`timestamp(6)`, (c) => c.notNull())
    .addColumn('fetch_started', sql`timestamp(6)`)
    .addColumn('fetch_finished', sql`timestamp(6)`)
    .addColumn('import_started', sql`timestamp(6)`)
    .addColumn('import_finished', sql`timestamp(6)`)
    .addColumn('content', 'text')
    .addColumn('content_hash', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('WAITING'))
    .addColumn('report_status', 'text')
    .addColumn('metadata_modified_date', sql`timestamp(6)`)
    .addColumn('retry_times', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('harvest_job_id', 'text', (c) => c.notNull().references('harvest_job.id').onDelete('cascade'))
    .addColumn('harvest_source_id', 'text', (c) => c.notNull().references('harvest_source.id').onDelete('cascade'))
    .addColumn('package_id', 'text', (c) => c.references('package.id').onDelete('set null'))
    .addColumn('extras', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute()
  await db.schema.createIndex('harvest_object_job_idx').on('harvest_object').columns(['harvest_job_id', 'state']).execute()
  await db.schema.createIndex('harvest_object_package_idx').on('harvest_object').column('package_id').execute()
  await db.schema.createIndex('harvest_object_guid_idx').on('harvest_object').columns(['harvest_source_id', 'guid']).execute()
  await sql`CREATE UNIQUE INDEX harvest_object_current_guid_idx ON harvest_object (harvest_source_id, guid) WHERE current`.execute(db)
  await sql`CREATE UNIQUE INDEX harvest_object_current_package_idx ON harvest_object (package_id) WHERE current`.execute(db)

  await db.schema
    .createTable('harvest_object_error')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('harvest_object_id', 'text', (c) => c.notNull().references('harvest_object.id').onDelete('cascade'))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('stage', 'text')
    .addColumn('line', 'integer')
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('harvest_object_error_object_idx').on('harvest_object_error').column('harvest_object_id').execute()

  await db.schema
    .createTable('harvest_gather_error')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('harvest_job_id', 'text', (c) => c.notNull().references('harvest_job.id').onDelete('cascade'))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created', sql`timestamp(6)`, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('harvest_gather_error_job_idx').on('harvest_gather_error').column('harvest_job_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['harvest_gather_error', 'harvest_object_error', 'harvest_object', 'harvest_job', 'harvest_source']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
