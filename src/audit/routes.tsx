import { auditQuery } from './audit-log.js'
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
  const page = await fetchPage(c.var.db, auditQuery(c.var.db, params.filters.entity), params, {
    searchColumns: ['actor', 'action', 'summary', 'entity_id', 'request_id'],
    sortColumns: { at: { numbers: 'audit_log.id' } },
    idColumn: 'audit_log.id',
  })
  return renderPageOrFragment(
    c,
    'Audit log',
    () => <AuditLogPage params={params} page={page} entityTypes={ENTITY_TYPES} />,
    () => <AuditLogResults params={params} page={page} />,
  )
})
