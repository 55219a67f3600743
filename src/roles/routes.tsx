import { PERMISSION_GROUPS } from '../auth/permissions.js'
import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.js'
import { requires } from '../auth/access.js'
import { actorOf } from '../http/actor.js'
import { redirectTo } from '../http/htmx.js'
import { setFlash } from '../http/flash.js'
import { renderPageOrFragment } from '../http/render.js'
import { RoleMatrixForm, RolesPage } from '../../views/roles/roles-page.js'
import { loadMatrix, parseGrants, saveMatrix } from './service.js'

export const rolesRoutes = new Hono<AppEnv>()

rolesRoutes.get('/', requires('users.manage'), async (c) => {
  const matrix = await loadMatrix(c.var.db)
  return renderPageOrFragment(
    c,
    'Roles',
    () => <RolesPage matrix={matrix} groups={PERMISSION_GROUPS} />,
    () => <RoleMatrixForm matrix={matrix} groups={PERMISSION_GROUPS} />,
  )
})

rolesRoutes.post('/', requires('users.manage'), async (c) => {
  const matrix = await loadMatrix(c.var.db)
  const body = await c.req.parseBody({ all: true })
  const raw = body.grant
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string')
  const parsed = parseGrants(values, matrix)
  if ('error' in parsed) {
    return renderPageOrFragment(
      c,
      'Roles',
      () => <RolesPage matrix={matrix} groups={PERMISSION_GROUPS} error={parsed.error} />,
      () => <RoleMatrixForm matrix={matrix} groups={PERMISSION_GROUPS} error={parsed.error} />,
      422,
    )
  }
  const changed = await saveMatrix(c.var.db, actorOf(c), matrix, parsed.grants)
  setFlash(c, changed === 0 ? 'No permission changed.' : `Saved the permissions of ${changed} role(s).`)
  return redirectTo(c, '/roles')
})
