import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../audit/audit-log.js'
import { closeAfterBody, renderError } from '../http/errors.js'
import { setFlash } from '../http/flash.js'
import { redirectTo, wantsFragment, isHtmx } from '../http/htmx.js'
import { renderPage } from '../http/render.js'
import { emptyForm } from '../../views/components/form-fields.js'
import { hasConnection, type AnyConnector } from '../connectors/kit/types.js'
import { guessUploadMapping, uploadColumns, uploadMappingProblems, type ColumnMapping } from '../connectors/kit/sheets/column-mapping.js'
import { mappingStateKey } from '../connectors/kit/sheets/mapped-sheet.js'
import { planImport, runImport, setArchived, undoBatch } from '../staging/import-service.js'
import { connectionPanel } from './connection-routes.js'
import { connectionHealth } from './connections.js'
import { renderSetupPanel } from './connector-plugins.js'
import { importedPayload } from '../staging/staging-store.js'
import { cancelRun, requestSync } from '../staging/sync-runs.js'
import {
  getStagedRecord,
  latestRun,
  matchingIds,
  recentBatches,
  unfinishedImports,
  recentRuns,
  runErrors,
  stagingPage,
  statusCounts,
  STAGED_STATUSES,
  STAGING_SORTS,
  type StagingFilter,
  type StagingSort,
} from '../staging/staging-queries.js'
import { OverviewPage } from '../../views/integrations/overview-page.js'
import { IntegrationLayout } from '../../views/integrations/integration-layout.js'
import { SettingsForm, SetupTab, SyncSourceSection, type SyncSourceState } from '../../views/integrations/setup-tab.js'
import { StagingResults, StagingTab, UploadSection, type StagingView, type UploadView } from '../../views/integrations/staging-tab.js'
import { RunPanel, isActive } from '../../views/integrations/run-panel.js'
import { ChangesDialog, ImportPreview, type SelectionFields } from '../../views/integrations/dialogs.js'
import { HistoryTab, UndoResultView } from '../../views/integrations/history-tab.js'
import {
  activate,
  deactivate,
  getIntegration,
  latestUploadInfo,
  listIntegrationRows,
  loadState,
  makeSyncSource,
  saveSettings,
  saveState,
  saveUpload,
} from './integration-service.js'
import { readFormValues } from '../http/forms.js'
import { isModuleId, moduleBySlug, MODULES, type ModuleSpec } from '../connectors/kit/records.js'
import { toCsv } from '../lib/csv.js'
import { schedulesSection, scheduleRoutes } from './schedule-routes.js'
import { unprintableFormField } from '../http/printable-input.js'

export const integrationsRoutes = new Hono<AppEnv>()

type Found = { connector: AnyConnector; row: Awaited<ReturnType<typeof getIntegration>> }

async function findIntegration(c: Context<AppEnv>): Promise<Found | null> {
  const connector = c.var.deps.connectors.find((x) => x.id === c.req.param('id'))
  if (!connector) return null
  return { connector, row: await getIntegration(c.var.db, connector.id) }
}

function findModule(c: Context<AppEnv>, connector: AnyConnector): ModuleSpec | null {
  const spec = moduleBySlug(c.req.param('module') ?? '')
  return spec && connector.syncModules.includes(spec.id) ? spec : null
}

const paths = (connector: AnyConnector, module?: ModuleSpec) => ({
  integrationPath: `/integrations/${connector.id}`,
  modulePath: module ? `/integrations/${connector.id}/${module.slug}` : `/integrations/${connector.id}`,
})

async function page(c: Context<AppEnv>, f: Found, active: string, body: unknown, status: 200 | 409 | 422 = 200) {
  const health = hasConnection(f.connector) ? (await connectionHealth(c.var.db)).get(f.connector.id) : undefined
  return renderPage(
    c,
    `${f.connector.name} · Integrations`,
    <IntegrationLayout connector={f.connector} active={active} activated={!!f.row?.activated} syncSource={!!f.row?.is_sync_source} health={health}>
      {body as string}
    </IntegrationLayout>,
    status,
  )
}

