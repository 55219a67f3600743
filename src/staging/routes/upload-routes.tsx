import type { AppEnv } from '../../http/app-env.js'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { UploadSection } from '../../../views/staging/staging-tab.js'
import { actorOf } from '../../http/actor.js'
import { requires } from '../../auth/access.js'
import { uploadColumns, uploadMappingProblems, type ColumnMapping } from '../../connectors/kit/sheets/column-mapping.js'
import { mappingStateKey } from '../../connectors/kit/sheets/mapped-sheet.js'
import { closeAfterBody, renderError } from '../../http/errors.js'
import { setFlash } from '../../http/flash.js'
import { isHtmx, redirectTo } from '../../http/htmx.js'
import { unprintableFormField } from '../../http/printable-input.js'
import { integrationOf, integrationPage, integrationPaths, moduleOf, withModule } from '../../integrations/integration-page.js'
import { connectorStore } from '../../integrations/connector-store.js'
import { acceptUpload, latestUploadInfo } from '../../integrations/integration-service.js'
import { uploadView } from './staging-views.js'

// A file-based connector's upload and column mapping on a module's staging tab. The file is read
// once here (off the event loop) and never parsed again for a page.

export const uploadRoutes = new Hono<AppEnv>()

uploadRoutes.post(
  '/:id/:module/upload',
  requires('integrations.actions'),
  withModule,
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
    const f = integrationOf(c)
    const module = moduleOf(c)
    if (!f.connector.upload) return renderError(c, 404)
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
    const inspected = await acceptUpload(c.var.db, actorOf(c), f.connector, module.id, { filename: name, content })
    if ('error' in inspected) return uploadRefused(c, inspected.error)
    const view = await uploadView(c, f, module)
    const notice = `Uploaded ${name}: ${inspected.rows.toLocaleString('en-US')} rows${inspected.encoding ? ` (read as ${inspected.encoding})` : ''}. Check the columns, then SYNC.`
    if (!isHtmx(c)) {
      setFlash(c, notice)
      return redirectTo(c, integrationPaths(f.connector, module).modulePath)
    }
    return c.html(<UploadSection v={{ ...integrationPaths(f.connector, module), module }} upload={{ ...view!, notice }} />)
  },
)

async function uploadRefused(c: Context<AppEnv>, error: string) {
  const f = integrationOf(c)
  const module = moduleOf(c)
  const view = await uploadView(c, f, module, error)
  const section = <UploadSection v={{ ...integrationPaths(f.connector, module), module }} upload={view!} />
  return isHtmx(c) ? c.html(section, 422) : integrationPage(c, module.id, section, 422)
}

uploadRoutes.post('/:id/:module/mapping', requires('integrations.actions'), withModule, async (c) => {
  const f = integrationOf(c)
  const module = moduleOf(c)
  if (!f.connector.upload) return renderError(c, 404)
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
  if (problems.length === 0) await connectorStore(c.var.db, f.connector.id).set(mappingStateKey(module.id), JSON.stringify(mapping))
  const view = await uploadView(c, f, module)
  const notice = problems.length === 0 ? 'Columns saved. SYNC to stage the file.' : undefined
  const section = <UploadSection v={{ ...integrationPaths(f.connector, module), module }} upload={{ ...view!, mapping, problems, notice }} />
  if (!isHtmx(c)) {
    if (problems.length > 0) return integrationPage(c, module.id, section, 422)
    setFlash(c, 'Columns saved. SYNC to stage the file.')
    return redirectTo(c, integrationPaths(f.connector, module).modulePath)
  }
  return c.html(section, problems.length > 0 ? 422 : 200)
})
