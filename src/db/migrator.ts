import { Migrator, type MigrationResult } from 'kysely'
import type { Db } from './database.js'
import { MIGRATIONS } from './migration-list.js'

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResult[],
  ) {
    super(message)
  }
}

/** Applies every pending migration in order, each in its own transaction. */
export async function migrateToLatest(db: Db): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) {
    const failed = results.find((r) => r.status === 'Error')
    const cause = error instanceof Error ? error.message : String(error)
    throw new MigrationError(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`, results)
  }
  return results
}