// ── Overview ────────────────────────────────────────────────────────────────────────────────────

integrationsRoutes.get('/', requires('integrations.view'), async (c) => {
  const rows = await listIntegrationRows(c.var.db)
  const health = await connectionHealth(c.var.db)
  const view = c.var.deps.connectors.map((connector) => {
    const row = rows.find((r) => r.id === connector.id)
    return {
      connector,
      activated: !!row?.activated,
      syncSource: !!row?.is_sync_source,
      health: hasConnection(connector) ? (health.get(connector.id) ?? null) : undefined,
    }
  })
  return renderPage(c, 'Integrations', <OverviewPage rows={view} canSetup={c.var.user!.permissions.has('integrations.setup')} />)
})

integrationsRoutes.post('/:id/activate', requires('integrations.setup'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const result = await activate(c.var.db, actorOf(c), f.connector)
  await c.var.deps.scheduler.reload()
  setFlash(c, result.message, result.ok ? 'success' : 'error')
  return redirectTo(c, '/integrations')
})

integrationsRoutes.post('/:id/deactivate', requires('integrations.setup'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const result = await deactivate(c.var.deps, actorOf(c), f.connector)
  await c.var.deps.scheduler.reload()
  setFlash(c, result.message, result.ok ? 'success' : 'error')
  return redirectTo(c, '/integrations')
})

// ── Setup tab ───────────────────────────────────────────────────────────────────────────────────

async function sourceState(c: Context<AppEnv>, f: Found, extra: Partial<SyncSourceState> = {}): Promise<SyncSourceState> {
  const source = (await listIntegrationRows(c.var.db)).find((r) => r.is_sync_source && r.id !== f.connector.id)
  const otherSource = source ? (c.var.deps.connectors.find((x) => x.id === source.id)?.name ?? source.id) : null
  return { isSource: !!f.row?.is_sync_source, activated: !!f.row?.activated, otherSource, ...extra }
}

/** The saved settings as form values, with the connector's defaults for what was never saved. */
function settingsValues(f: Found): Record<string, string> {
  const saved = JSON.parse(f.row?.settings ?? '{}') as Record<string, unknown>
  const withDefaults = f.connector.settingsSchema.safeParse(saved)
  const values = (withDefaults.success ? withDefaults.data : saved) as Record<string, unknown>
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v ?? '')]))
}

integrationsRoutes.get('/:id', requires('integrations.view'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const canSetup = c.var.user!.permissions.has('integrations.setup')
  const settings = {
    form: emptyForm(settingsValues(f)),
    storedSecrets: f.row?.secrets_blob ? f.connector.settingFields.filter((s) => s.secret).map((s) => s.key) : [],
  }
  const extra = [await connectionPanel(c, f.connector), await renderSetupPanel(c, f.connector)]
  return page(
    c,
    f,
    'setup',
    <SetupTab
      connector={f.connector}
      source={await sourceState(c, f)}
      canSetup={canSetup}
      settings={settings}
      extra={extra}
      schedules={await schedulesSection(c, f.connector, !!f.row?.is_sync_source)}
    />,
  )
})

integrationsRoutes.post('/:id/sync-source', requires('integrations.setup'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const body = await c.req.parseBody()
  const result = await makeSyncSource(c.var.db, actorOf(c), f.connector, c.var.deps.connectors, body.confirm === '1')
  if (result.ok) {
    await c.var.deps.scheduler.reload()
    setFlash(c, result.message)
    return redirectTo(c, `/integrations/${f.connector.id}`)
  }
  const state = await sourceState(c, f, result.needsConfirmation ? { confirm: result.message } : { error: result.message })
  const section = <SyncSourceSection connector={f.connector} state={state} canSetup={true} />
  return wantsFragment(c) ? c.html(section, 409) : page(c, f, 'setup', section, 409)
})

