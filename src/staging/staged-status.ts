import type { StagedStatus } from '../db/schema.js'

/**
 * The status of a staged record follows from its data: Archived while set aside; New until first
 * imported; then Imported while the source matches what was imported, Updated once it differs.
 */
export function stagedStatus(r: { archived: number; core_id: number | null; imported_hash: string | null; hash: string }): StagedStatus {
  if (r.archived) return 'archived'
  if (r.core_id === null || r.imported_hash === null) return 'new'
  return r.hash === r.imported_hash ? 'imported' : 'updated'
}
