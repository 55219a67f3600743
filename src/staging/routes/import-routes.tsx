import type { AppEnv } from '../../http/app-env.js'
import { Hono, type Context } from 'hono'
import { ChangesDialog, ImportPreview, SourceDialog, type SelectionFields } from '../../../views/staging/dialogs.js'
import { sourceOf } from '../staged-sources.js'
import { StagingResults, type StagingView } from '../../../views/staging/staging-tab.js'
import { actorOf } from '../../http/actor.js'
import { requires } from '../../auth/access.js'
import { MODULES, type ModuleSpec } from '../../connectors/kit/records.js'
import { renderError } from '../../http/errors.js'
import { setFlash } from '../../http/flash.js'
import { isHtmx, redirectTo } from '../../http/htmx.js'
import { type Found, integrationOf, integrationPage, integrationPaths, moduleOf, withModule } from '../../integrations/integration-page.js'
import { planImport, referenceFixes, runImport, setArchived, type ImportResult } from '../import-service.js'
import { importedPayload } from '../staging-store.js'
import { getStagedRecord, matchingIds } from '../staging-queries.js'
import { readFilter, stagingView, withConflicts } from './staging-views.js'
import { chooseSides, keptFieldsOf, ownedByNow } from '../field-conflicts.js'

// What a staging tab does to the records an admin selects: IMPORT (after its preview), Archive and
// Unarchive, and the Updated pop-up of one record's changes.

export const importRoutes = new Hono<AppEnv>()

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
    ? await matchingIds(
        c.var.db,
        f.connector.id,
        module.id,
        await withConflicts(c.var.db, f, module, readFilter({ q: fields.q, status: fields.status, removed: fields.removed }).filter),
      )
    : fields.ids.map(Number)
  return { ids, fields, createNew: new Set(list('create_new').map(Number)) }
}

async function resultsWith(c: Context<AppEnv>, f: Found, module: ModuleSpec, message: StagingView['message'], status: 200 | 422 = 200) {
  const query = Object.fromEntries(new URL(c.req.header('HX-Current-URL') ?? c.req.url).searchParams)
  const v = await stagingView(c, f, module, query, message)
  if (isHtmx(c)) return c.html(<StagingResults v={v} />, status)
  setFlash(c, typeof message?.text === 'string' ? message.text : 'Done.', message?.kind)
  return redirectTo(c, integrationPaths(f.connector, module).modulePath)
}

const nothingSelected = { kind: 'error' as const, text: 'Select at least one record, or "Select all matching".' }

importRoutes.post('/:id/:module/import/preview', requires('integrations.actions'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const sel = await readSelection(c, f, module)
  if (sel.ids.length === 0) return resultsWith(c, f, module, nothingSelected, 422)
  const plan = await planImport(c.var.deps, f.connector.id, module.id, sel.ids, { owned: await ownedByNow(c.var.db, f.connector, module.id) })
  const fixes = (await referenceFixes(c.var.deps, f.connector.id, plan)).map((fix) => {
    const { modulePath } = integrationPaths(f.connector, MODULES[fix.module])
    return { ...fix, label: MODULES[fix.module].label.toLowerCase(), importAction: `${modulePath}/import`, tabPath: modulePath }
  })
  const preview = (
    <ImportPreview
      plan={plan}
      fixes={fixes}
      module={module}
      modulePath={integrationPaths(f.connector, module).modulePath}
      selection={sel.fields}
      integrationName={f.connector.name}
    />
  )
  return isHtmx(c) ? c.html(preview) : integrationPage(c, module.id, preview)
})

