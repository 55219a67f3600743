import { z } from 'zod'
import type { Config } from '../config.js'
import { openConfiguredDatabase } from '../db/database.js'
import { upgradeDatabase } from '../db/upgrade.js'
import { createUser, passwordField, roleByKey } from '../users/service.js'
import { setPasswordCost } from '../auth/passwords.js'
import { SUPER_ADMIN_ROLE } from '../auth/permissions.js'
import { systemActor } from '../audit/audit-log.js'
import { field } from '../lib/validation.js'
import { complain, EXIT, say } from './output.js'

export const adminCreateInput = z.object({ email: field.email(), password: passwordField(), name: field.required('Name', 100) })

/** The flags of admin create, checked: null (after saying what is wrong) when they are not right. */
export function adminCreateFlags(values: { email?: string; password?: string; name?: string }): z.infer<typeof adminCreateInput> | null {
  const parsed = adminCreateInput.safeParse({ email: values.email ?? '', password: values.password ?? '', name: values.name ?? 'Administrator' })
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) complain(`--${String(issue.path[0])}: ${issue.message}`)
  return null
}

/** clockbridge admin create: a Super Admin for unattended installs (the database is migrated first). */
export async function adminCreateCommand(config: Config, input: z.infer<typeof adminCreateInput>): Promise<number> {
  setPasswordCost(config.passwordCost)
  const opened = openConfiguredDatabase(config)
  const { db } = opened
  try {
    await upgradeDatabase(opened, config.dataDir)
    const role = await roleByKey(db, SUPER_ADMIN_ROLE)
    const result = await createUser(db, { ...systemActor('admin:create'), roleKey: null }, { ...input, roleId: role.id })
    if (!result.ok) {
      complain(Object.values(result.errors).join('\n'))
      return EXIT.failed
    }
    say(`Created Super Admin ${input.email} (user #${result.value}). Sign in at ${config.publicBaseUrl}/login`)
    return EXIT.ok
  } finally {
    await db.destroy()
  }
}
