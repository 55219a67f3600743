import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type AddressInfo } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'
import { loadConfig } from '../../src/config.js'
import { openDatabase, type Db } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrator.js'
import { createLogger } from '../../src/lib/logger.js'
import { createApp, createDeps } from '../../src/app.js'
import { listenLocally } from '../../src/lib/local-server.js'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM_PATH)

/** Debian's Chromium, never a downloaded browser, with the flags this closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

export type RunningServer = { url: string; db: Db; close: () => Promise<void> }

/** The real app on a real file database, listening on 127.0.0.1 on a free port. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cb-browser-'))
  // The port is chosen first so PUBLIC_BASE_URL (redirect URIs, the QWC file) names the real one.
  const port = await freePort()
  const config = loadConfig({
    DATA_DIR: dataDir,
    PASSWORD_COST: process.env.PASSWORD_COST ?? '15',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...env,
  })
  const { db, sqlite } = openDatabase(config.databasePath)
  await migrateToLatest(db)
  const app = createApp(createDeps({ db, sqlite, config, logger: createLogger('silent') }))
  const server = await listenLocally(app.fetch, port)
  return {
    url: server.url,
    db,
    close: async () => {
      await server.close()
      await db.destroy()
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-output')
export const screenshotPath = (name: string) => join(SCREENSHOT_DIR, `${name}.png`)

/**
 * A page that records every script error and CSP violation in `problems`. A 422 or 401 answer is
 * logged by Chromium as a failed resource; that is how our forms work, so it is not counted.
 */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.setDefaultTimeout(8000)
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return { page, problems }
}

/** An input by its accessible name, as a screen reader announces it. */
export const textbox = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true })

/** A link of the side navigation. */
export const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })

/** Saves a screenshot of the page when the test just failed, named after the test. */
export async function screenshotOnFailure(page: Page | undefined, ctx: { task: { name: string; result?: { state?: string } } }) {
  if (page && ctx.task.result?.state === 'fail') {
    await page.screenshot({ path: screenshotPath(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`), fullPage: true })
  }
}

/** A user of the role on the running server, signed in through the real sign-in form. */
export async function signInThroughForm(server: RunningServer, page: Page, user: { email: string; name: string; role: string }) {
  const now = new Date().toISOString()
  const role = await server.db.selectFrom('roles').select('id').where('key', '=', user.role).executeTakeFirstOrThrow()
  const { hashPassword } = await import('../../src/auth/passwords.js')
  await server.db
    .insertInto('users')
    .values({
      email: user.email,
      name: user.name,
      password_hash: await hashPassword(BROWSER_PASSWORD),
      role_id: role.id,
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .execute()
  await page.goto(`${server.url}/login`)
  await textbox(page, 'Email').fill(user.email)
  await textbox(page, 'Password').fill(BROWSER_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: `Hello, ${user.name}` }).waitFor()
}

export const BROWSER_PASSWORD = 'correct horse battery'

export const ADMIN = { email: 'admin@example.com', name: 'Admin', role: 'admin' }

export type BrowserSession = { server: RunningServer; browser: Browser; page: Page; problems: string[] }

/**
 * The hooks every browser describe block needs: before it, the real server (with `env`, evaluated
 * then), `seed` on its database, Chromium and a watched page, signed in as `signIn` (an admin unless
 * null); a screenshot after a failing test; everything closed after the block.
 */
export function browserSession(
  opts: { env?: () => Record<string, string>; seed?: (server: RunningServer) => Promise<void>; signIn?: typeof ADMIN | null } = {},
): BrowserSession {
  const s = {} as BrowserSession
  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    s.server = await startServer(opts.env?.() ?? {})
    await opts.seed?.(s.server)
    s.browser = await launchChromium()
    Object.assign(s, await watchedPage(s.browser))
    if (opts.signIn !== null) await signInThroughForm(s.server, s.page, opts.signIn ?? ADMIN)
  })
  afterEach((ctx) => screenshotOnFailure(s.page, ctx))
  afterAll(async () => {
    await s.browser?.close()
    await s.server?.close()
  })
  return s
}

/** Activates an integration on the Overview and makes it the sync source on its Setup tab, as an admin does. */
export async function activateAsSyncSource(page: Page, name: string) {
  await navLink(page, 'Integrations').click()
  await page
    .getByRole('row', { name: new RegExp(name) })
    .getByRole('button', { name: 'Activate' })
    .click()
  await page.getByText(`${name} is activated.`).waitFor()
  await page.getByRole('link', { name }).click()
  await page.getByRole('button', { name: `Make ${name} the sync source` }).click()
  await page.getByText(`${name} is now the sync source.`).waitFor()
}

/** Maps pay IDs for the IIF file and fills in its settings; returns the body of the period's IIF download. */
export async function downloadIif(page: Page, baseUrl: string, mapping: Record<string, string>): Promise<string> {
  await page.goto(`${baseUrl}/payroll/mapping?target=file:iif`)
  for (const [payId, item] of Object.entries(mapping)) await page.getByLabel(`Payroll item for ${payId}`).selectOption({ label: item })
  await page.getByRole('button', { name: 'Save mapping' }).click()
  await page.getByText('Saved the mapping.').waitFor()
  await page.goto(`${baseUrl}/payroll/files/settings`)
  await page.getByLabel('Company name').fill('Ridgeline Builders LLC')
  await page.getByLabel('Company create time').fill('1405767000')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved the payroll file settings.').waitFor()
  await page.goto(`${baseUrl}/payroll?period=2024-06-03`)
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'QuickBooks Desktop IIF (timer activities)' }).click()])
  if (download.suggestedFilename() !== 'timer-activities-2024-06-03-2024-06-09.iif') throw new Error(`Downloaded ${download.suggestedFilename()}`)
  return Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8')
}