importRoutes.post('/:id/:module/import', requires('integrations.actions'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const sel = await readSelection(c, f, module)
  if (sel.ids.length === 0) return resultsWith(c, f, module, nothingSelected, 422)
  const result = await runImport(c.var.deps, actorOf(c), {
    integration: f.connector.id,
    integrationName: f.connector.name,
    module: module.id,
    ids: sel.ids,
    createNew: sel.createNew,
    owned: await ownedByNow(c.var.db, f.connector, module.id),
    trigger: 'manual',
    defaultTimeZone: c.var.config.timeZone,
  })
  const flagged = result.warnings.length > 0 ? `, ${result.warnings.length} with a warning` : ''
  const held = result.held.length > 0 ? `, ${result.held.length} left for a conflict to settle` : ''
  const summary = `IMPORT finished: ${result.created} created, ${result.updated} updated, ${result.linked} linked, ${result.failed.length} failed${held}${flagged}${result.skipped ? `, ${result.skipped} skipped (Imported or Archived)` : ''}.`
  const listed = (title: string, lines: ImportResult['failed']) =>
    lines.length > 0 && (
      <>
        <p>{title}</p>
        <ul>
          {lines.slice(0, 50).map((x) => (
            <li>
              {x.label} <code>{x.externalId}</code>: {x.message}
            </li>
          ))}
        </ul>
        {lines.length > 50 && <p class='muted'>{lines.length - 50} more are in the batch's history.</p>}
      </>
    )
  const text = (
    <>
      {summary} {result.batchId && <a href={`${integrationPaths(f.connector).integrationPath}/history`}>Batch #{result.batchId}</a>}
      {listed('Not imported:', result.failed)}
      {listed('Left as they are until you choose (Conflicts filter):', result.held)}
      {listed('Imported, worth a look:', result.warnings)}
    </>
  )
  return isHtmx(c)
    ? resultsWith(c, f, module, { kind: result.failed.length + result.held.length > 0 ? 'error' : 'success', text })
    : resultsWith(c, f, module, { kind: 'success', text: summary })
})

for (const action of ['archive', 'unarchive'] as const) {
  importRoutes.post(`/:id/:module/${action}`, requires('integrations.actions'), withModule, async (c) => {
    const f = integrationOf(c)
    const module = moduleOf(c)
    const sel = await readSelection(c, f, module)
    if (sel.ids.length === 0) return resultsWith(c, f, module, nothingSelected, 422)
    const changed = await setArchived(c.var.deps, actorOf(c), { integration: f.connector.id, module: module.id, ids: sel.ids, archived: action === 'archive' })
    return resultsWith(c, f, module, { kind: 'success', text: `${action === 'archive' ? 'Archived' : 'Unarchived'} ${changed} record(s).` })
  })
}

importRoutes.get('/:id/:module/records/:recordId/changes', requires('integrations.view'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const record = await getStagedRecord(c.var.db, f.connector.id, module.id, Number(c.req.param('recordId')) || 0)
  if (!record) return renderError(c, 404)
  const dialog = (
    <ChangesDialog
      label={record.label}
      externalId={record.external_id}
      module={module}
      before={JSON.parse(importedPayload(record) ?? '{}')}
      after={JSON.parse(record.payload)}
      source={f.connector.name}
      kept={await keptFieldsOf(c.var.db, f.connector, module.id, record.id)}
      choicesAction={
        c.var.user!.permissions.has('integrations.actions') ? `${integrationPaths(f.connector, module).modulePath}/records/${record.id}/choices` : null
      }
    />
  )
  return isHtmx(c) ? c.html(dialog) : integrationPage(c, module.id, dialog)
})

importRoutes.get('/:id/:module/records/:recordId/source', requires('integrations.view'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const record = await getStagedRecord(c.var.db, f.connector.id, module.id, Number(c.req.param('recordId')) || 0)
  if (!record) return renderError(c, 404)
  const dialog = (
    <SourceDialog
      label={record.label}
      externalId={record.external_id}
      integrationName={f.connector.name}
      source={await sourceOf(c.var.db, f.connector.id, module.id, record.external_id)}
    />
  )
  return isHtmx(c) ? c.html(dialog) : integrationPage(c, module.id, dialog)
})

importRoutes.post('/:id/:module/records/:recordId/choices', requires('integrations.actions'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const record = await getStagedRecord(c.var.db, f.connector.id, module.id, Number(c.req.param('recordId')) || 0)
  if (!record) return renderError(c, 404)
  const body = await c.req.parseBody()
  const choices = Object.fromEntries(
    Object.entries(body)
      .filter(([k, v]) => k.startsWith('choice_') && typeof v === 'string')
      .map(([k, v]) => [k.slice('choice_'.length), v as string]),
  )
  const saved = await chooseSides(c.var.db, actorOf(c), f.connector, module.id, record.id, choices)
  if ('error' in saved) return resultsWith(c, f, module, { kind: 'error', text: `${record.label}: ${saved.error}` }, 422)
  return resultsWith(c, f, module, {
    kind: 'success',
    text: `Saved your choice for ${saved.saved} field(s) of ${record.label}. IMPORT it to apply them: until then it stays Updated, no longer among the conflicts.`,
  })
})