integrationsRoutes.post('/:id/settings', requires('integrations.setup'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const values = await readFormValues(c)
  const secretKeys = f.connector.settingFields.filter((s) => s.secret).map((s) => s.key)
  const plain = Object.fromEntries(f.connector.settingFields.filter((s) => !s.secret).map((s) => [s.key, values[s.key] ?? '']))
  const parsed = f.connector.settingsSchema.safeParse(plain)
  const errors: Record<string, string> = {}
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message
  for (const k of secretKeys) if ((values[k] ?? '').length > 2000) errors[k] = 'At most 2000 characters'
  if (Object.keys(errors).length > 0) {
    const form = (
      <SettingsForm connector={f.connector} form={{ values: plain as Record<string, string>, errors }} storedSecrets={f.row?.secrets_blob ? secretKeys : []} />
    )
    return wantsFragment(c) ? c.html(form, 422) : page(c, f, 'setup', form, 422)
  }
  await saveSettings(c.var.deps, actorOf(c), f.connector, {
    ...(parsed.data as Record<string, unknown>),
    ...Object.fromEntries(secretKeys.map((k) => [k, values[k] ?? ''])),
  })
  setFlash(c, 'Settings saved.')
  return redirectTo(c, `/integrations/${f.connector.id}`)
})

// ── History ─────────────────────────────────────────────────────────────────────────────────────

async function historyView(c: Context<AppEnv>, f: Found, notice?: unknown) {
  const { integrationPath } = paths(f.connector)
  return (
    <HistoryTab
      integrationPath={integrationPath}
      runs={await recentRuns(c.var.db, f.connector.id)}
      batches={await recentBatches(c.var.db, f.connector.id)}
      unfinished={await unfinishedImports(c.var.db, f.connector.id)}
      canAct={c.var.user!.permissions.has('integrations.actions')}
      notice={notice}
    />
  )
}

integrationsRoutes.get('/:id/history', requires('integrations.view'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  return page(c, f, 'history', await historyView(c, f))
})

integrationsRoutes.post('/:id/batches/:batchId/undo', requires('integrations.actions'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const batch = await c.var.db
    .selectFrom('import_batches')
    .select('id')
    .where('id', '=', Number(c.req.param('batchId')) || 0)
    .where('integration', '=', f.connector.id)
    .executeTakeFirst()
  if (!batch) return renderError(c, 404)
  const result = await undoBatch(c.var.deps, actorOf(c), batch.id)
  const notice =
    'error' in result ? (
      <p class='flash flash-error' role='alert'>
        {result.error}
      </p>
    ) : (
      <UndoResultView removed={result.removed} kept={result.kept} />
    )
  const view = await historyView(c, f, notice)
  return wantsFragment(c) ? c.html(view, 'error' in result ? 409 : 200) : page(c, f, 'history', view, 'error' in result ? 409 : 200)
})

integrationsRoutes.get('/:id/runs/:runId/errors.csv', requires('integrations.view'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const run = await c.var.db
    .selectFrom('sync_runs')
    .select(['id', 'module'])
    .where('id', '=', Number(c.req.param('runId')) || 0)
    .where('integration', '=', f.connector.id)
    .executeTakeFirst()
  if (!run) return renderError(c, 404)
  const errors = await runErrors(c.var.db, run.id)
  const csv = toCsv(
    ['page', 'row', 'external_id', 'field', 'message'],
    errors.map((e) => [e.page, e.row_number, e.external_id, e.field, e.message]),
  )
  c.header('Content-Disposition', `attachment; filename="${f.connector.id}-${run.module}-run-${run.id}-errors.csv"`)
  return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8' })
})

integrationsRoutes.post('/:id/runs/:runId/cancel', requires('integrations.actions'), async (c) => {
  const f = await findIntegration(c)
  if (!f) return renderError(c, 404)
  const run = await c.var.db
    .selectFrom('sync_runs')
    .selectAll()
    .where('id', '=', Number(c.req.param('runId')) || 0)
    .where('integration', '=', f.connector.id)
    .executeTakeFirst()
  if (!run) return renderError(c, 404)
  await cancelRun(c.var.deps, run.id)
  await c.var.deps.runs.active.get(run.id)?.done
  const module = isModuleId(run.module) ? MODULES[run.module] : undefined
  const fresh = await c.var.db.selectFrom('sync_runs').selectAll().where('id', '=', run.id).executeTakeFirst()
  return c.html(<RunPanel run={fresh} {...paths(f.connector, module)} agentName={f.connector.agentName} canAct={true} />)
})

