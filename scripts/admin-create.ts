// npm run admin:create -- --email admin@example.com --password '...' [--name 'Ada Admin']
// Creates a Super Admin for unattended installs. Exits non-zero with a clear message on bad input.
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrator.js'
import { createUser, passwordField, roleByKey } from '../src/users/service.js'
import { SUPER_ADMIN_ROLE } from '../src/auth/permissions.js'
import { systemActor } from '../src/audit/audit-log.js'
import { field } from '../src/http/forms.js'

const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } })
const parsed = z
  .object({ email: field.email(), password: passwordField(), name: field.required('Name', 100) })
  .safeParse({ email: values.email ?? '', password: values.password ?? '', name: values.name ?? 'Administrator' })
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`--${String(issue.path[0])}: ${issue.message}`)
  console.error("usage: npm run admin:create -- --email you@example.com --password '<at least 10 characters>' [--name 'Your Name']")
  process.exit(2)
}

const config = loadConfig()
const { db } = openDatabase(config.databasePath)
try {
  await migrateToLatest(db)
  const role = await roleByKey(db, SUPER_ADMIN_ROLE)
  const result = await createUser(db, { ...systemActor('admin:create'), roleKey: null }, { ...parsed.data, roleId: role.id })
  if (!result.ok) {
    console.error(Object.values(result.errors).join('\n'))
    process.exitCode = 1
  } else {
    console.log(`Created Super Admin ${parsed.data.email} (user #${result.value}). Sign in at ${config.publicBaseUrl}/login`)
  }
} finally {
  await db.destroy()
}
