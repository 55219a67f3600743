import { sql, type Kysely } from 'kysely'
import { generatedId, bytesType } from './lib/portable.js'

// Frozen in time: this file never imports application code.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per connector that was ever activated. Secrets live encrypted in secrets_blob.
  await db.schema
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('activated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_sync_source', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('secrets_blob', 'text')
    .addColumn('activated_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  // At most one sync source, enforced by the database whoever writes.
  await db.schema.createIndex('integrations_one_sync_source').on('integrations').column('is_sync_source').unique().where('is_sync_source', '=', 1).execute()

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('full'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('new_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('removed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('finished_at', 'text')
    .execute()
  // One queued or running run per (integration, module), whoever asks: a click, cron, a second process.
  await db.schema
    .createIndex('sync_runs_one_active')
    .on('sync_runs')
    .columns(['integration', 'module'])
    .unique()
    .where(sql.ref('status'), 'in', ['queued', 'running'])
    .execute()
  await db.schema.createIndex('sync_runs_history').on('sync_runs').columns(['integration', 'id']).execute()

  await db.schema
    .createTable('sync_run_errors')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('run_id', 'integer', (c) => c.notNull().references('sync_runs.id').onDelete('cascade'))
    .addColumn('page', 'integer')
    .addColumn('row_number', 'integer')
    .addColumn('external_id', 'text')
    .addColumn('field', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sync_run_errors_run').on('sync_run_errors').column('run_id').execute()

  // The middleware: one row per (integration, module, external id).
  await db.schema
    .createTable('staged_records')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('core_id', 'integer')
    .addColumn('imported_payload', 'text')
    .addColumn('imported_hash', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_changed_at', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text')
    .addColumn('last_changed_run_id', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('staged_records_key').on('staged_records').columns(['integration', 'module', 'external_id']).unique().execute()
  await db.schema.createIndex('staged_records_status_label').on('staged_records').columns(['integration', 'module', 'status', 'label']).execute()

  // Few records are ever removed at source, so this index stays small and cheap to keep.
  await db.schema
    .createIndex('staged_records_removed')
    .on('staged_records')
    .columns(['integration', 'module', 'id'])
    .where(sql.ref('removed'), '=', 1)
    .execute()

  // Small key/value store a connector keeps between runs (cursors, column mappings).
  await db.schema
    .createTable('connector_state')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connector_state_pk', ['integration', 'key'])
    .execute()

  // Files an admin uploaded for a file-based connector, the latest per module.
  await db.schema
    .createTable('integration_uploads')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content', bytesType(db), (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('integration_uploads_pk', ['integration', 'module'])
    .execute()

  await db.schema
    .createTable('import_batches')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('linked_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('undone_at', 'text')
    .addColumn('undone_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute()

  await db.schema
    .createTable('import_batch_items')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('batch_id', 'integer', (c) => c.notNull().references('import_batches.id').onDelete('cascade'))
    .addColumn('staged_record_id', 'integer', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('core_id', 'integer')
    .addColumn('core_updated_at', 'text')
    .addColumn('message', 'text')
    .addColumn('previous_imported_payload', 'text')
    .addColumn('previous_imported_hash', 'text')
    .addColumn('previous_core_id', 'integer')
    .addColumn('previous_imported_at', 'text')
    .execute()
  await db.schema.createIndex('import_batch_items_batch').on('import_batch_items').column('batch_id').execute()

  await db.schema
    .createTable('sync_schedules')
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('cron', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('auto_import_new', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('auto_import_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_schedules_pk', ['integration', 'module'])
    .execute()

  // The sixth synced module: the pay codes of the platform that receives payroll.
  await db.schema
    .createTable('payroll_items')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('note', 'text')
    .addColumn('source_integration', 'text')
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('payroll_items_name_unique')
    .on('payroll_items')
    .expression(sql`lower(name)`)
    .unique()
    .execute()
  await db.schema
    .createIndex('payroll_items_source_unique')
    .on('payroll_items')
    .columns(['source_integration', 'external_id'])
    .unique()
    .where(sql.ref('source_integration'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'payroll_items',
    'sync_schedules',
    'import_batch_items',
    'import_batches',
    'integration_uploads',
    'connector_state',
    'staged_records',
    'sync_run_errors',
    'sync_runs',
    'integrations',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
