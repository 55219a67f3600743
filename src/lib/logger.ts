import pino, { type Logger } from 'pino'

/** One JSON line per event on stdout; request and run ids go in child loggers. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'clockbridge' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination({ sync: false }))
}