integrationsRoutes.route('/:id', scheduleRoutes)

// ── A module's staging tab ──────────────────────────────────────────────────────────────────────

function readFilter(q: Record<string, string | undefined>): { filter: StagingFilter; sort: StagingSort; page: number } {
  const status = STAGED_STATUSES.find((s) => s === q.status) ?? ''
  const removed = q.removed === 'yes' || q.removed === 'no' ? q.removed : ''
  const sort = (Object.keys(STAGING_SORTS) as StagingSort['sort'][]).find((s) => s === q.sort) ?? 'label'
  return {
    filter: { status, removed, q: (q.q ?? '').trim().slice(0, 100) },
    sort: { sort, dir: q.dir === 'desc' ? 'desc' : 'asc' },
    page: Math.max(1, Math.min(1_000_000, Number(q.page) || 1)),
  }
}

async function stagingView(
  c: Context<AppEnv>,
  f: Found,
  module: ModuleSpec,
  query: Record<string, string | undefined>,
  message?: StagingView['message'],
): Promise<StagingView> {
  const { filter, sort, page: pageNo } = readFilter(query)
  return {
    ...paths(f.connector, module),
    module,
    filter,
    sort,
    page: await stagingPage(c.var.db, f.connector.id, module.id, filter, sort, pageNo),
    counts: await statusCounts(c.var.db, f.connector.id, module.id),
    canAct: c.var.user!.permissions.has('integrations.actions'),
    message,
  }
}

async function uploadView(c: Context<AppEnv>, f: Found, module: ModuleSpec, error?: string): Promise<UploadView | null> {
  const spec = f.connector.upload
  if (!spec) return null
  const upload = await latestUploadInfo(c.var.db, f.connector, module.id)
  const state = await loadState(c.var.db, f.connector.id)
  const mapping = state[mappingStateKey(module.id)] ? (JSON.parse(state[mappingStateKey(module.id)]!) as ColumnMapping) : null
  let file: UploadView['file'] = null
  let problems: string[] = []
  if (upload) {
    const inspected = upload.inspection
    if ('error' in inspected) error ??= inspected.error
    else {
      file = {
        filename: upload.filename,
        size: upload.size,
        uploadedAt: upload.uploaded_at,
        headers: inspected.headers,
        rows: inspected.rows,
        encoding: inspected.encoding ?? null,
        sample: inspected.sample ?? [],
      }
      problems = mapping ? uploadMappingProblems(spec, module.id, mapping, inspected.headers, upload.filename) : []
    }
  }
  return {
    accept: spec.extensions.join(','),
    maxBytes: Math.min(spec.maxBytes, c.var.config.uploadLimitBytes),
    file,
    columns: uploadColumns(spec, module.id),
    idFromColumns: !!spec.idFromColumns,
    mapping: mapping ?? (file ? guessUploadMapping(spec, module.id, file.headers) : null),
    problems,
    error,
  }
}

const firstErrors = async (c: Context<AppEnv>, run: { id: number; error_count: number } | undefined) =>
  run && run.error_count > 0 ? runErrors(c.var.db, run.id, 20) : []

function syncBlocked(f: Found): string | null {
  if (!f.row?.activated) return `Activate ${f.connector.name} on the Overview to SYNC.`
  if (!f.row.is_sync_source) return `${f.connector.name} is not the sync source; make it the sync source on the Setup tab to SYNC.`
  return null
}

