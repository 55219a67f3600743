import type { AppDeps, Notifier } from '../http/app-env.js'
import { runFinished } from './watch.js'

/** The notifier the hub calls when a run ends: the work goes on in the background, its failure logged, never the run's. */
export function notifierOf(deps: AppDeps): Notifier {
  return {
    runFinished(runId) {
      void deps.runs.track(
        runFinished(deps, runId).catch((err: Error) =>
          deps.logger.error({ event: 'notification_failed', runId, error: err.message }, 'could not tell of a finished run'),
        ),
      )
    },
  }
}
