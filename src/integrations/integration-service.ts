import type { Db } from '../db/database.js'
import type { AppDeps } from '../http/app-env.js'
import { recordAudit, type Actor } from '../audit/audit-log.js'
import type { AnyConnector, UploadInspection } from '../connectors/kit/types.js'
import { open, seal, type Keyring } from '../lib/secret-box.js'
import type { ModuleId } from '../connectors/kit/records.js'
import { guessUploadMapping } from '../connectors/kit/sheets/column-mapping.js'
import { mappingStateKey } from '../connectors/kit/sheets/mapped-sheet.js'
import { connectorStore } from './connector-store.js'

export const keyringOf = (config: AppDeps['config']): Keyring => ({ current: config.secretKey, previous: config.previousKeys })

export function getIntegration(db: Db, id: string) {
  return db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listIntegrationRows(db: Db) {
  return db.selectFrom('integrations').selectAll().execute()
}

export type Result = { ok: true; message: string } | { ok: false; message: string; needsConfirmation?: boolean }

async function ensureRow(db: Db, id: string) {
  await db
    .insertInto('integrations')
    .values({ id, activated: 0, is_sync_source: 0, settings: '{}', updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

export async function activate(db: Db, actor: Actor, connector: AnyConnector): Promise<Result> {
  await ensureRow(db, connector.id)
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    await trx.updateTable('integrations').set({ activated: 1, activated_at: now, updated_at: now }).where('id', '=', connector.id).execute()
    await recordAudit(trx, actor, { action: 'integration.activate', entityType: 'integration', entityId: connector.id, summary: `Activated ${connector.name}` })
  })
  return { ok: true, message: `${connector.name} is activated.` }
}

export async function deactivate(deps: Pick<AppDeps, 'db' | 'runs'>, actor: Actor, connector: AnyConnector): Promise<Result> {
  const active = await deps.db
    .selectFrom('sync_runs')
    .select('id')
    .where('integration', '=', connector.id)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst()
  if (active) return { ok: false, message: `${connector.name} has a sync in progress (run #${active.id}); wait for it or cancel it first.` }
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('integrations')
      .set({ activated: 0, is_sync_source: 0, updated_at: new Date().toISOString() })
      .where('id', '=', connector.id)
      .execute()
    await recordAudit(trx, actor, {
      action: 'integration.deactivate',
      entityType: 'integration',
      entityId: connector.id,
      summary: `Deactivated ${connector.name}; staged records and imported data are kept`,
    })
  })
  return { ok: true, message: `${connector.name} is deactivated. Its staged records and everything imported from it are kept.` }
}

/**
 * One sync source at a time. Switching from another source needs an explicit confirmation;
 * records already imported keep the origin they have.
 */
export async function makeSyncSource(db: Db, actor: Actor, connector: AnyConnector, connectors: readonly AnyConnector[], confirmed: boolean): Promise<Result> {
  if (connector.syncModules.length === 0) return { ok: false, message: `${connector.name} only receives payroll; it cannot be a sync source.` }
  const row = await getIntegration(db, connector.id)
  if (!row?.activated) return { ok: false, message: `Activate ${connector.name} first.` }
  if (row.is_sync_source) return { ok: true, message: `${connector.name} is already the sync source.` }
  const current = await db.selectFrom('integrations').select('id').where('is_sync_source', '=', 1).executeTakeFirst()
  const currentName = current ? (connectors.find((c) => c.id === current.id)?.name ?? current.id) : null
  if (current && !confirmed) {
    return {
      ok: false,
      needsConfirmation: true,
      message: `${currentName} is the sync source now. Switching makes ${connector.name} the source of truth; ${currentName} stops syncing, and records already imported from it keep their origin.`,
    }
  }
  const running = await db.selectFrom('sync_runs').select('id').where('status', 'in', ['queued', 'running']).executeTakeFirst()
  if (running) return { ok: false, message: `A sync is in progress (run #${running.id}); switch the sync source when it has finished.` }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('integrations').set({ is_sync_source: 0 }).where('is_sync_source', '=', 1).execute()
    await trx.updateTable('integrations').set({ is_sync_source: 1, updated_at: new Date().toISOString() }).where('id', '=', connector.id).execute()
    await recordAudit(trx, actor, {
      action: 'integration.sync_source',
      entityType: 'integration',
      entityId: connector.id,
      summary: current ? `Switched the sync source from ${currentName} to ${connector.name}` : `Made ${connector.name} the sync source`,
      before: { syncSource: current?.id ?? null },
      after: { syncSource: connector.id },
    })
  })
  return { ok: true, message: `${connector.name} is now the sync source.` }
}

/** Saves the Setup tab: plain settings as JSON, secret ones sealed; a blank secret keeps the stored one. */
export async function saveSettings(
  deps: Pick<AppDeps, 'db' | 'config'>,
  actor: Actor,
  connector: AnyConnector,
  values: Record<string, unknown>,
): Promise<void> {
  await ensureRow(deps.db, connector.id)
  const row = await getIntegration(deps.db, connector.id)
  const keyring = keyringOf(deps.config)
  const secretKeys = connector.settingFields.filter((f) => f.secret).map((f) => f.key)
  const stored = row?.secrets_blob ? (JSON.parse(open(keyring, row.secrets_blob)) as Record<string, string>) : {}
  const plain: Record<string, unknown> = {}
  const secrets: Record<string, string> = { ...stored }
  for (const [k, v] of Object.entries(values)) {
    if (secretKeys.includes(k)) {
      if (typeof v === 'string' && v !== '') secrets[k] = v
    } else plain[k] = v
  }
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('integrations')
      .set({
        settings: JSON.stringify(plain),
        secrets_blob: Object.keys(secrets).length > 0 ? seal(keyring, JSON.stringify(secrets)) : null,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', connector.id)
      .execute()
    await recordAudit(trx, actor, {
      action: 'integration.settings',
      entityType: 'integration',
      entityId: connector.id,
      summary: `Changed the settings of ${connector.name}`,
      after: { ...plain, ...Object.fromEntries(Object.keys(secrets).map((k) => [k, '(encrypted)'])) },
    })
  })
}