integrationsRoutes.get('/:id/:module', requires('integrations.view'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  const v = await stagingView(c, f, module, c.req.query())
  if (wantsFragment(c)) {
    c.header('Vary', 'HX-Request, HX-Request-Type')
    return c.html(<StagingResults v={v} />)
  }
  const run = await latestRun(c.var.db, f.connector.id, module.id)
  const canSync = c.var.user!.permissions.has('integrations.actions')
  return page(
    c,
    f,
    module.id,
    <StagingTab
      v={v}
      run={run}
      runErrors={await firstErrors(c, run)}
      agentName={f.connector.agentName}
      canSync={canSync}
      syncBlocked={syncBlocked(f)}
      upload={await uploadView(c, f, module)}
    />,
  )
})

integrationsRoutes.get('/:id/:module/run', requires('integrations.view'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  const run = await latestRun(c.var.db, f.connector.id, module.id)
  // The poll that sees its run finish tells the table to reload.
  if (c.req.query('was') === 'active' && !isActive(run)) c.header('HX-Trigger', 'staging-changed')
  return c.html(
    <RunPanel
      run={run}
      {...paths(f.connector, module)}
      agentName={f.connector.agentName}
      canAct={c.var.user!.permissions.has('integrations.actions')}
      errors={await firstErrors(c, run)}
    />,
  )
})

integrationsRoutes.post('/:id/:module/sync', requires('integrations.actions'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  // A press whose browser has gone (it gave up waiting) starts nothing.
  if (c.req.raw.signal.aborted) {
    c.var.log.info({ event: 'sync_press_abandoned', module: module.id }, 'the client left before its SYNC press was handled')
    return c.body(null, 204)
  }
  const start = await requestSync(c.var.deps, { integration: f.connector.id, module: module.id, trigger: 'manual', userId: c.var.user!.id })
  if (!start.ok) {
    const body = (
      <section id='run-panel' class='run-panel'>
        <p class='flash flash-error' role='alert'>
          {start.message}
        </p>
      </section>
    )
    return isHtmx(c) ? c.html(body, 409) : page(c, f, module.id, body, 409)
  }
  const run = await c.var.db.selectFrom('sync_runs').selectAll().where('id', '=', start.runId).executeTakeFirst()
  if (!isHtmx(c)) {
    setFlash(
      c,
      start.alreadyRunning
        ? `A sync of ${module.label} was already running: your SYNC joined run #${start.runId}.`
        : `SYNC of ${module.label} started (run #${start.runId}).`,
    )
    return redirectTo(c, paths(f.connector, module).modulePath)
  }
  return c.html(
    <RunPanel run={run} {...paths(f.connector, module)} agentName={f.connector.agentName} canAct={true} joined={start.alreadyRunning} />,
    start.alreadyRunning ? 200 : 202,
  )
})

