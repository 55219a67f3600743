import type { AppDeps } from '../http/app-env.js'
import { MODULES, isModuleId } from '../connectors/kit/records.js'
import { formatTimestamp } from '../lib/format.js'
import { openIncidents, send, type Deps } from './incidents.js'
import { loadNotificationSettings } from './notification-settings.js'

// The daily digest: the last 24 hours of sync runs per integration and module, and what is still
// wrong (the open incidents), to whoever asked for it.

export async function sendDigest(deps: Deps & Pick<AppDeps, 'connectors'>, now = new Date()): Promise<{ runs: number }> {
  const since = new Date(now.getTime() - 86_400_000).toISOString()
  const runs = await deps.db
    .selectFrom('sync_runs')
    .select(['id', 'integration', 'module', 'trigger', 'status', 'new_count', 'updated_count', 'removed_count', 'error_count', 'created_at'])
    .where('created_at', '>=', since)
    .orderBy('id')
    .execute()
  const open = await openIncidents(deps.db)
  const name = (id: string) => deps.connectors.find((c) => c.id === id)?.name ?? id
  const groups = new Map<string, typeof runs>()
  for (const r of runs) groups.set(`${r.integration}\u0000${r.module}`, [...(groups.get(`${r.integration}\u0000${r.module}`) ?? []), r])
  const lines = [...groups.values()].map((group) => {
    const first = group[0]!
    const failed = group.filter((r) => r.status === 'failed' || r.status === 'timed_out' || r.status === 'partial').length
    const sum = (k: 'new_count' | 'updated_count' | 'removed_count' | 'error_count') => group.reduce((s, r) => s + r[k], 0)
    const module = isModuleId(first.module) ? MODULES[first.module].label : first.module
    return `- ${name(first.integration)} ${module}: ${group.length} run(s)${failed ? `, ${failed} failed or partial` : ''}; ${sum('new_count')} new, ${sum('updated_count')} changed, ${sum('removed_count')} removed, ${sum('error_count')} row error(s)`
  })
  const body = [
    `Sync runs from ${formatTimestamp(since)} to ${formatTimestamp(now.toISOString())}:`,
    ...(lines.length > 0 ? lines : ['- none']),
    '',
    open.length > 0 ? 'Still open:' : 'Nothing is wrong that Clockbridge knows of.',
    ...open.map((o) => `- ${o.summary} (since ${formatTimestamp(o.opened_at)})`),
    '',
    `History: ${new URL('/integrations', deps.config.publicBaseUrl).toString()}`,
  ].join('\n')
  const settings = await loadNotificationSettings(deps)
  const payload = { event: 'digest', since, until: now.toISOString(), runs: runs.length, groups: lines, open: open.map((o) => o.summary) }
  await send(
    deps,
    settings,
    'digest',
    { event: 'digest', subject: `Clockbridge daily digest: ${runs.length} sync run(s), ${open.length} open issue(s)`, body, payload },
    now,
  )
  return { runs: runs.length }
}
