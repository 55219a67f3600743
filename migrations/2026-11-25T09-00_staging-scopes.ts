import { sql, type Kysely } from 'kysely'
import { generatedId } from './lib/portable.js'

// Frozen in time: this file never imports application code.

// Staged rows name their (integration, module) by a small integer scope instead of repeating both
// names in every row and in every entry of its two large indexes: the indexes shrink by a third, and
// a sync writes that much less. Row ids are kept (import batches refer to them).
const COLUMNS =
  'external_id, label, payload, hash, status, archived, removed, core_id, imported_payload, imported_hash, first_seen_at, last_changed_at, imported_at, last_changed_run_id'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staging_scopes')
    .addColumn('id', 'integer', generatedId(db))
    .addColumn('integration', 'text', (c) => c.notNull())
    .addColumn('module', 'text', (c) => c.notNull())
    .addUniqueConstraint('staging_scopes_integration_module', ['integration', 'module'])
    .execute()
  await sql`insert into staging_scopes (integration, module) select distinct integration, module from staged_records order by integration, module`.execute(db)
  await createStagedTable(db, 'staged_records_scoped', (t) => t.addColumn('scope_id', 'integer', (c) => c.notNull().references('staging_scopes.id')))
  await sql
    .raw(
      `insert into staged_records_scoped (id, scope_id, ${COLUMNS})
       select r.id, s.id, ${COLUMNS.split(', ')
         .map((c) => `r.${c}`)
         .join(', ')} from staged_records r join staging_scopes s on s.integration = r.integration and s.module = r.module`,
    )
    .execute(db)
  await db.schema.dropTable('staged_records').execute()
  await sql`alter table staged_records_scoped rename to staged_records`.execute(db)
  await indexes(db, ['scope_id'])
}

export async function down(db: Kysely<any>): Promise<void> {
  await createStagedTable(db, 'staged_records_named', (t) =>
    t.addColumn('integration', 'text', (c) => c.notNull()).addColumn('module', 'text', (c) => c.notNull()),
  )
  await sql
    .raw(
      `insert into staged_records_named (id, integration, module, ${COLUMNS})
       select r.id, s.integration, s.module, ${COLUMNS.split(', ')
         .map((c) => `r.${c}`)
         .join(', ')} from staged_records r join staging_scopes s on s.id = r.scope_id`,
    )
    .execute(db)
  await db.schema.dropTable('staged_records').execute()
  await sql`alter table staged_records_named rename to staged_records`.execute(db)
  await indexes(db, ['integration', 'module'])
  await db.schema.dropTable('staging_scopes').execute()
}

type TableBuilder = ReturnType<Kysely<any>['schema']['createTable']>

async function createStagedTable(db: Kysely<any>, name: string, scope: (t: TableBuilder) => TableBuilder): Promise<void> {
  await scope(db.schema.createTable(name).addColumn('id', 'integer', generatedId(db)))
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
}

async function indexes(db: Kysely<any>, scope: string[]): Promise<void> {
  await db.schema
    .createIndex('staged_records_key')
    .on('staged_records')
    .columns([...scope, 'external_id'])
    .unique()
    .execute()
  await db.schema
    .createIndex('staged_records_status_label')
    .on('staged_records')
    .columns([...scope, 'status', 'label'])
    .execute()
  // Few records are ever removed at source, so this index stays small and cheap to keep.
  await db.schema
    .createIndex('staged_records_removed')
    .on('staged_records')
    .columns([...scope, 'id'])
    .where(sql.ref('removed'), '=', 1)
    .execute()
}