integrationsRoutes.post(
  '/:id/:module/upload',
  requires('integrations.actions'),
  // A form without a file (urlencoded) was read and limited already; an upload gets the upload's limit.
  async (c, next) =>
    !(c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      ? next()
      : bodyLimit({
          maxSize: c.var.config.uploadLimitBytes,
          onError: async (c2) => (
            await closeAfterBody(c2 as Context<AppEnv>),
            uploadRefused(
              c2 as Context<AppEnv>,
              `The file is larger than ${Math.round(c.var.config.uploadLimitBytes / 1024 / 1024)} MB; split it or raise UPLOAD_LIMIT_BYTES.`,
            )
          ),
        })(c, next),
  async (c) => {
    const f = await findIntegration(c)
    const module = f && findModule(c, f.connector)
    if (!f || !module || !f.connector.upload) return renderError(c, 404)
    const body = await c.req.parseBody()
    const unprintable = unprintableFormField(c, body)
    if (unprintable) return unprintable
    const file = body.file
    if (!(file instanceof File) || file.size === 0) return uploadRefused(c, file instanceof File ? `${file.name} is empty.` : 'Choose a file to upload.')
    const name = file.name || 'upload'
    if (!f.connector.upload.extensions.some((e) => name.toLowerCase().endsWith(e))) {
      return uploadRefused(
        c,
        `${name} is not a ${f.connector.upload.extensions.join(' or ')} file. Save the sheet in one of those formats and upload it again.`,
      )
    }
    if (file.size > f.connector.upload.maxBytes)
      return uploadRefused(c, `${name} is larger than ${Math.round(f.connector.upload.maxBytes / 1024 / 1024)} MB; split it into smaller files.`)
    const content = Buffer.from(await file.arrayBuffer())
    const inspected = await f.connector.upload.inspect({ filename: name, content })
    if ('error' in inspected) return uploadRefused(c, inspected.error)
    await saveUpload(c.var.db, actorOf(c), f.connector, module.id, { filename: name, content }, inspected)
    const state = await loadState(c.var.db, f.connector.id)
    if (!state[mappingStateKey(module.id)])
      await saveState(
        c.var.db,
        f.connector.id,
        mappingStateKey(module.id),
        JSON.stringify(guessUploadMapping(f.connector.upload, module.id, inspected.headers)),
      )
    const view = await uploadView(c, f, module)
    if (!isHtmx(c)) {
      setFlash(
        c,
        `Uploaded ${name}: ${inspected.rows.toLocaleString('en-US')} rows${inspected.encoding ? ` (read as ${inspected.encoding})` : ''}. Check the columns, then SYNC.`,
      )
      return redirectTo(c, paths(f.connector, module).modulePath)
    }
    return c.html(<UploadSection v={{ ...paths(f.connector, module), module }} upload={view!} />)
  },
)

async function uploadRefused(c: Context<AppEnv>, error: string) {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  const view = await uploadView(c, f, module, error)
  const section = <UploadSection v={{ ...paths(f.connector, module), module }} upload={view!} />
  return isHtmx(c) ? c.html(section, 422) : page(c, f, module.id, section, 422)
}

integrationsRoutes.post('/:id/:module/mapping', requires('integrations.actions'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module || !f.connector.upload) return renderError(c, 404)
  const body = await c.req.parseBody()
  const text = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? (body[k] as string) : null)
  const columns = uploadColumns(f.connector.upload, module.id)
  const mapping: ColumnMapping = {
    externalId: f.connector.upload.idFromColumns ? null : text('externalId'),
    fields: Object.fromEntries(columns.map((fl) => [fl.key, text(`field:${fl.key}`)])),
  }
  const upload = await latestUploadInfo(c.var.db, f.connector, module.id)
  if (!upload) return uploadRefused(c, 'Upload a file before mapping its columns.')
  const headers = 'error' in upload.inspection ? [] : upload.inspection.headers
  const problems = uploadMappingProblems(f.connector.upload, module.id, mapping, headers, upload.filename)
  if (problems.length === 0) await saveState(c.var.db, f.connector.id, mappingStateKey(module.id), JSON.stringify(mapping))
  const view = await uploadView(c, f, module)
  const section = <UploadSection v={{ ...paths(f.connector, module), module }} upload={{ ...view!, mapping, problems }} />
  if (!isHtmx(c)) {
    if (problems.length > 0) return page(c, f, module.id, section, 422)
    setFlash(c, 'Columns saved. SYNC to stage the file.')
    return redirectTo(c, paths(f.connector, module).modulePath)
  }
  return c.html(section, problems.length > 0 ? 422 : 200)
})

async function readSelection(c: Context<AppEnv>, f: Found, module: ModuleSpec): Promise<{ ids: number[]; fields: SelectionFields; createNew: Set<number> }> {
  const body = await c.req.parseBody({ all: true })
  const list = (k: string) => {
    const v = body[k]
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string')
  }
  const one = (k: string) => list(k)[0] ?? ''
  const fields: SelectionFields = {
    ids: list('ids').filter((x) => /^\d+$/.test(x)),
    all: one('all') === '1',
    q: one('q'),
    status: one('status'),
    removed: one('removed'),
  }
  const ids = fields.all
    ? await matchingIds(c.var.db, f.connector.id, module.id, readFilter({ q: fields.q, status: fields.status, removed: fields.removed }).filter)
    : fields.ids.map(Number)
  return { ids, fields, createNew: new Set(list('create_new').map(Number)) }
}

