import { sql, type Kysely } from 'kysely'

// Frozen in time: this file never imports application code.

// An employee's e-mail address is no longer unique: small companies share one (an office mailbox,
// a family address), and the platforms keep no such rule, so a unique index failed one imported
// employee in eight. It stays indexed (as lower(email)), for IMPORT to propose linking a synced
// employee to the one hand-entered employee with that address.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('employees_email_unique').execute()
  await db.schema
    .createIndex('employees_email')
    .on('employees')
    .expression(sql`lower(email)`)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('employees_email').execute()
  await db.schema
    .createIndex('employees_email_unique')
    .on('employees')
    .expression(sql`lower(email)`)
    .unique()
    .execute()
}
