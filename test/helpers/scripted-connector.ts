import { z } from 'zod'
import type { Connector } from '../../src/connectors/kit/types.js'
import type { PullPage, SourceRecord } from '../../src/connectors/kit/pages.js'
import { MODULE_IDS } from '../../src/connectors/kit/records.js'

// A real connector whose pages the test writes: it behaves like a platform that answers, fails,
// hangs, answers slowly or sends malformed data on a given page. Not a mock of our code: the hub runs it as it runs
// any connector.

export type ScriptedPage = PullPage | { throws: string } | { hangs: true } | { waitsMs: number }

export const department = (id: string, name = `Dept ${id}`): SourceRecord => ({ externalId: id, data: { code: id, name } })

export function scriptedConnector(pages: ScriptedPage[], options: { invalidRecords?: 'skip-row' | 'fail-page' } = {}): Connector<Record<string, never>> {
  return {
    id: 'scripted',
    name: 'Scripted Platform',
    description: 'A test platform',
    hosting: 'cloud',
    syncModules: MODULE_IDS,
    publishesPayroll: false,
    settingsSchema: z.object({}) as unknown as z.ZodType<Record<string, never>>,
    settingFields: [],
    shape: 'pull',
    invalidRecords: options.invalidRecords ?? 'fail-page',
    async *pull(_module, ctx) {
      for (const page of pages) {
        if ('throws' in page) throw new Error(page.throws)
        if ('waitsMs' in page) {
          await new Promise((resolve) => setTimeout(resolve, page.waitsMs))
          continue
        }
        if ('hangs' in page) {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
          return
        }
        yield page
      }
    },
  }
}