async function resultsWith(c: Context<AppEnv>, f: Found, module: ModuleSpec, message: StagingView['message'], status: 200 | 422 = 200) {
  const query = Object.fromEntries(new URL(c.req.header('HX-Current-URL') ?? c.req.url).searchParams)
  const v = await stagingView(c, f, module, query, message)
  if (isHtmx(c)) return c.html(<StagingResults v={v} />, status)
  setFlash(c, typeof message?.text === 'string' ? message.text : 'Done.', message?.kind)
  return redirectTo(c, paths(f.connector, module).modulePath)
}

const nothingSelected = { kind: 'error' as const, text: 'Select at least one record, or "Select all matching".' }

integrationsRoutes.post('/:id/:module/import/preview', requires('integrations.actions'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  const sel = await readSelection(c, f, module)
  if (sel.ids.length === 0) return resultsWith(c, f, module, nothingSelected, 422)
  const plan = await planImport(c.var.deps, f.connector.id, module.id, sel.ids)
  const preview = (
    <ImportPreview plan={plan} module={module} modulePath={paths(f.connector, module).modulePath} selection={sel.fields} integrationName={f.connector.name} />
  )
  return isHtmx(c) ? c.html(preview) : page(c, f, module.id, preview)
})

integrationsRoutes.post('/:id/:module/import', requires('integrations.actions'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  const sel = await readSelection(c, f, module)
  if (sel.ids.length === 0) return resultsWith(c, f, module, nothingSelected, 422)
  const result = await runImport(c.var.deps, actorOf(c), {
    integration: f.connector.id,
    integrationName: f.connector.name,
    module: module.id,
    ids: sel.ids,
    createNew: sel.createNew,
    trigger: 'manual',
    defaultTimeZone: c.var.config.timeZone,
  })
  const summary = `IMPORT finished: ${result.created} created, ${result.updated} updated, ${result.linked} linked, ${result.failed.length} failed${result.skipped ? `, ${result.skipped} skipped (Imported or Archived)` : ''}.`
  const text = (
    <>
      {summary} {result.batchId && <a href={`${paths(f.connector).integrationPath}/history`}>Batch #{result.batchId}</a>}
      {result.failed.length > 0 && (
        <ul>
          {result.failed.slice(0, 50).map((x) => (
            <li>
              {x.label} <code>{x.externalId}</code>: {x.message}
            </li>
          ))}
        </ul>
      )}
    </>
  )
  return isHtmx(c)
    ? resultsWith(c, f, module, { kind: result.failed.length > 0 ? 'error' : 'success', text })
    : resultsWith(c, f, module, { kind: 'success', text: summary })
})

for (const action of ['archive', 'unarchive'] as const) {
  integrationsRoutes.post(`/:id/:module/${action}`, requires('integrations.actions'), async (c) => {
    const f = await findIntegration(c)
    const module = f && findModule(c, f.connector)
    if (!f || !module) return renderError(c, 404)
    const sel = await readSelection(c, f, module)
    if (sel.ids.length === 0) return resultsWith(c, f, module, nothingSelected, 422)
    const changed = await setArchived(c.var.deps, actorOf(c), { integration: f.connector.id, module: module.id, ids: sel.ids, archived: action === 'archive' })
    return resultsWith(c, f, module, { kind: 'success', text: `${action === 'archive' ? 'Archived' : 'Unarchived'} ${changed} record(s).` })
  })
}

integrationsRoutes.get('/:id/:module/records/:recordId/changes', requires('integrations.view'), async (c) => {
  const f = await findIntegration(c)
  const module = f && findModule(c, f.connector)
  if (!f || !module) return renderError(c, 404)
  const record = await getStagedRecord(c.var.db, f.connector.id, module.id, Number(c.req.param('recordId')) || 0)
  if (!record) return renderError(c, 404)
  const dialog = (
    <ChangesDialog
      label={record.label}
      externalId={record.external_id}
      module={module}
      before={JSON.parse(importedPayload(record) ?? '{}')}
      after={JSON.parse(record.payload)}
    />
  )
  return isHtmx(c) ? c.html(dialog) : page(c, f, module.id, dialog)
})
