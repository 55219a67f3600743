import { Hono } from 'hono'
import { z } from 'zod'
import type { ConnectorEnv } from '../../../src/connectors/kit/hub.js'
import type { Connector } from '../../../src/connectors/kit/types.js'
import { mappedSheetPages } from '../../../src/connectors/kit/sheets/mapped-sheet.js'
import { sheetUpload } from '../../../src/connectors/kit/sheets/upload.js'

// A connector written as a newcomer would, from the kit alone: a crew roster kept in a sheet (the
// Spreadsheet shape), a Setup panel with a template to download, and an endpoint a crew-app agent
// pings. Nothing of the hub names it; the test registers it next to the real ones.

const TEMPLATE = 'Badge,First name,Last name,Crew\r\n'
const LAST_PING = 'agent.lastPing'
export const DEMO_AGENT = 'demo.agent'

const setupRoutes = new Hono<ConnectorEnv>()
setupRoutes.get('/template.csv', (c) => c.body(TEMPLATE, 200, { 'content-type': 'text/csv; charset=utf-8' }))

const agentRoutes = new Hono<ConnectorEnv>()
agentRoutes.post('/ping', async (c) => {
  const { hub } = c.var
  if (!(await hub.integration()).activated) return c.json({ ok: false, error: 'Crew Roster is not activated in Clockbridge.' }, 409)
  const at = new Date().toISOString()
  await hub.store.set(LAST_PING, at)
  return c.json({ ok: true, at, from: c.var.clientAddress })
})

export const crewRosterConnector: Connector<Record<string, never>> = {
  id: 'crew-roster',
  name: 'Crew Roster',
  description: 'A crew roster kept in a sheet: one row per worker, badge number first.',
  hosting: 'file',
  syncModules: ['employees'],
  publishesPayroll: false,
  settingsSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  settingFields: [],
  shape: 'pull',
  invalidRecords: 'skip-row',
  upload: {
    ...sheetUpload,
    columns: () => [
      { key: 'badge', label: 'Badge', required: true },
      { key: 'first_name', label: 'First name', required: true },
      { key: 'last_name', label: 'Last name', required: true },
    ],
    presets: () => ({ badge: ['Badge'], first_name: ['First name'], last_name: ['Last name'] }),
    idFromColumns: true,
  },
  pull: (module, ctx) =>
    mappedSheetPages(module, ctx, crewRosterConnector.upload!, ({ row, values }) => {
      const badge = String(values.badge ?? '').trim()
      if (!badge) return { error: { row, field: 'Badge', message: 'The badge number is empty' } }
      return {
        record: {
          externalId: `badge-${badge}`,
          data: { employee_number: badge, first_name: values.first_name, last_name: values.last_name, pay_group: 'hourly', status: 'active' },
          row,
        },
      }
    }),
  agentEndpoint: { path: '/crew-roster', routes: agentRoutes },
  // Its part of the demo: a roster of the demo company's first people, and an agent that says it is running.
  demo: {
    banner: 'Crew Roster has a roster of the demo company uploaded: make it the sync source and SYNC.',
    uploads: (company) => [
      {
        module: 'employees',
        filename: 'roster.csv',
        content: Buffer.from(
          TEMPLATE +
            company.people
              .slice(0, 3)
              .map((p, i) => `${201 + i},${p.first},${p.last},North`)
              .join('\r\n'),
        ),
      },
    ],
    run: (hub) => {
      void hub.store.set(DEMO_AGENT, 'running')
      return () => void hub.store.set(DEMO_AGENT, 'stopped')
    },
  },
  setupPanel: {
    routes: setupRoutes,
    async render(c) {
      const lastPing = await c.var.hub.store.get(LAST_PING)
      return (
        <section id='crew-roster'>
          <h2>Crew roster file</h2>
          <p>
            <a href={`${c.var.page.basePath}/template.csv`}>Download the template</a>
          </p>
          <p>{lastPing ? `The crew app last called at ${lastPing}.` : 'The crew app has not called yet.'}</p>
        </section>
      )
    },
  },
}
