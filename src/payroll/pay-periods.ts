import { dateOfDay, dayNumber } from '../lib/dates.js'
// Pay periods: weekly and biweekly count from an anchor date (the first day of some period);
// semi-monthly runs from the 1st to the 15th and from the 16th to the month's last day.

export const PAY_FREQUENCIES = ['weekly', 'biweekly', 'semi-monthly'] as const
export type PayFrequency = (typeof PAY_FREQUENCIES)[number]

export type PaySchedule = { frequency: PayFrequency; anchor: string }

export type Period = { start: string; end: string }

/** The period holding `date`. */
export function periodOf(schedule: PaySchedule, date: string): Period {
  if (schedule.frequency === 'semi-monthly') {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number]
    const month = `${y}-${String(m).padStart(2, '0')}`
    if (d <= 15) return { start: `${month}-01`, end: `${month}-15` }
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
    return { start: `${month}-16`, end: `${month}-${last}` }
  }
  const length = schedule.frequency === 'weekly' ? 7 : 14
  const offset = dayNumber(date) - dayNumber(schedule.anchor)
  const start = dayNumber(schedule.anchor) + Math.floor(offset / length) * length
  return { start: dateOfDay(start), end: dateOfDay(start + length - 1) }
}

/** The period before or after one. */
export function shiftPeriod(schedule: PaySchedule, period: Period, by: -1 | 1): Period {
  return periodOf(schedule, by === 1 ? dateOfDay(dayNumber(period.end) + 1) : dateOfDay(dayNumber(period.start) - 1))
}

/** Every date of a period, in order. */
export function datesOf(period: Period): string[] {
  const out: string[] = []
  for (let d = dayNumber(period.start); d <= dayNumber(period.end); d++) out.push(dateOfDay(d))
  return out
}