export function latestUpload(db: Db, integration: string, module: ModuleId) {
  return db.selectFrom('integration_uploads').selectAll().where('integration', '=', integration).where('module', '=', module).executeTakeFirst()
}

/** The latest upload's name, size and time with what was read of it at upload, without its content. */
export async function latestUploadInfo(
  db: Db,
  connector: AnyConnector,
  module: ModuleId,
): Promise<{ filename: string; size: number; uploaded_at: string; inspection: UploadInspection | { error: string } } | null> {
  const row = await db
    .selectFrom('integration_uploads')
    .select(['filename', 'size', 'uploaded_at', 'inspection'])
    .where('integration', '=', connector.id)
    .where('module', '=', module)
    .executeTakeFirst()
  if (!row) return null
  if (row.inspection) return { ...row, inspection: JSON.parse(row.inspection) as UploadInspection }
  // A file uploaded before inspections were kept is read once more, and its inspection kept.
  const upload = await latestUpload(db, connector.id, module)
  const inspection =
    upload && connector.upload
      ? await connector.upload.inspect({ filename: upload.filename, content: Buffer.from(upload.content) })
      : { error: 'The file is gone.' }
  if (!('error' in inspection))
    await db
      .updateTable('integration_uploads')
      .set({ inspection: JSON.stringify(inspection) })
      .where('integration', '=', connector.id)
      .where('module', '=', module)
      .execute()
  return { ...row, inspection }
}

function parseSettings(connector: AnyConnector, raw: string | undefined): { ok: true; settings: unknown } | { ok: false; message: string } {
  const values = JSON.parse(raw ?? '{}') as Record<string, unknown>
  const parsed = connector.settingsSchema.safeParse(values)
  if (parsed.success) return { ok: true, settings: parsed.data }
  // A setting never saved is named by its label, not by the validator's "expected string, received undefined".
  const problems = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '')
    const label = connector.settingFields.find((f) => f.key === key)?.label
    return values[key] === undefined && label ? `${label} is not set` : i.message
  })
  return { ok: false, message: `The settings of ${connector.name} are incomplete: ${problems.join('; ')}. Complete them on the Setup tab.` }
}

/** A connector's saved settings, with its defaults, or what is wrong with them. */
export async function connectorSettings(db: Db, connector: AnyConnector) {
  return parseSettings(connector, (await getIntegration(db, connector.id))?.settings)
}

/** A connector's saved settings (with its defaults) and opened secrets, with the labels of secret fields not set. */
export async function connectorSetup(deps: Pick<AppDeps, 'db' | 'config'>, connector: AnyConnector) {
  const row = await getIntegration(deps.db, connector.id)
  const parsed = parseSettings(connector, row?.settings)
  if (!parsed.ok) return parsed
  const secrets = row?.secrets_blob ? (JSON.parse(open(keyringOf(deps.config), row.secrets_blob)) as Record<string, string>) : {}
  return { ...parsed, secrets, missingSecrets: connector.settingFields.filter((f) => f.secret && !secrets[f.key]).map((f) => f.label) }
}

/**
 * Reads an uploaded file with the connector's own inspection and keeps it; a module's first file
 * gets the guessed column mapping, a mapping already saved is kept. The inspection's refusal comes back as it is.
 */
export async function acceptUpload(
  db: Db,
  actor: Actor,
  connector: AnyConnector,
  module: ModuleId,
  file: { filename: string; content: Buffer },
): Promise<UploadInspection | { error: string }> {
  const spec = connector.upload
  if (!spec) return { error: `${connector.name} takes no uploaded files.` }
  const inspected = await spec.inspect(file)
  if ('error' in inspected) return inspected
  await saveUpload(db, actor, connector, module, file, inspected)
  const guess = JSON.stringify(guessUploadMapping(spec, module, inspected.headers))
  await connectorStore(db, connector.id).compareAndSet(mappingStateKey(module), null, guess)
  return inspected
}

/** Keeps the latest file of a module for a file-based connector (the previous one is replaced). */
export async function saveUpload(
  db: Db,
  actor: Actor,
  connector: AnyConnector,
  module: ModuleId,
  file: { filename: string; content: Buffer },
  inspection: UploadInspection,
): Promise<void> {
  const now = new Date().toISOString()
  const row = {
    integration: connector.id,
    module,
    filename: file.filename,
    content: file.content,
    size: file.content.length,
    uploaded_by: actor.userId,
    uploaded_at: now,
    inspection: JSON.stringify(inspection),
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('integration_uploads')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['integration', 'module']).doUpdateSet({
          filename: row.filename,
          content: row.content,
          size: row.size,
          uploaded_by: row.uploaded_by,
          uploaded_at: now,
          inspection: row.inspection,
        }),
      )
      .execute()
    await recordAudit(trx, actor, {
      action: 'integration.upload',
      entityType: 'integration',
      entityId: connector.id,
      summary: `Uploaded ${file.filename} (${file.content.length.toLocaleString('en-US')} bytes) for ${module}`,
    })
  })
}
