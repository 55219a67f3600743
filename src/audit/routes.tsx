import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { renderPageOrFragment } from '../http/render.js'
import { parseListParams } from '../lib/list-params.js'
import { fetchPage } from '../lists/list-query.js'
import { AuditLogPage, AuditLogResults } from '../../views/audit/audit-log-page.js'

export const auditLogRoutes = new Hono<AppEnv>()

const ENTITY_TYPES = [
  'employee',
  'company',
  'job_site',
  'cost_code',
  'department',
  'payroll_item',
  'pay_id',
  'user',
  'role',
  'settings',
  'integration',
  'import_batch',
  'staged_record',
]

auditLogRoutes.get('/', requires('audit_log.view'), async (c) => {
  const params = parseListParams(c.req.query(), { sorts: ['at'], defaultSort: 'at', filters: { entity: ENTITY_TYPES } })
  if (!c.req.query('dir')) params.dir = 'desc'
  let query = c.var.db.selectFrom('audit_log').selectAll()
  if (params.filters.entity) query = query.where('entity_type', '=', params.filters.entity)
  const page = await fetchPage(query, params, {
    searchColumns: ['actor', 'action', 'summary', 'entity_id', 'request_id'],
    sortColumns: { at: 'audit_log.id' },
    idColumn: 'audit_log.id',
  })
  return renderPageOrFragment(
    c,
    'Audit log',
    () => <AuditLogPage params={params} page={page} entityTypes={ENTITY_TYPES} />,
    () => <AuditLogResults params={params} page={page} />,
  )
})
